/**
 * Singular value decomposition, the structure of LAPACK's gesdd: blocked Householder
 * bidiagonalisation (panels plus a GEMM trailing update), the bidiagonal's SVD by divide and conquer
 * (implicit-shift QR iteration on small leaves), and the reflectors applied to its singular vectors in
 * compact-WY blocks (GEMMs). Tall matrices are first reduced by a QR factorisation; wide ones are
 * handled through their transpose.
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { DenseTensor } from "../tensor/dense.js";
import { bidiagonalDC, DC_LEAF } from "./bidiagonal-dc.js";
import { bidiagonalQR } from "./bidiagonal-qr.js";
import { applyLeftReflectors, applyRightReflectors, bidiagonalize, reflectorWork } from "./bidiagonalize.js";
import { qr } from "./qr.js";
import { checkFinite, dims, f64, linalgBackend, type LinalgOptions, type Matrix } from "./matrix.js";
import { gemm } from "./dense-gemm.js";
import type { CpuBackend } from "../tensor/backends/cpu/backend.js";

/** `A = U · diag(s) · Vᵀ` with singular values in decreasing order. @category Decompositions */
export interface SVD {
  /** `m×k`, orthonormal columns. */
  readonly u: Matrix;
  /** `k` singular values, non-negative, decreasing. */
  readonly s: Float64Array;
  /** `k×n`, orthonormal rows (`Vᵀ`). */
  readonly vt: Matrix;
}

/** Options of {@link svd}. @category Decompositions */
export interface SVDOptions extends LinalgOptions {
  /** Keep only the leading `rank` components (truncated SVD). */
  readonly rank?: number;
  /**
   * Flip signs so that the largest-magnitude entry of each column of U is positive (TensorLy's
   * `svd_interface(flip_sign=True)`); the product is unchanged.
   */
  readonly flipSigns?: boolean;
}

/**
 * Thin (or truncated) SVD of a matrix, in float64.
 * @throws {@link InvalidShapeError} for a non-matrix or non-finite entries; {@link InvalidArgumentError} for a bad rank.
 * @example
 * ```ts
 * import { svd, tensor } from "multilinear";
 * const { s } = svd(tensor([[3, 0], [0, -4]]));
 * [...s]; // => [4, 3]
 * ```
 * @category Decompositions
 */
export function svd(a: Matrix, options: SVDOptions = {}): SVD {
  return svdOn(a, options, linalgBackend(options));
}

function svdOn(a: Matrix, options: SVDOptions, backend: CpuBackend): SVD {
  const [m, n] = dims(a);
  checkFinite(a, "the matrix");
  const k = Math.min(m, n);
  const rank = options.rank ?? k;
  if (!Number.isInteger(rank) || rank < 1 || rank > k) {
    throw new InvalidArgumentError(`SVD rank ${rank} must be an integer from 1 to min(m, n) = ${k}`, `use 1 ≤ rank ≤ ${k}`);
  }
  let result: SVD;
  if (m < n) {
    const t = svdOn(a.transpose().contiguous(), { rank: k }, backend);
    result = { u: t.vt.transpose().contiguous(), s: t.s, vt: t.u.transpose().contiguous() };
  } else if (m > n && n > 0) {
    const { q, r } = qr(a);
    const inner = squareSvd(backend, workCopy(backend, r), n);
    result = {
      u: new DenseTensor(gemm(backend, { data: f64(q), rows: m, cols: n }, { data: f64(inner.u), rows: n, cols: n }), [m, n]),
      s: inner.s,
      vt: inner.vt,
    };
  } else {
    result = squareSvd(backend, workCopy(backend, a), n);
  }
  if (rank < k) {
    result = {
      u: result.u.slice(1, 0, rank).contiguous(),
      s: result.s.slice(0, rank),
      vt: result.vt.slice(0, 0, rank).contiguous(),
    };
  }
  return options.flipSigns ? flip(result) : result;
}

/**
 * Singular values only, decreasing: the bidiagonalisation and a QR iteration that carries no vectors
 * (O(n²) after the reduction), so much cheaper than {@link svd}.
 * @throws {@link InvalidShapeError} for a non-matrix or non-finite entries.
 * @example
 * ```ts
 * import { singularValues, tensor } from "multilinear";
 * [...singularValues(tensor([[0, 2], [1, 0], [0, 0]]))]; // => [2, 1]
 * ```
 * @category Decompositions
 */
export function singularValues(a: Matrix, options: LinalgOptions = {}): Float64Array {
  const [m, n] = dims(a);
  checkFinite(a, "the matrix");
  if (m < n) return singularValues(a.transpose().contiguous(), options);
  if (n === 0) return new Float64Array(0);
  const { d, e } = bidiagonalize(f64(a), m, n, linalgBackend(options));
  bidiagonalQR(d, e, new Float64Array(0), 0, new Float64Array(0), 0, n);
  return Float64Array.from(d, Math.abs).sort().reverse();
}

