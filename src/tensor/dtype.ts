/**
 * Element types. Tensors hold `float32` or `float64` values in a matching typed array.
 * @module
 */
import { InvalidArgumentError, InvalidShapeError } from "../errors.js";
import { MAX_ELEMENTS } from "./shape.js";

/** Element type of a tensor. @category Tensor */
export type DType = "float32" | "float64";

/** The typed array that stores elements of a given dtype. @category Tensor */
export type DataOf<D extends DType> = D extends "float32" ? Float32Array : D extends "float64" ? Float64Array : Float32Array | Float64Array;

/** Either float typed array. @category Tensor */
export type FloatArray = Float32Array | Float64Array;

/**
 * Allocates a zero-filled array of `n` elements of `dtype`.
 * @throws {@link InvalidShapeError} when `n` is not a count one tensor can hold (checked before allocating).
 */
export function allocate<D extends DType>(dtype: D, n: number): DataOf<D> {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ELEMENTS) {
    throw new InvalidShapeError(
      `cannot allocate ${n} elements: a tensor holds at most ${MAX_ELEMENTS}`,
      "use smaller sizes (or ranks), or keep the tensor in factorized form",
    );
  }
  return (dtype === "float32" ? new Float32Array(n) : new Float64Array(n)) as DataOf<D>;
}

/** Bytes per element. @category Tensor */
export function itemSize(dtype: DType): number {
  return dtype === "float32" ? 4 : 8;
}

/** The dtype of a typed array. */
export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float32Array ? "float32" : "float64";
}

/** Validates a user-supplied dtype name. @category Tensor */
export function parseDType(name: string): DType {
  if (name === "float32" || name === "float64") return name;
  if (name === "f32") return "float32";
  if (name === "f64") return "float64";
  throw new InvalidArgumentError(`unknown dtype '${name}'`, "use 'float32' or 'float64'");
}
