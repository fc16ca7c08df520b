/**
 * Implicitly shifted Golub–Kahan QR iteration on an upper bidiagonal matrix, with deflation
 * (Golub & Van Loan, §8.6). Singular vectors are kept as rows (`Uᵀ`, `Vᵀ`) so every rotation runs
 * over contiguous memory. Used for small matrices and for the leaves of the divide and conquer.
 * @module
 */
import { NotConvergedError } from "../errors.js";

/** Rotates rows i and j (length `len`, stride `ld`): r_i ← c r_i − s r_j, r_j ← s r_i + c r_j. */
function rotateRows(X: Float64Array, ld: number, len: number, i: number, j: number, c: number, s: number): void {
  const a = i * ld;
  const b = j * ld;
  for (let t = 0; t < len; t++) {
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

/**
 * Diagonalises the `n×n` upper bidiagonal (`d` diagonal, `e` superdiagonal) in place: on return `d`
 * holds the singular values (unsorted, any sign) and `e` is zero. Rows `0…n-1` of `Ut` (row length
 * `nu`) and `Vt` (row length `nv`) receive the left and right rotations, so passing the rows of
 * `U_0ᵀ`, `V_0ᵀ` yields those of `(U_0 U_B)ᵀ`, `(V_0 V_B)ᵀ`.
 * @throws {@link NotConvergedError} after `75n + 100` sweeps.
 */
export function bidiagonalQR(
  d: Float64Array,
  e: Float64Array,
  Ut: Float64Array,
  nu: number,
  Vt: Float64Array,
  nv: number,
  n: number,
): void {
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
      throw new NotConvergedError(
        `SVD did not converge after ${maxSweeps} QR sweeps`,
        "check the input for extreme scaling; it may be badly conditioned",
      );
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
          rotateRows(Ut, nu, nu, j, zero, c, s);
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
          rotateRows(Vt, nv, nv, j, q, c, s);
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
      rotateRows(Vt, nv, nv, k, k + 1, c, s);
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
      rotateRows(Ut, nu, nu, k, k + 1, c, s);
    }
  }
}

/**
 * Rotates away the extra column of an `n×(n+1)` upper bidiagonal (`e[n-1]` sits at `(n-1, n)`),
 * leaving an `n×n` bidiagonal and a zero last column. The column rotations go onto rows of `Vt`
 * (row length `nv`), whose row `n` then spans the null space.
 */
export function squareUpExtraColumn(d: Float64Array, e: Float64Array, Vt: Float64Array, nv: number, n: number): void {
  let f = e[n - 1]!;
  e[n - 1] = 0;
  for (let i = n - 1; i >= 0 && f !== 0; i--) {
    // Columns i and n: [d_i f] → [r 0]; row i−1 then gains s·e_{i−1} in column n.
    const [c, s, r] = givens(d[i]!, f);
    d[i] = r;
    rotateRows(Vt, nv, nv, i, n, c, s);
    if (i > 0) {
      f = s * e[i - 1]!;
      e[i - 1] = c * e[i - 1]!;
    }
  }
}