function flip(r: SVD): SVD {
  const [m, k] = r.u.shape as [number, number];
  const n = r.vt.shape[1]!;
  const u = r.u.clone();
  const vt = r.vt.clone();
  for (let j = 0; j < k; j++) {
    let best = 0;
    for (let i = 0; i < m; i++) if (Math.abs(u.data[i * k + j]!) > Math.abs(u.data[best * k + j]!)) best = i;
    if (u.data[best * k + j]! < 0) {
      for (let i = 0; i < m; i++) u.data[i * k + j] = -u.data[i * k + j]!;
      for (let c = 0; c < n; c++) vt.data[j * n + c] = -vt.data[j * n + c]!;
    }
  }
  return { u, s: r.s, vt };
}

/** A float64 row-major copy of `a` in a work array of `backend` (it never leaves this module). */
function workCopy(backend: CpuBackend, a: Matrix): Float64Array {
  const w = backend.workArrays.take("svd.A", a.size);
  if (a.dtype === "float64" && a.isContiguous) w.set(a.data.subarray(a.offset, a.offset + a.size));
  else w.set(a.toTypedArray());
  return w;
}

/** SVD of a square n×n row-major matrix (the array is overwritten). */
function squareSvd(backend: CpuBackend, A: Float64Array, n: number): SVD {
  if (n === 0)
    return { u: new DenseTensor(new Float64Array(0), [0, 0]), s: new Float64Array(0), vt: new DenseTensor(new Float64Array(0), [0, 0]) };
  // 1. A = Q_L · B · Q_Rᵀ.
  const { d, e, tauq, taup } = bidiagonalize(A, n, n, backend);
  // 2. B = U_B · diag(σ) · V_Bᵀ (columns of U_B, V_B as row-major n×n arrays).
  const { ub, vb } = bidiagonalSvd(backend, d, e, n);
  // 3. Non-negative values, sorted decreasing; columns permuted to match.
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => Math.abs(d[y]!) - Math.abs(d[x]!) || x - y);
  const s = Float64Array.from(order, (i) => Math.abs(d[i]!));
  const sign = Float64Array.from(order, (i) => (d[i]! < 0 ? -1 : 1));
  // 4. U = Q_L · U_B, V = Q_R · V_B, each built in one work block (pinned kernel memory where the GEMMs
  // update it in place); U is copied out of it, Vᵀ leaves through a tiled transpose.
  const work = reflectorWork(backend, n, n);
  try {
    permuteColumns(ub, order, undefined, work.view(0, n * n), n);
    applyLeftReflectors(backend, A, n, tauq, work, n);
    const U = work.view(0, n * n).slice();
    permuteColumns(vb, order, sign, work.view(0, n * n), n);
    applyRightReflectors(backend, A, n, taup, work, n);
    const vt = new Float64Array(n * n);
    transposeInto(work.view(0, n * n), vt, n);
    return { u: new DenseTensor(U, [n, n]), s, vt: new DenseTensor(vt, [n, n]) };
  } finally {
    work.close();
  }
}

/** `out[:, c] = sign[c] · M[:, order[c]]` (sign 1 when undefined) for row-major n×n arrays. */
function permuteColumns(M: Float64Array, order: Int32Array, sign: Float64Array | undefined, out: Float64Array, n: number): void {
  for (let r = 0; r < n; r++) {
    const row = r * n;
    if (sign) for (let c = 0; c < n; c++) out[row + c] = sign[c]! * M[row + order[c]!]!;
    else for (let c = 0; c < n; c++) out[row + c] = M[row + order[c]!]!;
  }
}

/** `out = Mᵀ` for row-major n×n arrays, in 32×32 tiles so both sides stay in cache. */
function transposeInto(M: Float64Array, out: Float64Array, n: number): void {
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = Math.min(n, i0 + T);
    for (let j0 = 0; j0 < n; j0 += T) {
      const j1 = Math.min(n, j0 + T);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * n + i] = M[i * n + j]!;
    }
  }
}

/** Singular vectors of the bidiagonal as columns; `d` receives the values (any sign, any order). */
function bidiagonalSvd(backend: CpuBackend, d: Float64Array, e: Float64Array, n: number): { ub: Float64Array; vb: Float64Array } {
  if (n > DC_LEAF) return bidiagonalDC(d, e, n, backend);
  const ub = new Float64Array(n * n);
  const vb = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    ub[i * n + i] = 1;
    vb[i * n + i] = 1;
  }
  bidiagonalQR(d, e, ub, n, vb, n, n);
  transposeInPlace(ub, n);
  transposeInPlace(vb, n);
  return { ub, vb };
}

function transposeInPlace(M: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = M[i * n + j]!;
      M[i * n + j] = M[j * n + i]!;
      M[j * n + i] = t;
    }
  }
}
