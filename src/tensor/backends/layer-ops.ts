/**
 * Element-wise and row-wise operations the μMoE layers need besides contractions (gate softmax,
 * entmax-1.5, sparsemax, normalisations, bias, GELU), as an interface any backend can implement,
 * and the CPU reference implementation on {@link DenseTensor}s. Row-wise operations act on the last
 * axis.
 * @module
 */
import { InvalidShapeError } from "../../errors.js";
import { DenseTensor } from "../dense.js";
import { allocate } from "../dtype.js";
import { erfc } from "../../math/special.js";

/** Options of the normalisations: ε and an optional affine transform along the last axis. */
export interface NormOptions<T> {
  /** Added to the variance (default 1e-5, as PyTorch). */
  readonly eps?: number;
  /** Scale along the last axis (both or neither of gamma and beta). */
  readonly gamma?: T;
  /** Shift along the last axis. */
  readonly beta?: T;
}

/** Layer operations of a backend. Every result is a new tensor owned by the caller. */
export interface LayerOps<T> {
  /** Softmax along the last axis. */
  softmax(x: T): T;
  /** α-entmax with α = 1.5 along the last axis (sparse, sums to 1). */
  entmax15(x: T): T;
  /** Sparsemax (α = 2) along the last axis. */
  sparsemax(x: T): T;
  /** `x + bias`, `bias` of the size of the last axis. */
  addBias(x: T, bias: T): T;
  /** GELU, exact (erf) form as PyTorch's default. */
  gelu(x: T): T;
  /** LayerNorm over the last axis (biased variance). */
  layerNorm(x: T, options?: NormOptions<T>): T;
  /** BatchNorm in eval mode: per channel (last axis) running mean and variance. */
  batchNormEval(x: T, mean: T, variance: T, options?: NormOptions<T>): T;
  /** Appends a 1 to the last axis (`[…, d] → […, d + 1]`), the bias input of a μMoE layer. */
  appendOnes(x: T): T;
  /** Element-wise product of two tensors of the same shape. */
  multiply(x: T, y: T): T;
}

/**
 * The CPU reference: float64 arithmetic, results in the input's dtype. entmax-1.5 and sparsemax use
 * the exact sort-based thresholds.
 * @example
 * ```ts
 * import { cpuLayerOps, tensor } from "multilinear";
 * cpuLayerOps.sparsemax(tensor([[3, 1, 0]])).toArray(); // => [[1, 0, 0]]
 * cpuLayerOps.entmax15(tensor([[0, 0]], { dtype: "float32" })).toArray(); // => [[0.5, 0.5]]
 * ```
 */
export const cpuLayerOps: LayerOps<DenseTensor> = {
  softmax: (x) => rowwise(x, softmaxRow),
  entmax15: (x) => rowwise(x, entmax15Row),
  sparsemax: (x) => rowwise(x, sparsemaxRow),
  addBias(x, bias) {
    const d = lastDim(x);
    checkVector(bias, d, "bias");
    const b = bias.toTypedArray();
    return map(x, (v, i) => v + b[i % d]!);
  },
  gelu: (x) => map(x, (v) => 0.5 * v * erfc(-v / Math.SQRT2)),
  layerNorm(x, options = {}) {
    const eps = options.eps ?? 1e-5;
    const aff = affine(x, options);
    return rowwise(x, (row, out) => {
      const d = row.length;
      let mean = 0;
      for (let j = 0; j < d; j++) mean += row[j]!;
      mean /= d;
      let v = 0;
      for (let j = 0; j < d; j++) v += (row[j]! - mean) ** 2;
      const inv = 1 / Math.sqrt(v / d + eps);
      for (let j = 0; j < d; j++) out[j] = (row[j]! - mean) * inv * aff.g(j) + aff.b(j);
    });
  },
  batchNormEval(x, mean, variance, options = {}) {
    const d = lastDim(x);
    checkVector(mean, d, "mean");
    checkVector(variance, d, "variance");
    const eps = options.eps ?? 1e-5;
    const aff = affine(x, options);
    const mu = mean.toTypedArray();
    const va = variance.toTypedArray();
    return map(x, (v, i) => {
      const c = i % d;
      return ((v - mu[c]!) / Math.sqrt(va[c]! + eps)) * aff.g(c) + aff.b(c);
    });
  },
  appendOnes(x) {
    const d = lastDim(x);
    const rows = d === 0 ? x.size : x.size / d;
    const src = x.toTypedArray();
    const out = allocate(x.dtype, rows * (d + 1));
    for (let r = 0; r < rows; r++) {
      out.set(src.subarray(r * d, r * d + d), r * (d + 1));
      out[r * (d + 1) + d] = 1;
    }
    return new DenseTensor(out, [...x.shape.slice(0, -1), d + 1]);
  },
  multiply(x, y) {
    if (x.shape.length !== y.shape.length || x.shape.some((n, i) => n !== y.shape[i])) {
      throw new InvalidShapeError(`multiply needs equal shapes, got [${x.shape.join(", ")}] and [${y.shape.join(", ")}]`, "broadcast explicitly first");
    }
    const b = y.toTypedArray();
    return map(x, (v, i) => v * b[i]!);
  },
};

