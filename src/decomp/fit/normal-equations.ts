/**
 * The small dense algebra of a CP-ALS update on `n × R` row-major factor arrays: Gram matrices, their
 * Hadamard product, and the solve of the normal equations `U V = M` (V symmetric, R × R).
 * @module
 */
import { DenseTensor } from "../../tensor/dense.js";
import { cholesky, solveSymmetric } from "../../linalg/solve.js";

/** `UᵀU` (R × R) of an `n × R` row-major factor, exactly symmetric. */
export function gramOf(u: Float64Array, rank: number): Float64Array {
  const n = u.length / rank;
  const g = new Float64Array(rank * rank);
  for (let r = 0; r < rank; r++) {
    for (let s = r; s < rank; s++) {
      let v = 0;
      for (let i = 0; i < n; i++) v += u[i * rank + r]! * u[i * rank + s]!;
      g[r * rank + s] = v;
      g[s * rank + r] = v;
    }
  }
  return g;
}

/** `∗_{k ≠ skip} G_k`, the Hadamard product of the Gram matrices (all of them when skip < 0). */
export function hadamardOf(grams: readonly Float64Array[], skip: number, rank: number): Float64Array {
  const out = new Float64Array(rank * rank).fill(1);
  grams.forEach((g, k) => {
    if (k === skip) return;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * g[i]!;
  });
  return out;
}

/**
 * Solves `U V = M` for U (`n × R`), i.e. `V Uᵀ = Mᵀ` as V is symmetric: Cholesky when V is positive
 * definite — row by row, in the order `choleskySolve` takes a column — else the pseudo-inverse
 * through {@link solveSymmetric} (which also refuses a non-finite V).
 */
export function solveNormal(V: Float64Array, M: Float64Array, rank: number): Float64Array {
  const R = rank;
  const n = M.length / R;
  const v = new DenseTensor(V, [R, R]);
  const l = V.every(Number.isFinite) ? cholesky(v) : undefined;
  if (!l)
    return solveSymmetric(v, new DenseTensor(M, [n, R]).transpose())
      .transpose()
      .toTypedArray() as Float64Array;
  const L = l.toTypedArray() as Float64Array;
  const X = M.slice();
  for (let row = 0; row < n; row++) {
    const o = row * R;
    for (let i = 0; i < R; i++) {
      let s = X[o + i]!;
      for (let j = 0; j < i; j++) s -= L[i * R + j]! * X[o + j]!;
      X[o + i] = s / L[i * R + i]!;
    }
    for (let i = R - 1; i >= 0; i--) {
      let s = X[o + i]!;
      for (let j = i + 1; j < R; j++) s -= L[j * R + i]! * X[o + j]!;
      X[o + i] = s / L[i * R + i]!;
    }
  }
  return X;
}

/** Lee–Seung multiplicative update: `U ← U ⊙ max(M, 0) / (U V)`, which keeps U non-negative. */
export function multiplicative(U: Float64Array, M: Float64Array, V: Float64Array, rank: number): Float64Array {
  const R = rank;
  const n = U.length / R;
  const out = new Float64Array(U.length);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < R; s++) {
      let uv = 0;
      for (let r = 0; r < R; r++) uv += U[i * R + r]! * V[r * R + s]!;
      out[i * R + s] = (U[i * R + s]! * Math.max(M[i * R + s]!, 0)) / (uv + 1e-12);
    }
  }
  return out;
}

/** `U · diag(w)`. */
export function scaleColumns(u: Float64Array, w: Float64Array): Float64Array {
  const R = w.length;
  const out = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = u[i]! * w[i % R]!;
  return out;
}
