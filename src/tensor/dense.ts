/**
 * Dense tensors: a typed array with a shape, strides and an offset. Permutes, diagonals, slices
 * and broadcasts are views that share the data; {@link DenseTensor.contiguous} copies when needed.
 * @module
 */
import { InvalidArgumentError, InvalidShapeError } from "../errors.js";
import { allocate, dtypeOf, type DataOf, type DType } from "./dtype.js";
import {
  broadcastShapes,
  contiguousStrides,
  isCContiguous,
  normalizeAxis,
  normalizePermutation,
  shapeSize,
  validateShape,
} from "./shape.js";

/** Nested arrays of numbers, as produced by {@link DenseTensor.toArray}. A bare number is a rank-0 value. @category Tensor */
export type NestedArray = number | readonly NestedArray[];

/**
 * An n-dimensional array of `float32` or `float64` values.
 *
 * Element `(i0, i1, …)` lives at `data[offset + i0*strides[0] + i1*strides[1] + …]`. Strides are in
 * elements and may be zero (broadcast) but never negative.
 * @example
 * ```ts
 * import { tensor } from "multilinear";
 * const a = tensor([[1, 2, 3], [4, 5, 6]]);
 * a.transpose().shape; // => [3, 2]
 * a.transpose().get(2, 1); // => 6
 * ```
 * @category Tensor
 */
export class DenseTensor<D extends DType = DType> {
  /** Element type. */
  readonly dtype: D;
  /** Backing storage, possibly shared with other views. */
  readonly data: DataOf<D>;
  /** Size of each axis. */
  readonly shape: readonly number[];
  /** Step in `data` between neighbours along each axis, in elements. */
  readonly strides: readonly number[];
  /** Position of element (0, …, 0) in `data`. */
  readonly offset: number;