/** The size of the last axis. @throws {@link InvalidShapeError} for a rank-0 tensor. */
export function lastDim(x: { readonly shape: readonly number[] }): number {
  if (x.shape.length === 0) throw new InvalidShapeError("a row-wise operation needs at least one axis, got a scalar", "reshape to [1] first");
  return x.shape[x.shape.length - 1]!;
}

/** @throws {@link InvalidShapeError} unless `v` is a vector of length `d`. */
export function checkVector(v: { readonly shape: readonly number[] }, d: number, what: string): void {
  if (v.shape.length !== 1 || v.shape[0] !== d) {
    throw new InvalidShapeError(`${what} must have shape [${d}] (the last axis of the input), got [${v.shape.join(", ")}]`, `pass a vector of length ${d}`);
  }
}

function affine(x: DenseTensor, o: NormOptions<DenseTensor>): { g(j: number): number; b(j: number): number } {
  if ((o.gamma === undefined) !== (o.beta === undefined)) {
    throw new InvalidShapeError("gamma and beta come together", "pass both (an affine normalisation) or neither");
  }
  if (!o.gamma || !o.beta) return { g: () => 1, b: () => 0 };
  const d = lastDim(x);
  checkVector(o.gamma, d, "gamma");
  checkVector(o.beta, d, "beta");
  const g = o.gamma.toTypedArray();
  const b = o.beta.toTypedArray();
  return { g: (j) => g[j]!, b: (j) => b[j]! };
}

function map(x: DenseTensor, f: (v: number, i: number) => number): DenseTensor {
  const src = x.toTypedArray();
  const out = allocate(x.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!, i);
  return new DenseTensor(out, x.shape);
}

function rowwise(x: DenseTensor, f: (row: Float64Array, out: Float64Array) => void): DenseTensor {
  const d = lastDim(x);
  const src = x.toTypedArray();
  const out = allocate(x.dtype, src.length);
  const row = new Float64Array(d);
  const res = new Float64Array(d);
  for (let r = 0; d > 0 && r < src.length / d; r++) {
    for (let j = 0; j < d; j++) row[j] = src[r * d + j]!;
    f(row, res);
    out.set(res, r * d);
  }
  return new DenseTensor(out, x.shape);
}

function softmaxRow(row: Float64Array, out: Float64Array): void {
  let m = -Infinity;
  for (const v of row) m = Math.max(m, v);
  let s = 0;
  for (let j = 0; j < row.length; j++) s += out[j] = Math.exp(row[j]! - m);
  for (let j = 0; j < row.length; j++) out[j]! /= s;
}

/** Exact entmax-1.5 threshold by sorting (docs/guides/mumoe-reference.md#entmax15-exact). */
function entmax15Row(row: Float64Array, out: Float64Array): void {
  const d = row.length;
  let m = -Infinity;
  for (const v of row) m = Math.max(m, v);
  const z = Float64Array.from(row, (v) => (v - m) / 2);
  const sorted = Float64Array.from(z).sort().reverse();
  // τ_k for every support size k; the support size k* counts the k with τ_k ≤ z_(k).
  const taus = new Float64Array(d + 1);
  let sum = 0;
  let sumSq = 0;
  let kStar = 0;
  for (let k = 1; k <= d; k++) {
    const v = sorted[k - 1]!;
    sum += v;
    sumSq += v * v;
    const mean = sum / k;
    const ss = Math.max(sumSq - k * mean * mean, 0);
    taus[k] = mean - Math.sqrt(Math.max((1 - ss) / k, 0));
    if (taus[k]! <= v) kStar++;
  }
  const tau = taus[kStar]!;
  for (let j = 0; j < d; j++) out[j] = Math.max(z[j]! - tau, 0) ** 2;
}

/** Exact sparsemax threshold by sorting. */
function sparsemaxRow(row: Float64Array, out: Float64Array): void {
  const d = row.length;
  let m = -Infinity;
  for (const v of row) m = Math.max(m, v);
  const z = Float64Array.from(row, (v) => v - m);
  const sorted = Float64Array.from(z).sort().reverse();
  const taus = new Float64Array(d + 1);
  let sum = 0;
  let kStar = 0;
  for (let k = 1; k <= d; k++) {
    sum += sorted[k - 1]!;
    taus[k] = (sum - 1) / k;
    if (taus[k]! < sorted[k - 1]!) kStar++;
  }
  const tau = taus[kStar]!;
  for (let j = 0; j < d; j++) out[j] = Math.max(z[j]! - tau, 0);
}
