/**
 * The CPU implementation of {@link LayerOps} on {@link DenseTensor}s: float64 arithmetic, results in
 * the input's dtype. The activations are the library's own (`softmax`, `entmax15`, `sparsemax`,
 * `layerNormRows`), so the μMoE forward on the CPU and the public functions agree bit for bit.
 * @module
 */
import { InvalidArgumentError, InvalidShapeError } from "../../../errors.js";
import { gelu } from "../../../math/special.js";
import { entmax15, layerNormRows, mapRows, softmax, sparsemax } from "../../activations.js";
import { DenseTensor } from "../../dense.js";
import { allocate } from "../../dtype.js";
import { checkVector, lastDim, type LayerOps, type NormOptions } from "../layer-ops.js";

/**
 * The CPU layer operations. entmax-1.5 and sparsemax use the exact sort-based thresholds.
 * @example
 * ```ts
 * import { cpuLayerOps, tensor } from "multilinear";
 * cpuLayerOps.sparsemax(tensor([[3, 1, 0]])).toArray(); // => [[1, 0, 0]]
 * cpuLayerOps.entmax15(tensor([[0, 0]], { dtype: "float32" })).toArray(); // => [[0.5, 0.5]]
 * cpuLayerOps.softmax(cpuLayerOps.keepTopK!(tensor([[1, 3, 2]]), 1)).toArray(); // => [[0, 1, 0]]
 * ```
 * @category Backends
 */
export const cpuLayerOps: LayerOps<DenseTensor> = {
  softmax,
  entmax15,
  sparsemax,
  addBias(x, bias) {
    const d = lastDim(x);
    checkVector(bias, d, "bias");
    const b = bias.toTypedArray();
    return map(x, (v, i) => v + b[i % d]!);
  },
  gelu: (x) => map(x, gelu),
  layerNorm(x, options = {}) {
    const y = layerNormRows(x, options.eps ?? 1e-5);
    const aff = affine(x, options);
    if (!aff) return y;
    const d = lastDim(x);
    const out = y.data;
    for (let p = 0; p < out.length; p++) out[p] = out[p]! * aff.g[p % d]! + aff.b[p % d]!;
    return y;
  },
  batchNormEval(x, mean, variance, options = {}) {
    const d = lastDim(x);
    checkVector(mean, d, "mean");
    checkVector(variance, d, "variance");
    const eps = options.eps ?? 1e-5;
    const aff = affine(x, options);
    const mu = mean.toTypedArray();
    // (x − μ)·(1/√(σ² + ε)), the reciprocal once per channel, as PyTorch's kernel computes it.
    const inv = Float64Array.from(variance.toTypedArray(), (v) => 1 / Math.sqrt(v + eps));
    if (!aff) return map(x, (v, i) => (v - mu[i % d]!) * inv[i % d]!);
    return map(x, (v, i) => {
      const c = i % d;
      return (v - mu[c]!) * inv[c]! * aff.g[c]! + aff.b[c]!;
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
      throw new InvalidShapeError(
        `multiply needs equal shapes, got [${x.shape.join(", ")}] and [${y.shape.join(", ")}]`,
        "broadcast explicitly first",
      );
    }
    const b = y.toTypedArray();
    return map(x, (v, i) => v * b[i]!);
  },
  keepTopK(x, k) {
    const d = lastDim(x);
    if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`topK must be a positive integer, got ${k}`, `use 1 ≤ topK ≤ ${d}`);
    if (k >= d) return x;
    const order = new Int32Array(d);
    return mapRows(x, (row, out) => {
      for (let j = 0; j < d; j++) order[j] = j;
      // Largest first; ties keep the lower index (a stable order).
      order.sort((a, b) => row[b]! - row[a]! || a - b);
      out.fill(-Infinity);
      for (let j = 0; j < k; j++) out[order[j]!] = row[order[j]!]!;
    });
  },
};

function affine(x: DenseTensor, o: NormOptions<DenseTensor>): { g: ArrayLike<number>; b: ArrayLike<number> } | undefined {
  if ((o.gamma === undefined) !== (o.beta === undefined)) {
    throw new InvalidShapeError("gamma and beta come together", "pass both (an affine normalisation) or neither");
  }
  if (!o.gamma || !o.beta) return undefined;
  const d = lastDim(x);
  checkVector(o.gamma, d, "gamma");
  checkVector(o.beta, d, "beta");
  return { g: o.gamma.toTypedArray(), b: o.beta.toTypedArray() };
}

function map(x: DenseTensor, f: (v: number, i: number) => number): DenseTensor {
  const src = x.toTypedArray();
  const out = allocate(x.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!, i);
  return new DenseTensor(out, x.shape);
}
