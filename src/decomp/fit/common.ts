/**
 * Shared pieces of the decomposition algorithms: input checks and progress reporting.
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import { DenseTensor } from "../../tensor/dense.js";
import { describeValue } from "../../option-keys.js";
import { checkFinite } from "../../linalg/matrix.js";

/** Called after every iteration (e.g. to draw a progress bar). @category Decompositions */
export type ProgressCallback = (iteration: number, relativeError: number) => void;

/** Common result fields of iterative fits. @category Decompositions */
export interface FitReport {
  /** Relative reconstruction error after each iteration, `‖X − X̂‖ / ‖X‖`. */
  readonly errors: readonly number[];
  /** Iterations run. */
  readonly iterations: number;
  /** True when the tolerance was met before the iteration limit. */
  readonly converged: boolean;
}

/** Validates the data tensor of a decomposition (finite, at least one axis, no empty modes). */
export function checkData(x: DenseTensor, minNdim = 2): void {
  checkShapeOf(x, minNdim);
  checkFinite(x, "the tensor");
}

/** The shape checks of {@link checkData} alone, for callers that prove the entries finite on their own. */
export function checkShapeOf(x: DenseTensor, minNdim = 2): void {
  if (!(x instanceof DenseTensor))
    throw new InvalidArgumentError(
      `the data to decompose must be a DenseTensor, got ${describeValue(x)}`,
      "wrap the data first, e.g. tensor(nestedArrays) or fromData(typedArray, shape)",
    );
  if (x.ndim < minNdim)
    throw new InvalidArgumentError(
      `the tensor has ${x.ndim} axes; a decomposition needs at least ${minNdim}`,
      "reshape the data to a tensor with several modes",
    );
  if (x.shape.some((d) => d === 0))
    throw new InvalidArgumentError(
      `the tensor has an empty mode (shape [${x.shape.join(", ")}])`,
      "decompose a tensor with at least one entry per mode",
    );
}

/** Checks a positive integer option. */
export function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`, `pass ${name} ≥ 1`);
  return value;
}
