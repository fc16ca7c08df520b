/**
 * Gate activations over the last axis: softmax, α-entmax (exact sort-based entmax-1.5 and bisection
 * for any α), sparsemax; and the row normalisations the gates use. Computed in float64; the result
 * keeps the input's dtype. The sort-based algorithms follow entmax v1.3's operation order (docs/guides/mumoe-reference.md#activations).
 * A row containing NaN gives NaN in every entry of that row.
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { DenseTensor } from "./dense.js";
import { allocate, type DType } from "./dtype.js";

/** A function of one row: reads `x` (the row in float64), writes `out`. */
export type RowFn = (x: Float64Array, out: Float64Array) => void;

/**
 * Applies `fn` to every row (last axis) in float64; the result keeps the input's dtype and shape.
 * @internal
 */
export function mapRows<D extends DType>(t: DenseTensor<D>, fn: RowFn): DenseTensor<D> {
  if (t.ndim === 0) throw new InvalidArgumentError("an activation needs at least one axis", "pass a vector or a batch of vectors");
  const d = t.shape[t.ndim - 1]!;
  const src = t.toTypedArray();
  const out = allocate(t.dtype, src.length);
  const row = new Float64Array(d);
  const res = new Float64Array(d);
  for (let o = 0; o < src.length; o += d) {
    let nan = false;
    for (let j = 0; j < d; j++) {
      row[j] = src[o + j]!;
      if (Number.isNaN(row[j]!)) nan = true;
    }
    // NaN propagates: a row with a NaN gives NaN everywhere (sorting would otherwise hide it).
    if (nan) res.fill(NaN);
    else fn(row, res);
    for (let j = 0; j < d; j++) out[o + j] = res[j]!;
  }
  return new DenseTensor(out, t.shape);
}

/**
 * Softmax over the last axis.
 * @example
 * ```ts
 * import { softmax, tensor } from "multilinear";
 * softmax(tensor([0, 0])).toArray(); // => [0.5, 0.5]
 * ```
 * @category μMoE
 */
export function softmax<D extends DType>(x: DenseTensor<D>): DenseTensor<D> {
  return mapRows(x, softmaxRow);
}

function softmaxRow(x: Float64Array, out: Float64Array): void {
  let m = -Infinity;
  for (const v of x) if (v > m) m = v;
  let s = 0;
  for (let j = 0; j < x.length; j++) {
    const e = Math.exp(x[j]! - m);
    out[j] = e;
    s += e;
  }
  for (let j = 0; j < x.length; j++) out[j] = out[j]! / s;
}

/**
 * Exact entmax-1.5 over the last axis (sort-based threshold, as entmax v1.3's `entmax15`):
 * `p = [x/2 − τ]₊²` with τ such that `Σp = 1`. Sparse: entries at or below the threshold are exactly 0.
 * @example
 * ```ts
 * import { entmax15, tensor } from "multilinear";
 * entmax15(tensor([3, 0])).toArray(); // => [1, 0]
 * entmax15(tensor([0, 0, 0, 0])).toArray(); // => [0.25, 0.25, 0.25, 0.25]
 * ```
 * @category μMoE
 */
export function entmax15<D extends DType>(x: DenseTensor<D>): DenseTensor<D> {
  return mapRows(x, entmax15Row);
}

/**
 * The row shifted by its maximum and divided by `scale`, `u = (x − max x) / scale`, and `u` sorted in
 * descending order: where the sort-based thresholds of entmax-1.5 and sparsemax start.
 */
function shiftedSorted(x: Float64Array, scale: number): { u: Float64Array; z: Float64Array } {
  let m = -Infinity;
  for (const v of x) if (v > m) m = v;
  const u = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) u[j] = (x[j]! - m) / scale;
  return { u, z: Float64Array.from(u).sort().reverse() };
}

function entmax15Row(x: Float64Array, out: Float64Array): void {
  const d = x.length;
  const { u, z } = shiftedSorted(x, 2);
  // Cumulative mean and mean of squares; τ_k is the smaller root of Σ_{j≤k}(z_j − τ)² = 1.
  let cs = 0;
  let cs2 = 0;
  let support = 0;
  const tau = new Float64Array(d);
  for (let k = 1; k <= d; k++) {
    const zk = z[k - 1]!;
    cs += zk;
    cs2 += zk * zk;
    const mean = cs / k;
    const meanSq = cs2 / k;
    const ss = k * (meanSq - mean * mean);
    const delta = (1 - ss) / k;
    const t = mean - Math.sqrt(Math.max(delta, 0));
    tau[k - 1] = t;
    if (t <= zk) support++;
  }
  const tauStar = tau[support - 1]!;
  for (let j = 0; j < d; j++) {
    const v = u[j]! - tauStar;
    out[j] = v > 0 ? v * v : 0;
  }
}

