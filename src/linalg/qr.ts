/**
 * Householder QR of a tall or square matrix (thin factors).
 * @module
 */
import { DenseTensor } from "../tensor/dense.js";
import { makeReflector } from "./householder.js";
import { dims, f64, type Matrix } from "./matrix.js";

/** A thin QR factorisation `A = Q R` with `Q` `m×k` orthonormal columns and `R` `k×n` upper triangular, `k = min(m, n)`. @category Decompositions */
export interface QR {
  readonly q: Matrix;
  readonly r: Matrix;
}

/**
 * Thin Householder QR, `A = QR`. The diagonal of R may be negative (LAPACK's convention).
 * @example
 * ```ts
 * import { qr, tensor, einsum, allClose } from "multilinear";
 * const a = tensor([[1, 2], [3, 4], [5, 6]]);
 * const { q, r } = qr(a);
 * allClose(einsum("ik,kj->ij", [q, r]), a, { atol: 1e-13 }); // => true
 * ```
 * @category Decompositions
 */
export function qr(a: Matrix): QR {
  const [m, n] = dims(a);
  const k = Math.min(m, n);
  const A = f64(a).slice();
  const betas = new Float64Array(k);
  const w = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const { beta, alpha } = makeReflector(A, j * n + j, n, m - j);
    betas[j] = beta;
    if (beta !== 0) applyLeft(A, n, j, m, j + 1, n, beta, w);
    A[j * n + j] = alpha;
  }
  // R: the upper triangle of the first k rows.
  const R = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let c = i; c < n; c++) R[i * n + c] = A[i * n + c]!;
  // Q = H_0 … H_{k-1} [I; 0], accumulated backwards.
  const Q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) Q[i * k + i] = 1;
  const wq = new Float64Array(k);
  for (let j = k - 1; j >= 0; j--) {
    const beta = betas[j]!;
    if (beta === 0) continue;
    // v lives in column j of A below the diagonal (v_j = 1).
    applyReflector(A, n, j, Q, k, m, j, k, beta, wq);
  }
  return { q: new DenseTensor(Q, [m, k]), r: new DenseTensor(R, [k, n]) };
}

/**
 * Applies `H = I − β v vᵀ` (v in column `j` of A from row `j`, v_j = 1) from the left to rows `j…m-1`,
 * columns `c0…c1-1` of the row-major `m×n` array A. `w` is scratch of length ≥ n.
 */
export function applyLeft(A: Float64Array, n: number, j: number, m: number, c0: number, c1: number, beta: number, w: Float64Array): void {
  applyReflector(A, n, j, A, n, m, c0, c1, beta, w);
}

/**
 * Applies `H = I − β v vᵀ`, with v in column `j` of the row-major `V` (row length `vn`) from row `j`
 * (v_j = 1), from the left to rows `j…m-1`, columns `c0…c1-1` of the row-major `X` (row length `xn`).
 * `X` may be `V` itself. `w` is scratch of length ≥ c1.
 */
function applyReflector(
  V: Float64Array,
  vn: number,
  j: number,
  X: Float64Array,
  xn: number,
  m: number,
  c0: number,
  c1: number,
  beta: number,
  w: Float64Array,
): void {
  w.fill(0, c0, c1);
  for (let r = j; r < m; r++) {
    const vr = r === j ? 1 : V[r * vn + j]!;
    if (vr === 0) continue;
    const row = r * xn;
    for (let c = c0; c < c1; c++) w[c] = w[c]! + vr * X[row + c]!;
  }
  for (let r = j; r < m; r++) {
    const vr = (r === j ? 1 : V[r * vn + j]!) * beta;
    if (vr === 0) continue;
    const row = r * xn;
    for (let c = c0; c < c1; c++) X[row + c] = X[row + c]! - vr * w[c]!;
  }
}
