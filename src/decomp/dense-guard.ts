/**
 * The guard that keeps `toDense()` of factorized tensors from allocating something huge.
 * @module
 */
import { MemoryLimitError } from "../errors.js";
import { shapeSizeBig } from "../tensor/shape.js";

/** Largest dense tensor `toDense()` forms by default (2^28 elements, 2 GiB in float64). @category Decompositions */
export const DENSE_LIMIT = 2n ** 28n;

/** @throws {@link MemoryLimitError} when a tensor of `shape` exceeds {@link DENSE_LIMIT}. */
export function checkDenseSize(shape: readonly number[], what: string): void {
  const n = shapeSizeBig(shape);
  if (n > DENSE_LIMIT) throw new MemoryLimitError(n, DENSE_LIMIT, `the dense ${what} of shape [${shape.join(", ")}]`);
}
