/**
 * What the kernels take and give: a strided view of a float typed array, described structurally so
 * that this folder depends on nothing outside it (a `DenseTensor` is such a view as it stands).
 * @module
 */

/** Element type the kernels run on. */
export type KernelDType = "float32" | "float64";

/** The typed array that holds elements of a given kernel dtype. */
export type KernelArray<D extends KernelDType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : Float32Array | Float64Array;

/**
 * Element `(i0, i1, …)` of the view is `data[offset + i0*strides[0] + i1*strides[1] + …]`; strides
 * are in elements, never negative (0 broadcasts).
 */
export interface StridedView<D extends KernelDType = KernelDType> {
  readonly dtype: D;
  readonly data: KernelArray<D>;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** A zero-filled array of `n` elements of `dtype`. */
export function allocateArray<D extends KernelDType>(dtype: D, n: number): KernelArray<D> {
  return (dtype === "float32" ? new Float32Array(n) : new Float64Array(n)) as KernelArray<D>;
}

/** Bytes per element of `dtype`. */
export function bytesPerElement(dtype: KernelDType): number {
  return dtype === "float32" ? 4 : 8;
}