  /**
   * Wraps existing storage. Prefer the factories ({@link tensor}, {@link zeros}, {@link fromData}).
   * @throws {@link InvalidShapeError} when the view reaches outside `data`.
   */
  constructor(data: DataOf<D>, shape: readonly number[], strides?: readonly number[], offset = 0) {
    validateShape(shape);
    const st = strides ?? contiguousStrides(shape);
    if (st.length !== shape.length) {
      throw new InvalidShapeError(`strides [${st.join(", ")}] do not match shape [${shape.join(", ")}]`, "give one stride per axis");
    }
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new InvalidShapeError(`offset ${offset} is not a non-negative integer`, "pass the index of element (0, …, 0) in the data");
    }
    let last = offset;
    let empty = false;
    for (let i = 0; i < shape.length; i++) {
      if (!Number.isInteger(st[i]) || st[i]! < 0) {
        throw new InvalidShapeError(`stride ${st[i]} at axis ${i} is not a non-negative integer`, "use non-negative integer strides");
      }
      if (shape[i] === 0) empty = true;
      else last += (shape[i]! - 1) * st[i]!;
    }
    if (!empty && last >= data.length) {
      throw new InvalidShapeError(
        `a view of shape [${shape.join(", ")}] with strides [${st.join(", ")}] at offset ${offset} reaches element ${last}, but the data has ${data.length}`,
        "pass data with at least as many elements as the shape needs",
      );
    }
    this.dtype = dtypeOf(data) as D;
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze([...st]);
    this.offset = offset;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return shapeSize(this.shape);
  }

  /** True when the elements are laid out in C order with no gaps, starting at `offset`. */
  get isContiguous(): boolean {
    return isCContiguous(this.shape, this.strides);
  }

  /** Element at the given indices (negative indices count from the end). */
  get(...index: number[]): number {
    return this.data[this.flatIndex(index)]!;
  }

  /** Sets the element at the given indices. Writes through to every view of the same data. */
  set(value: number, ...index: number[]): void {
    this.data[this.flatIndex(index)] = value;
  }

  /**
   * The single value of a tensor with one element.
   * @throws {@link InvalidShapeError} when the tensor has more or fewer than one element.
   */
  item(): number {
    if (this.size !== 1) {
      throw new InvalidShapeError(
        `item() needs exactly one element, the tensor has shape [${this.shape.join(", ")}]`,
        "reduce the tensor first, or use get(...index)",
      );
    }
    return this.data[this.offset]!;
  }

  /** Reorders the axes (a view). `axes[k]` is the old axis that becomes axis k. */
  permute(axes: readonly number[]): DenseTensor<D> {
    const p = normalizePermutation(axes, this.ndim);
    return new DenseTensor(
      this.data,
      p.map((a) => this.shape[a]!),
      p.map((a) => this.strides[a]!),
      this.offset,
    );
  }

  /** Reverses the axes, or swaps two of them (a view). */
  transpose(axisA?: number, axisB?: number): DenseTensor<D> {
    const n = this.ndim;
    if (axisA === undefined) return this.permute([...Array(n).keys()].reverse());
    const a = normalizeAxis(axisA, n);
    const b = normalizeAxis(axisB ?? n - 1 - a, n);
    const p = [...Array(n).keys()];
    p[a] = b;
    p[b] = a;
    return this.permute(p);
  }

  /**
   * Same elements, new shape. A view when the strides allow it, otherwise a contiguous copy.
   * One entry may be -1 (inferred).
   * @throws {@link InvalidShapeError} when the sizes differ.
   */
  reshape(shape: readonly number[]): DenseTensor<D> {
    const target = inferShape(shape, this.size, this.shape);
    const strides = viewStrides(this.shape, this.strides, target);
    if (strides) return new DenseTensor(this.data, target, strides, this.offset);
    return this.contiguous().reshape(target);
  }

  /**
   * The diagonal of two axes of equal size (a view). As in numpy, the two axes are removed and the
   * diagonal becomes the last axis.
   */
  diagonal(axisA: number, axisB: number): DenseTensor<D> {
    const a = normalizeAxis(axisA, this.ndim);
    const b = normalizeAxis(axisB, this.ndim);
    if (a === b) throw new InvalidShapeError(`diagonal needs two different axes, got ${axisA} twice`, "pass two distinct axes");
    if (this.shape[a] !== this.shape[b]) {
      throw new InvalidShapeError(
        `diagonal of axes ${a} and ${b} needs equal sizes, got ${this.shape[a]} and ${this.shape[b]}`,
        "take a diagonal of axes with the same size",
      );
    }
    const keep = [...Array(this.ndim).keys()].filter((i) => i !== a && i !== b);
    return new DenseTensor(
      this.data,
      [...keep.map((i) => this.shape[i]!), this.shape[a]!],
      [...keep.map((i) => this.strides[i]!), this.strides[a]! + this.strides[b]!],
      this.offset,
    );
  }

  /** Elements `start, start+step, …` (before `stop`) along one axis (a view). `stop` may be negative. */
  slice(axis: number, start: number, stop?: number, step = 1): DenseTensor<D> {
    const ax = normalizeAxis(axis, this.ndim);
    const n = this.shape[ax]!;
    if (!Number.isInteger(step) || step < 1)
      throw new InvalidArgumentError(`slice step ${step} is not a positive integer`, "use a step of 1 or more");
    const lo = clampIndex(start, n);
    const hi = clampIndex(stop ?? n, n);
    const len = hi > lo ? Math.ceil((hi - lo) / step) : 0;
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape[ax] = len;
    strides[ax] = this.strides[ax]! * step;
    return new DenseTensor(this.data, shape, strides, len === 0 ? 0 : this.offset + lo * this.strides[ax]!);
  }

  /** The sub-tensor at `index` along `axis`, with that axis removed (a view). */
  select(axis: number, index: number): DenseTensor<D> {
    const ax = normalizeAxis(axis, this.ndim);
    const n = this.shape[ax]!;
    const i = index < 0 ? index + n : index;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new InvalidShapeError(`index ${index} is out of range for axis ${ax} of size ${n}`, `use an index in [${-n}, ${n - 1}]`);
    }
    return new DenseTensor(
      this.data,
      this.shape.filter((_, k) => k !== ax),
      this.strides.filter((_, k) => k !== ax),
      this.offset + i * this.strides[ax]!,
    );
  }

  /** A view with numpy broadcasting to `shape` (new leading axes and size-1 axes get stride 0). */
  broadcastTo(shape: readonly number[]): DenseTensor<D> {
    const full = broadcastShapes(this.shape, shape);
    if (full.length !== shape.length || full.some((d, i) => d !== shape[i])) {
      throw new InvalidShapeError(
        `cannot broadcast shape [${this.shape.join(", ")}] to [${shape.join(", ")}]`,
        "each axis must match the target or be 1",
      );
    }
    const lead = shape.length - this.ndim;
    const strides = shape.map((d, i) => {
      if (i < lead) return 0;
      const own = this.shape[i - lead]!;
      return own === 1 && d !== 1 ? 0 : this.strides[i - lead]!;
    });
    return new DenseTensor(this.data, shape, strides, this.offset);
  }

  /** Adds a size-1 axis at `axis`. */
  expandDims(axis: number): DenseTensor<D> {
    const ax = normalizeAxis(axis, this.ndim + 1);
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape.splice(ax, 0, 1);
    strides.splice(ax, 0, 0);
    return new DenseTensor(this.data, shape, strides, this.offset);
  }

  /** This tensor if it is contiguous, else a contiguous copy. */
  contiguous(): DenseTensor<D> {
    return this.isContiguous ? this : this.clone();
  }

  /** A contiguous copy that shares nothing with this tensor. */
  clone(): DenseTensor<D> {
    const out = allocate(this.dtype, this.size);
    copyStrided(this, out);
    return new DenseTensor(out, this.shape);
  }

  /** A contiguous copy converted to `dtype` (this tensor itself when the dtype matches and it is contiguous). */
  astype<E extends DType>(dtype: E): DenseTensor<E> {
    if ((dtype as DType) === this.dtype) return this.contiguous() as unknown as DenseTensor<E>;
    const out = allocate(dtype, this.size);
    copyStrided(this, out);
    return new DenseTensor(out, this.shape);
  }

  /** The elements in C order as a fresh typed array. */
  toTypedArray(): DataOf<D> {
    const out = allocate(this.dtype, this.size);
    copyStrided(this, out);
    return out;
  }

  /** Nested arrays of numbers (a bare number for a rank-0 tensor). */
  toArray(): NestedArray {
    const flat = this.toTypedArray();
    if (this.ndim === 0) return flat[0]!;
    let pos = 0;
    const build = (axis: number): NestedArray[] => {
      const n = this.shape[axis]!;
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = axis === this.ndim - 1 ? flat[pos++]! : build(axis + 1);
      return out;
    };
    return build(0);
  }

  /** A short description such as `DenseTensor<float64>[2, 3]`. */
  toString(): string {
    return `DenseTensor<${this.dtype}>[${this.shape.join(", ")}]`;
  }

  private flatIndex(index: readonly number[]): number {
    if (index.length !== this.ndim) {
      throw new InvalidShapeError(`got ${index.length} indices for a tensor with ${this.ndim} axes`, "pass one index per axis");
    }
    let p = this.offset;
    for (let k = 0; k < index.length; k++) {
      const n = this.shape[k]!;
      const raw = index[k]!;
      const i = raw < 0 ? raw + n : raw;
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new InvalidShapeError(`index ${raw} is out of range for axis ${k} of size ${n}`, `use an index in [${-n}, ${n - 1}]`);
      }
      p += i * this.strides[k]!;
    }
    return p;
  }
}

