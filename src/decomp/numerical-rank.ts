/**
 * Numerical rank of matrices and unfoldings, by SVD.
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { DenseTensor } from "../tensor/dense.js";
import { dims, type LinalgOptions } from "../linalg/matrix.js";
import { unfold } from "../linalg/products.js";
import { singularValues } from "../linalg/svd.js";

/** Tolerance of {@link matrixRank}: an absolute `tol`, or `rtol · σ_max`; and the backend of the SVD. @category Decompositions */
export interface RankTolerance extends LinalgOptions {
  /** Singular values ≤ tol count as zero. */
  readonly tol?: number;
  /** Singular values ≤ rtol · σ_max count as zero. */
  readonly rtol?: number;
}

/**
 * The number of singular values above the tolerance. Default tolerance, as numpy's `matrix_rank`:
 * `σ_max · max(m, n) · ε` (ε = 2⁻⁵²).
 * @example
 * ```ts
 * import { matrixRank, tensor } from "multilinear";
 * matrixRank(tensor([[1, 2], [2, 4]])); // => 1
 * ```
 * @category Decompositions
 */
export function matrixRank(a: DenseTensor, tolerance: RankTolerance = {}): number {
  const [m, n] = dims(a);
  if (tolerance.tol !== undefined && !(tolerance.tol >= 0))
    throw new InvalidArgumentError(`tol must be ≥ 0, got ${tolerance.tol}`, "pass a non-negative tolerance");
  if (tolerance.rtol !== undefined && !(tolerance.rtol >= 0))
    throw new InvalidArgumentError(`rtol must be ≥ 0, got ${tolerance.rtol}`, "pass a non-negative relative tolerance");
  const s = singularValues(a, tolerance.backend ? { backend: tolerance.backend } : {});
  const top = s[0] ?? 0;
  const cut = tolerance.tol ?? (tolerance.rtol !== undefined ? tolerance.rtol * top : top * Math.max(m, n) * 2 ** -52);
  return s.filter((v) => v > cut).length;
}

/** Numerical rank of the mode-`mode` unfolding of a tensor (TensorLy's unfolding convention). @category Decompositions */
export function unfoldingRank(x: DenseTensor, mode: number, tolerance: RankTolerance = {}): number {
  return matrixRank(unfold(x.astype("float64"), mode), tolerance);
}
