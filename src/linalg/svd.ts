/**
 * Singular value decomposition: Householder bidiagonalisation followed by the implicitly shifted
 * Golub–Kahan QR iteration with deflation (Golub & Van Loan, §8.6). Tall matrices are first reduced
 * by a QR factorisation; wide ones are handled through their transpose. Singular vectors are kept as
 * rows (`Uᵀ`, `Vᵀ`) so every rotation runs over contiguous memory.
 * @module
 */
import { InvalidArgumentError, NotConvergedError } from "../errors.js";
import { DenseTensor } from "../tensor/dense.js";
import { makeReflector } from "./householder.js";
import { applyLeft, qr } from "./qr.js";
import { checkFinite, dims, f64, fromRows, matmul, matmulTN, type Matrix } from "./matrix.js";

/** `A = U · diag(s) · Vᵀ` with singular values in decreasing order. */
export interface SVD {
  /** `m×k`, orthonormal columns. */
  readonly u: Matrix;
  /** `k` singular values, non-negative, decreasing. */
  readonly s: Float64Array;
  /** `k×n`, orthonormal rows (`Vᵀ`). */
  readonly vt: Matrix;
}

/** Options of {@link svd}. */
export interface SVDOptions {
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
 */
export function svd(a: Matrix, options: SVDOptions = {}): SVD {
  const [m, n] = dims(a);
  checkFinite(a, "the matrix");
  const k = Math.min(m, n);
  const rank = options.rank ?? k;
  if (!Number.isInteger(rank) || rank < 1 || rank > k) {
    throw new InvalidArgumentError(`SVD rank ${rank} must be an integer from 1 to min(m, n) = ${k}`, `use 1 ≤ rank ≤ ${k}`);
  }
  let result: SVD;
  if (m < n) {
    const t = svd(a.transpose().contiguous(), { rank: k });
    result = { u: t.vt.transpose().contiguous(), s: t.s, vt: t.u.transpose().contiguous() };
  } else if (m > n && n > 0) {
    const { q, r } = qr(a);
    const inner = squareSvd(f64(r), n);
    result = { u: matmul(q, inner.u), s: inner.s, vt: inner.vt };
  } else {
    result = squareSvd(f64(a), n);
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

/** Singular values only (same algorithm; vectors are still computed). */
export function singularValues(a: Matrix): Float64Array {
  return svd(a).s;
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

/** SVD of a square n×n row-major matrix (the array is overwritten). */
function squareSvd(A: Float64Array, n: number): SVD {
  if (n === 0) return { u: new DenseTensor(new Float64Array(0), [0, 0]), s: new Float64Array(0), vt: new DenseTensor(new Float64Array(0), [0, 0]) };
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const betaL = new Float64Array(n);
  const betaR = new Float64Array(n);
  const w = new Float64Array(n);
  // 1. Bidiagonalise: A = U_B · B · V_Bᵀ.
  for (let k = 0; k < n; k++) {
    const left = makeReflector(A, k * n + k, n, n - k);
    betaL[k] = left.beta;
    if (left.beta !== 0) applyLeft(A, n, k, n, k + 1, n, left.beta, w);
    d[k] = left.alpha;
    if (k < n - 1) {
      const right = makeReflector(A, k * n + k + 1, 1, n - k - 1);
      betaR[k] = right.beta;
      e[k] = right.alpha;
      if (right.beta !== 0) {
        // A[k+1:, k+1:] ← A[k+1:, k+1:] (I − β v vᵀ), v in row k from column k+1 (v_0 = 1).
        const v0 = k * n + k + 1;
        for (let r = k + 1; r < n; r++) {
          const row = r * n + k + 1;
          let s = 0;
          for (let c = 0; c < n - k - 1; c++) s += A[row + c]! * A[v0 + c]!;
          s *= right.beta;
          if (s === 0) continue;
          for (let c = 0; c < n - k - 1; c++) A[row + c] = A[row + c]! - s * A[v0 + c]!;
        }
      }
    }
  }
  // 2. Accumulate U_B and V_B as rows: Ut = U_Bᵀ, Vt = V_Bᵀ (each is its own transpose-accumulation).
  const Ut = accumulate(n, betaL, (k) => ({ start: k, at: (i) => (i === k ? 1 : A[i * n + k]!) }));
  const Vt = accumulate(n, betaR, (k) => ({ start: k + 1, at: (i) => (i === k + 1 ? 1 : A[k * n + i]!) }), n - 1);
  // 3. Diagonalise B by implicit-shift QR sweeps, rotating rows of Ut and Vt.
  bidiagonalQR(d, e, Ut, Vt, n);
  // 4. Non-negative values, sorted decreasing.
  for (let i = 0; i < n; i++) {
    if (d[i]! < 0) {
      d[i] = -d[i]!;
      for (let c = 0; c < n; c++) Vt[i * n + c] = -Vt[i * n + c]!;
    }
  }
  const order = [...Array(n).keys()].sort((x, y) => d[y]! - d[x]! || x - y);
  const s = Float64Array.from(order, (i) => d[i]!);
  const U = new Float64Array(n * n);
  const V = new Float64Array(n * n);
  order.forEach((src, dst) => {
    // Row src of Ut is column dst of U.
    for (let i = 0; i < n; i++) U[i * n + dst] = Ut[src * n + i]!;
    V.set(Vt.subarray(src * n, src * n + n), dst * n);
  });
  return { u: new DenseTensor(U, [n, n]), s, vt: new DenseTensor(V, [n, n]) };
}

/** Reflectors per block of the compact-WY accumulation (below this many, plain rank-1 updates). */
const WY_BLOCK = 32;

/**
 * Product of reflectors `H_0 ⋯ H_{c-1}` as an explicit orthogonal matrix, returned transposed
 * (row i = column i of the product). Reflector k is `I − β_k v_k v_kᵀ` with `v_k` zero before
 * `start`, 1 at `start`. Blocks of {@link WY_BLOCK} reflectors are applied at once in compact-WY form
 * `H_b ⋯ H_{b+nb−1} = I − V T Vᵀ` (LAPACK's dlarft/dlarfb), so the work runs in GEMMs, last block first.
 */
function accumulate(n: number, betas: Float64Array, reflector: (k: number) => { start: number; at: (i: number) => number }, count = n): Float64Array {
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) M[i * n + i] = 1;
  for (let b0 = Math.floor((count - 1) / WY_BLOCK) * WY_BLOCK; b0 >= 0; b0 -= WY_BLOCK) {
    const kb = Math.min(WY_BLOCK, count - b0);
    const s0 = reflector(b0).start;
    const ns = n - s0;
    if (ns <= 0) continue;
    // V: ns × kb, column j = v_{b0+j} restricted to rows s0…n−1.
    const V = new Float64Array(ns * kb);
    for (let j = 0; j < kb; j++) {
      if (betas[b0 + j] === 0) continue;
      const { start, at } = reflector(b0 + j);
      for (let r = start; r < n; r++) V[(r - s0) * kb + j] = at(r);
    }
    // T (kb × kb, upper triangular): T_jj = β_j, T[0:j, j] = −β_j · T[0:j, 0:j] · (V[:, 0:j]ᵀ v_j).
    const T = new Float64Array(kb * kb);
    const w = new Float64Array(kb);
    for (let j = 0; j < kb; j++) {
      const beta = betas[b0 + j]!;
      T[j * kb + j] = beta;
      if (beta === 0) continue;
      w.fill(0, 0, j);
      for (let r = 0; r < ns; r++) {
        const vj = V[r * kb + j]!;
        if (vj === 0) continue;
        for (let c = 0; c < j; c++) w[c] = w[c]! + V[r * kb + c]! * vj;
      }
      for (let r = 0; r < j; r++) {
        let acc = 0;
        for (let c = r; c < j; c++) acc += T[r * kb + c]! * w[c]!;
        T[r * kb + j] = -beta * acc;
      }
    }
    // M[s0:, s0:] ← M[s0:, s0:] − V · (T · (Vᵀ · M[s0:, s0:])); columns before s0 are untouched identity.
    const sub = new Float64Array(ns * ns);
    for (let r = 0; r < ns; r++) sub.set(M.subarray((s0 + r) * n + s0, (s0 + r) * n + n), r * ns);
    const Vm = fromRows(V, ns, kb);
    const W = matmul(fromRows(T, kb, kb), matmulTN(Vm, fromRows(sub, ns, ns)));
    const upd = f64(matmul(Vm, W));
    for (let r = 0; r < ns; r++) {
      const row = (s0 + r) * n + s0;
      for (let c = 0; c < ns; c++) M[row + c] = sub[r * ns + c]! - upd[r * ns + c]!;
    }
  }
  // Transpose in place.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = M[i * n + j]!;
      M[i * n + j] = M[j * n + i]!;
      M[j * n + i] = t;
    }
  }
  return M;
}

/** Rotates rows i and j of an n-column row-major array: r_i ← c r_i − s r_j, r_j ← s r_i + c r_j. */
function rotateRows(X: Float64Array, n: number, i: number, j: number, c: number, s: number): void {
  const a = i * n;
  const b = j * n;
  for (let t = 0; t < n; t++) {
    const x = X[a + t]!;
    const y = X[b + t]!;
    X[a + t] = c * x - s * y;
    X[b + t] = s * x + c * y;
  }
}

/** (c, s, r) with [y z]·[[c, s], [−s, c]] = [r, 0]. */
function givens(y: number, z: number): [number, number, number] {
  if (z === 0) return [1, 0, y];
  const r = Math.hypot(y, z);
  return [y / r, -z / r, r];
}

function bidiagonalQR(d: Float64Array, e: Float64Array, Ut: Float64Array, Vt: Float64Array, n: number): void {
  const eps = 2 ** -52;
  let bnorm = 0;
  for (let i = 0; i < n; i++) bnorm = Math.max(bnorm, Math.abs(d[i]!) + (i < n - 1 ? Math.abs(e[i]!) : 0));
  const small = eps * bnorm;
  let q = n - 1;
  const maxSweeps = 75 * n + 100;
  let sweeps = 0;
  while (q > 0) {
    for (let i = 0; i < q; i++) {
      if (Math.abs(e[i]!) <= eps * (Math.abs(d[i]!) + Math.abs(d[i + 1]!)) || Math.abs(e[i]!) <= Number.MIN_VALUE) e[i] = 0;
    }
    while (q > 0 && e[q - 1] === 0) q--;
    if (q === 0) break;
    let p = q - 1;
    while (p > 0 && e[p - 1] !== 0) p--;
    if (++sweeps > maxSweeps) {
      throw new NotConvergedError(`SVD did not converge after ${maxSweeps} QR sweeps`, "check the input for extreme scaling; it may be badly conditioned");
    }
    // A zero on the diagonal splits the block: rotate its superdiagonal entry away.
    let zero = -1;
    for (let i = p; i <= q; i++) {
      if (Math.abs(d[i]!) <= small) {
        d[i] = 0;
        zero = i;
        break;
      }
    }
    if (zero >= 0) {
      if (zero < q) {
        let f = e[zero]!;
        e[zero] = 0;
        for (let j = zero + 1; j <= q && f !== 0; j++) {
          const [c, s, r] = givens(d[j]!, f);
          d[j] = r;
          rotateRows(Ut, n, j, zero, c, s);
          if (j < q) {
            f = s * e[j]!;
            e[j] = c * e[j]!;
          } else f = 0;
        }
      } else {
        let f = e[q - 1]!;
        e[q - 1] = 0;
        for (let j = q - 1; j >= p && f !== 0; j--) {
          const [c, s, r] = givens(d[j]!, f);
          d[j] = r;
          rotateRows(Vt, n, j, q, c, s);
          if (j > p) {
            f = s * e[j - 1]!;
            e[j - 1] = c * e[j - 1]!;
          } else f = 0;
        }
      }
      continue;
    }
    // Wilkinson shift from the trailing 2×2 block of BᵀB.
    const dq1 = d[q - 1]!;
    const eq1 = e[q - 1]!;
    const t11 = dq1 * dq1 + (q - 1 > p ? e[q - 2]! * e[q - 2]! : 0);
    const t12 = dq1 * eq1;
    const t22 = d[q]! * d[q]! + eq1 * eq1;
    const delta = (t11 - t22) / 2;
    const mu = t22 - (t12 * t12) / (delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, t12) || 1e-300);
    let y = d[p]! * d[p]! - mu;
    let z = d[p]! * e[p]!;
    for (let k = p; k < q; k++) {
      let [c, s, r] = givens(y, z);
      if (k > p) e[k - 1] = r;
      const dk = c * d[k]! - s * e[k]!;
      const ek = s * d[k]! + c * e[k]!;
      const bulge = -s * d[k + 1]!;
      const dk1 = c * d[k + 1]!;
      rotateRows(Vt, n, k, k + 1, c, s);
      [c, s, r] = givens(dk, bulge);
      d[k] = r;
      e[k] = c * ek - s * dk1;
      d[k + 1] = s * ek + c * dk1;
      if (k < q - 1) {
        const b2 = -s * e[k + 1]!;
        e[k + 1] = c * e[k + 1]!;
        y = e[k]!;
        z = b2;
      }
      rotateRows(Ut, n, k, k + 1, c, s);
    }
  }
}
