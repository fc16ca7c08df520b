import { DenseTensor, randn, type DType } from "../../src/index.js";

/**
 * A random tensor with logical shape `shape` whose storage order is the permutation `order` of its
 * axes (so the view is strided), optionally every other element along the storage's last axis
 * (gaps) and at a non-zero offset.
 */
export function stridedRandom(shape: readonly number[], order: readonly number[], gaps: boolean, seed: number, dtype: DType): DenseTensor {
  const stored = order.map((a) => shape[a]!);
  if (gaps) stored[stored.length - 1] = stored[stored.length - 1]! * 2;
  const lead = 3;
  const base = randn([lead + stored.reduce((p, d) => p * d, 1)], { seed, dtype });
  let view = new DenseTensor(base.data, stored, undefined, lead);
  if (gaps) view = view.slice(stored.length - 1, 0, undefined, 2);
  const inverse = order.map((_, i) => order.indexOf(i));
  return view.permute(inverse);
}

/**
 * Index of the first element where two arrays differ (Object.is, as toEqual compares numbers), the
 * shorter length when only the lengths differ, or -1. toEqual takes seconds on 10⁵-element typed arrays.
 */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : n;
}

/** Largest |x - y| relative to a per-element scale. */
export function maxScaledError(x: ArrayLike<number>, y: ArrayLike<number>, scale: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / Math.max(scale[i]!, 1e-30));
  return worst;
}
