/**
 * A model of n-dimensional arrays as index functions, independent of src/tensor: every view is a
 * new function from an index to the element of the base array it reads. Used to check DenseTensor's
 * strided views element by element.
 */

/** An array as a shape and an index → value function. */
export interface Model {
  readonly shape: readonly number[];
  readonly at: (idx: readonly number[]) => number;
}

/** A C-order array of `shape` over `values`. */
export function fromFlat(values: readonly number[], shape: readonly number[]): Model {
  return { shape, at: (idx) => values[ravel(idx, shape)]! };
}

/** C-order position of `idx` in `shape`. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let p = 0;
  for (let k = 0; k < shape.length; k++) p = p * shape[k]! + idx[k]!;
  return p;
}

/** Index of C-order position `p` in `shape`. */
export function unravel(p: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = shape.length - 1; k >= 0; k--) {
    const n = shape[k]!;
    idx[k] = p % n;
    p = Math.floor(p / n);
  }
  return idx;
}

/** All elements in C order. */
export function toFlat(m: Model): number[] {
  const n = m.shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let p = 0; p < n; p++) out.push(m.at(unravel(p, m.shape)));
  return out;
}

/** Nested arrays (a number for rank 0), the way numpy's tolist() builds them. */
export function toNested(m: Model): unknown {
  const build = (prefix: number[]): unknown => {
    if (prefix.length === m.shape.length) return m.at(prefix);
    return Array.from({ length: m.shape[prefix.length]! }, (_, i) => build([...prefix, i]));
  };
  return build([]);
}

/** `axes[k]` of the input becomes axis k. */
export function permute(m: Model, axes: readonly number[]): Model {
  return {
    shape: axes.map((a) => m.shape[a]!),
    at: (idx) => {
      const src = new Array<number>(axes.length);
      axes.forEach((a, k) => (src[a] = idx[k]!));
      return m.at(src);
    },
  };
}

/** Python's `range(start, stop, step)` over an axis of size n, bounds clamped like a slice. */
export function sliceRange(n: number, start: number, stop: number | undefined, step: number): number[] {
  const clamp = (i: number): number => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const out: number[] = [];
  for (let i = clamp(start); i < clamp(stop ?? n); i += step) out.push(i);
  return out;
}

/** Elements `start:stop:step` along `axis`. */
export function slice(m: Model, axis: number, start: number, stop: number | undefined, step: number): Model {
  const picks = sliceRange(m.shape[axis]!, start, stop, step);
  const shape = [...m.shape];
  shape[axis] = picks.length;
  return { shape, at: (idx) => m.at(idx.map((v, k) => (k === axis ? picks[v]! : v))) };
}

/** The sub-array at `index` along `axis`, axis removed. */
export function select(m: Model, axis: number, index: number): Model {
  return { shape: m.shape.filter((_, k) => k !== axis), at: (idx) => m.at([...idx.slice(0, axis), index, ...idx.slice(axis)]) };
}

/** numpy's diagonal(axis1=a, axis2=b): both axes removed, the diagonal appended last. */
export function diagonal(m: Model, a: number, b: number): Model {
  const keep = m.shape.map((_, k) => k).filter((k) => k !== a && k !== b);
  return {
    shape: [...keep.map((k) => m.shape[k]!), m.shape[a]!],
    at: (idx) => {
      const src = new Array<number>(m.shape.length);
      keep.forEach((k, i) => (src[k] = idx[i]!));
      src[a] = idx[idx.length - 1]!;
      src[b] = idx[idx.length - 1]!;
      return m.at(src);
    },
  };
}

/** numpy broadcasting to `shape` (assumed compatible). */
export function broadcastTo(m: Model, shape: readonly number[]): Model {
  const lead = shape.length - m.shape.length;
  return { shape, at: (idx) => m.at(m.shape.map((d, k) => (d === 1 ? 0 : idx[k + lead]!))) };
}

/** A new size-1 axis at `axis`. */
export function expandDims(m: Model, axis: number): Model {
  const shape = [...m.shape];
  shape.splice(axis, 0, 1);
  return { shape, at: (idx) => m.at(idx.filter((_, k) => k !== axis)) };
}

/** The same elements in C order with a new shape. */
export function reshape(m: Model, shape: readonly number[]): Model {
  const flat = toFlat(m);
  return fromFlat(flat, shape);
}

/**
 * Whether a strided array (shape, strides, offset) can be viewed as `target` without copying: the
 * address of every element, in C order, must be an affine function of the target index.
 */
export function canViewAs(shape: readonly number[], strides: readonly number[], offset: number, target: readonly number[]): boolean {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n <= 1) return true;
  const addr = (p: number): number => unravel(p, shape).reduce((s, v, k) => s + v * strides[k]!, offset);
  const base = addr(0);
  const tStrides = target.map((d, k) => (d === 1 ? 0 : addr(target.slice(k + 1).reduce((a, b) => a * b, 1)) - base));
  for (let p = 0; p < n; p++) {
    const idx = unravel(p, target);
    if (addr(p) !== base + idx.reduce((s, v, k) => s + v * tStrides[k]!, 0)) return false;
  }
  return true;
}
