/**
 * The gating of the official `MuMoE` wrapper on host tensors (docs/guides/mumoe-reference.md#gating): logits `x·P_l` from the raw input, a
 * normalisation (BatchNorm1d in eval mode with running statistics, or LayerNorm across the experts,
 * both without affine terms, ε = 1e-5), then an activation over the experts; optionally only the
 * top-k logits are kept. The layers run the same steps through their backend's layer operations
 * (`moe/forward.ts`); these functions are the CPU ones, for use on their own.
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { cpuLayerOps } from "../tensor/backends/cpu/layer-ops.js";
import type { DenseTensor } from "../tensor/dense.js";
import type { DType } from "../tensor/dtype.js";
import type { GateActivation, GateNormalization } from "./config.js";
import { NORM_EPS } from "./forward.js";

/** BatchNorm running statistics of one gate level. @category μMoE */
export interface BatchNormStats {
  readonly runningMean: DenseTensor;
  readonly runningVar: DenseTensor;
}

/**
 * Normalises gate logits `[tokens, N]`: BatchNorm in eval mode or LayerNorm across the experts.
 * @throws {@link InvalidArgumentError} for BatchNorm without running statistics.
 * @category μMoE
 */
export function normalizeLogits<D extends DType>(
  logits: DenseTensor<D>,
  normalization: GateNormalization,
  bn?: BatchNormStats,
): DenseTensor<D> {
  if (normalization === "ln") return cpuLayerOps.layerNorm(logits, { eps: NORM_EPS }) as DenseTensor<D>;
  if (!bn) throw new InvalidArgumentError("BatchNorm gating needs running statistics", "pass the bn running_mean/running_var of the level");
  return cpuLayerOps.batchNormEval(logits, bn.runningMean, bn.runningVar, { eps: NORM_EPS }) as DenseTensor<D>;
}

/**
 * Applies the gate activation over the last axis, keeping only the `topK` largest entries when given
 * (the others get exactly 0).
 * @throws {@link InvalidArgumentError} for a `topK` that is not a positive integer.
 * @category μMoE
 */
export function activate<D extends DType>(x: DenseTensor<D>, act: GateActivation, topK?: number): DenseTensor<D> {
  const cut = topK === undefined ? x : cpuLayerOps.keepTopK!(x, topK);
  const f = act === "softmax" ? cpuLayerOps.softmax : act === "sparsemax" ? cpuLayerOps.sparsemax : cpuLayerOps.entmax15;
  return f(cut) as DenseTensor<D>;
}
