/**
 * The stretch of a typed array that a strided view touches.
 * @module
 */
import type { StridedView } from "./view.js";

/** Elements `[start, start + length)` of `x.data` hold every element of the view `x`. */
export interface Span {
  readonly start: number;
  readonly length: number;
}

/** The span of a non-empty view: from its offset to its last element (strides are never negative). */
export function viewSpan(x: StridedView): Span {
  let last = x.offset;
  for (let i = 0; i < x.shape.length; i++) last += (x.shape[i]! - 1) * x.strides[i]!;
  return { start: x.offset, length: last - x.offset + 1 };
}
