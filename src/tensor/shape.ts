/**
 * Shape arithmetic shared by tensors, the planner and the I/O readers.
 * @module
 */
import { InvalidShapeError } from "../errors.js";

/** Largest element count a single tensor may have (typed arrays cap at 2^32 - 1 elements in V8 in practice). @category Tensor */
export const MAX_ELEMENTS = 2 ** 32 - 1;

/** Product of a shape as a number (exact below 2^53). @category Tensor */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Product of a shape as an exact bigint. */
export function shapeSizeBig(shape: readonly number[]): bigint {
  let n = 1n;
  for (const d of shape) n *= BigInt(d);
  return n;
}

/** C-order (row-major) strides, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True when strides lay the elements out in C order with no gaps (size-1 axes may have any stride). */
export function isCContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}

/** Throws unless every entry is a non-negative safe integer and the product fits in one tensor. */
export function validateShape(shape: readonly number[], what = "shape"): void {
  if (!Array.isArray(shape)) {
    throw new InvalidShapeError(`${what} must be an array of sizes, got ${shape === null ? "null" : typeof shape}`, "pass e.g. [2, 3]");
  }
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new InvalidShapeError(
        `${what} [${shape.join(", ")}] has an invalid size ${d} at axis ${i}`,
        "sizes must be non-negative integers",
      );
    }
  }
  let n = 1;
  for (const d of shape) n *= d;
  if (n > MAX_ELEMENTS) {
    throw new InvalidShapeError(
      `${what} [${shape.join(", ")}] has ${shapeSizeBig(shape)} elements, more than one tensor can hold (${MAX_ELEMENTS})`,
      "use a smaller shape, or keep the tensor in factorized form",
    );
  }
}

/** Normalises a possibly negative axis and checks it is in range. */
export function normalizeAxis(axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim) {
    throw new InvalidShapeError(`axis ${axis} is out of range for a tensor with ${ndim} axes`, `use an axis in [${-ndim}, ${ndim - 1}]`);
  }
  return a;
}

/** Checks that `axes` is a permutation of 0..ndim-1 (negative axes allowed) and returns it normalised. */
export function normalizePermutation(axes: readonly number[], ndim: number): number[] {
  if (axes.length !== ndim) {
    throw new InvalidShapeError(
      `permutation [${axes.join(", ")}] has ${axes.length} entries for a tensor with ${ndim} axes`,
      "give one entry per axis",
    );
  }
  const seen = new Array<boolean>(ndim).fill(false);
  return axes.map((a) => {
    const n = normalizeAxis(a, ndim);
    if (seen[n]) throw new InvalidShapeError(`permutation [${axes.join(", ")}] repeats axis ${n}`, "list every axis exactly once");
    seen[n] = true;
    return n;
  });
}

/** numpy broadcasting of two shapes; throws when they are incompatible. @category Tensor */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new InvalidShapeError(
        `shapes [${a.join(", ")}] and [${b.join(", ")}] cannot be broadcast together (axis ${i}: ${da} vs ${db})`,
        "sizes must match or be 1",
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