/**
 * Sparsemax over the last axis (Euclidean projection onto the simplex, α = 2 entmax).
 * @example
 * ```ts
 * import { sparsemax, tensor } from "multilinear";
 * sparsemax(tensor([0.5, 0])).toArray(); // => [0.75, 0.25]
 * ```
 * @category μMoE
 */
export function sparsemax<D extends DType>(x: DenseTensor<D>): DenseTensor<D> {
  return mapRows(x, sparsemaxRow);
}

function sparsemaxRow(x: Float64Array, out: Float64Array): void {
  const d = x.length;
  const { u, z } = shiftedSorted(x, 1);
  let c = 0;
  let support = 0;
  let cStar = 0;
  for (let k = 1; k <= d; k++) {
    c += z[k - 1]!;
    if (k * z[k - 1]! > c - 1) {
      support = k;
      cStar = c - 1;
    }
  }
  const tau = cStar / support;
  for (let j = 0; j < d; j++) out[j] = Math.max(u[j]! - tau, 0);
}

/** Options of {@link entmaxBisect}. @category μMoE */
export interface EntmaxBisectOptions {
  /** α > 1 (1.5 is entmax-1.5, 2 is sparsemax; α → 1 approaches softmax). */
  readonly alpha: number;
  /** Bisection steps (default 50, as entmax v1.3). */
  readonly iterations?: number;
  /** Renormalise the result to sum to 1 (default true, as entmax v1.3's `ensure_sum_one`). */
  readonly ensureSumOne?: boolean;
}

/**
 * α-entmax over the last axis by bisection on the threshold (entmax v1.3's `entmax_bisect`).
 * @throws {@link InvalidArgumentError} when α ≤ 1.
 * @example
 * ```ts
 * import { entmaxBisect, entmax15, tensor, allClose } from "multilinear";
 * const x = tensor([1.2, 0.3, -0.5, 0.9]);
 * allClose(entmaxBisect(x, { alpha: 1.5 }), entmax15(x), { atol: 1e-9 }); // => true
 * ```
 * @category μMoE
 */
export function entmaxBisect<D extends DType>(x: DenseTensor<D>, options: EntmaxBisectOptions): DenseTensor<D> {
  const alpha = options.alpha;
  if (!(alpha > 1) || !Number.isFinite(alpha)) {
    throw new InvalidArgumentError(`entmax needs α > 1, got ${alpha}`, "use softmax for α = 1, or an α such as 1.5 or 2");
  }
  const iters = options.iterations ?? 50;
  const sumOne = options.ensureSumOne ?? true;
  const inv = 1 / (alpha - 1);
  return mapRows(x, (row, out) => {
    const d = row.length;
    const X = new Float64Array(d);
    let m = -Infinity;
    for (let j = 0; j < d; j++) {
      X[j] = (alpha - 1) * row[j]!;
      if (X[j]! > m) m = X[j]!;
    }
    let lo = m - 1;
    const hi = m - (1 / d) ** (alpha - 1);
    let delta = hi - lo;
    const p = (tau: number): number => {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = X[j]! - tau;
        out[j] = v > 0 ? v ** inv : 0;
        s += out[j]!;
      }
      return s;
    };
    for (let it = 0; it < iters; it++) {
      delta /= 2;
      const mid = lo + delta;
      if (p(mid) - 1 >= 0) lo = mid;
    }
    if (sumOne) {
      let s = 0;
      for (let j = 0; j < d; j++) s += out[j]!;
      for (let j = 0; j < d; j++) out[j] = out[j]! / s;
    }
  });
}

/** Normalises each row to mean 0 and (biased) variance 1: `(x − mean)/√(var + eps)` (PyTorch LayerNorm without affine). @category μMoE */
export function layerNormRows<D extends DType>(x: DenseTensor<D>, eps = 1e-5): DenseTensor<D> {
  return mapRows(x, (row, out) => {
    const d = row.length;
    let mean = 0;
    for (const v of row) mean += v;
    mean /= d;
    let v2 = 0;
    for (const v of row) v2 += (v - mean) * (v - mean);
    const inv = 1 / Math.sqrt(v2 / d + eps);
    for (let j = 0; j < d; j++) out[j] = (row[j]! - mean) * inv;
  });
}
