/**
 * Closeness checks in numpy's convention.
 * @module
 */
import type { DenseTensor } from "./dense.js";
import { sameShape } from "./shape.js";

/**
 * Tolerances of {@link allClose}: `|a - b| <= atol + rtol * |b|`, as numpy's `allclose` (an infinity
 * is close only to the same infinity; NaN only to NaN, and only with `equalNan`).
 * @category Tensor
 */
export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  readonly atol?: number;
  /** Treat NaN in the same place of both as equal (default false). */
  readonly equalNan?: boolean;
}

/** Summary of how far two tensors are apart. @category Tensor */
export interface Difference {
  /** Shapes equal. */
  readonly sameShape: boolean;
  /** Largest |a - b|. */
  readonly maxAbs: number;
  /** Largest |a - b| / |b| over elements with b ≠ 0. */
  readonly maxRel: number;
  /** Number of elements that fail the tolerance. */
  readonly mismatches: number;
  /** Index (C order) of the first failing element, or -1. */
  readonly firstMismatch: number;
}

/**
 * Compares two tensors elementwise; shapes must be equal (no broadcasting).
 * @example
 * ```ts
 * import { tensor, allClose } from "multilinear";
 * allClose(tensor([1, 2]), tensor([1, 2 + 1e-9])); // => true
 * allClose(tensor([1, 2]), tensor([1, 2.1])); // => false
 * ```
 * @category Tensor
 */
export function allClose(a: DenseTensor, b: DenseTensor, options: CloseOptions = {}): boolean {
  return difference(a, b, options).mismatches === 0;
}

/** Like {@link allClose} but reports the largest absolute and relative differences too. @category Tensor */
export function difference(a: DenseTensor, b: DenseTensor, options: CloseOptions = {}): Difference {
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-8;
  if (!sameShape(a.shape, b.shape))
    return { sameShape: false, maxAbs: Infinity, maxRel: Infinity, mismatches: Math.max(a.size, b.size, 1), firstMismatch: 0 };
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let first = -1;
  for (let i = 0; i < x.length; i++) {
    const u = x[i]!;
    const v = y[i]!;
    let bad: boolean;
    if (Number.isNaN(u) || Number.isNaN(v)) {
      bad = !(options.equalNan && Number.isNaN(u) && Number.isNaN(v));
      if (bad) maxAbs = NaN;
    } else if (u === v) {
      bad = false;
    } else if (!Number.isFinite(u) || !Number.isFinite(v)) {
      // As numpy: an infinity is close only to itself (the formula would accept 1 vs Infinity).
      bad = true;
      maxAbs = Number.isNaN(maxAbs) ? maxAbs : Infinity;
      maxRel = Infinity;
    } else {
      const d = Math.abs(u - v);
      if (!(d <= maxAbs)) maxAbs = Number.isNaN(maxAbs) ? maxAbs : d;
      if (v !== 0) maxRel = Math.max(maxRel, d / Math.abs(v));
      bad = !(d <= atol + rtol * Math.abs(v));
    }
    if (bad) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  return { sameShape: true, maxAbs, maxRel, mismatches, firstMismatch: first };
}
