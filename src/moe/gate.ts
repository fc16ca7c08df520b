/**
 * The gating of the official `MuMoE` wrapper (docs/guides/mumoe-reference.md#gating): logits `x·P_l` from the raw input, a
 * normalisation (BatchNorm1d in eval mode with running statistics, or LayerNorm across the experts,
 * both without affine terms, ε = 1e-5), then an activation over the experts; optionally only the
 * top-k logits are kept.
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { DenseTensor } from "../tensor/dense.js";
import { allocate, type DType } from "../tensor/dtype.js";
import { entmax15, layerNormRows, softmax, sparsemax } from "./activations.js";
import type { GateActivation, GateNormalization } from "./config.js";

/** BatchNorm running statistics of one gate level. */
export interface BatchNormStats {
  readonly runningMean: DenseTensor;
  readonly runningVar: DenseTensor;
}

/** ε of the official BatchNorm1d / LayerNorm. */
export const NORM_EPS = 1e-5;

/** Normalises gate logits `[tokens, N]`: BatchNorm in eval mode or LayerNorm across the experts. */
export function normalizeLogits<D extends DType>(logits: DenseTensor<D>, normalization: GateNormalization, bn?: BatchNormStats): DenseTensor<D> {
  if (normalization === "ln") return layerNormRows(logits, NORM_EPS);
  if (!bn) throw new InvalidArgumentError("BatchNorm gating needs running statistics", "pass the bn running_mean/running_var of the level");
  const n = logits.shape[logits.ndim - 1]!;
  const src = logits.toTypedArray();
  const mean = bn.runningMean.toTypedArray();
  const inv = Float64Array.from(bn.runningVar.toTypedArray(), (v) => 1 / Math.sqrt(v + NORM_EPS));
  const out = allocate(logits.dtype, src.length);
  for (let p = 0; p < src.length; p++) {
    const j = p % n;
    out[p] = (src[p]! - mean[j]!) * inv[j]!;
  }
  return new DenseTensor(out, logits.shape);
}

/** Applies the gate activation over the last axis, keeping only the `topK` largest entries when given. */
export function activate<D extends DType>(x: DenseTensor<D>, act: GateActivation, topK?: number): DenseTensor<D> {
  const f = act === "softmax" ? softmax : act === "sparsemax" ? sparsemax : entmax15;
  const n = x.shape[x.ndim - 1]!;
  if (topK === undefined || topK >= n) return f(x);
  if (!Number.isInteger(topK) || topK < 1) throw new InvalidArgumentError(`topK must be a positive integer, got ${topK}`, `use 1 ≤ topK ≤ ${n}`);
  // Activate the k largest logits of each row; the others get exactly 0.
  const src = x.toTypedArray();
  const rows = src.length / n;
  const out = allocate(x.dtype, src.length);
  const idx = [...Array(n).keys()];
  const sub = allocate(x.dtype, topK);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    const top = [...idx].sort((a, b) => src[o + b]! - src[o + a]! || a - b).slice(0, topK);
    top.forEach((j, k) => (sub[k] = src[o + j]!));
    const a = f(new DenseTensor(sub, [topK])).data;
    top.forEach((j, k) => (out[o + j] = a[k]!));
  }
  return new DenseTensor(out, x.shape);
}