function clampIndex(i: number, n: number): number {
  if (!Number.isInteger(i)) throw new InvalidArgumentError(`slice bound ${i} is not an integer`, "use integer slice bounds");
  const j = i < 0 ? i + n : i;
  return Math.min(Math.max(j, 0), n);
}

function inferShape(shape: readonly number[], size: number, from: readonly number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new InvalidShapeError(`reshape target [${shape.join(", ")}] has more than one -1`, "infer at most one axis");
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const mismatch = (): InvalidShapeError =>
    new InvalidShapeError(
      `cannot reshape [${from.join(", ")}] (${size} elements) to [${shape.join(", ")}]`,
      "keep the number of elements the same",
    );
  if (free === 1 && known !== 0 && size % known !== 0) throw mismatch();
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  validateShape(out, "reshape target");
  if (shapeSize(out) !== size) throw mismatch();
  return out;
}

/** Strides for viewing (shape, strides) as `target` without copying, or undefined when impossible. */
export function viewStrides(shape: readonly number[], strides: readonly number[], target: readonly number[]): number[] | undefined {
  const src: { n: number; s: number }[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) src.push({ n: shape[i]!, s: strides[i]! });
  if (shapeSize(shape) === 0) return contiguousStrides(target);
  const out = new Array<number>(target.length).fill(0);
  let si = 0;
  let ti = 0;
  while (ti < target.length) {
    if (target[ti] === 1) {
      out[ti] = 0;
      ti++;
      continue;
    }
    // Group source axes and target axes until their products agree; the group must be mergeable.
    let sp = src[si]?.n ?? 1;
    let tp = target[ti]!;
    const s0 = si;
    const t0 = ti;
    si++;
    ti++;
    while (sp !== tp) {
      if (sp < tp) {
        if (si >= src.length) return undefined;
        sp *= src[si++]!.n;
      } else {
        while (ti < target.length && target[ti] === 1) ti++;
        if (ti >= target.length) return undefined;
        tp *= target[ti++]!;
      }
    }
    for (let k = s0; k < si - 1; k++) if (src[k]!.s !== src[k + 1]!.s * src[k + 1]!.n) return undefined;
    let s = src[si - 1]!.s;
    for (let k = ti - 1; k >= t0; k--) {
      out[k] = target[k] === 1 ? 0 : s;
      s *= target[k]!;
    }
  }
  return out;
}

/** Copies a strided tensor into a contiguous array (converting dtype if the arrays differ). */
export function copyStrided(src: DenseTensor, out: Float32Array | Float64Array): void {
  const n = src.size;
  if (n === 0) return;
  const data = src.data;
  if (src.isContiguous) {
    if (src.offset === 0 && data.length === n) out.set(data);
    else out.set(data.subarray(src.offset, src.offset + n));
    return;
  }
  const nd = src.ndim;
  const shape = src.shape;
  const strides = src.strides;
  const inner = shape[nd - 1]!;
  const innerStride = strides[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let base = src.offset;
  let o = 0;
  while (o < n) {
    let p = base;
    for (let i = 0; i < inner; i++) {
      out[o++] = data[p]!;
      p += innerStride;
    }
    let ax = nd - 2;
    while (ax >= 0) {
      idx[ax]!++;
      base += strides[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      base -= idx[ax]! * strides[ax]!;
      idx[ax] = 0;
      ax--;
    }
    if (ax < 0) break;
  }
}
