/**
 * The μMoE forward pass, written once on a {@link Backend} and its {@link LayerOps}: the CPU backend
 * (with `cpuLayerOps`), the GPU backend (its own layer operations) or any other. {@link MuMoELayer}
 * and {@link DeviceMuMoE} both run this function; a backward pass differentiates this one.
 *
 * For rows `x` `[M, I]`: gate logits `x·P_l` from the raw input, normalised (BatchNorm in eval mode
 * with running statistics, or LayerNorm across the experts; no affine terms, ε = 1e-5), optionally
 * cut to the top k, activated (entmax-1.5, softmax or sparsemax); the input LayerNorm (applyLn); the
 * bias column; the factorized contraction along the layer's planned path; for two-layer blocks GELU,
 * the bias column again and the second contraction with the same gates.
 * @module
 */
import { ConfigError } from "../errors.js";
import type { Backend, BackendTensor } from "../tensor/backends/backend.js";
import type { LayerOps } from "../tensor/backends/layer-ops.js";
import { executePlanOnBackend } from "../tensor/plan/execute.js";
import type { ContractionPlan } from "../tensor/plan/plan.js";
import type { ResolvedMuMoEConfig } from "./config.js";

/** ε of the official BatchNorm1d / LayerNorm. @category μMoE */
export const NORM_EPS = 1e-5;

/** A layer's tensors by role, as handles of one backend. @category μMoE */
export interface LayerTensors<T> {
  /** Gating projections `P_l`, `[I, N_l]`. */
  readonly projs: readonly T[];
  /** BatchNorm running statistics per level (normalization `bn`). */
  readonly bn?: readonly { readonly mean: T; readonly variance: T }[] | undefined;
  /** Affine parameters of the input LayerNorm (applyLn). */
  readonly inputLn?: { readonly gamma: T; readonly beta: T } | undefined;
  /** First-layer factors (expert levels…, input Ĩ, output O). */
  readonly layer1: readonly T[];
  /** Second-layer factors (two-layer blocks). */
  readonly layer2?: readonly T[] | undefined;
}

/** What the forward pass needs of a layer besides its tensors: configuration and plans. @category μMoE */
export interface ForwardSpec {
  readonly config: ResolvedMuMoEConfig;
  /** Keep only the k largest logits per level (undefined: all). */
  readonly topK: number | undefined;
  /** The plan of `mi,in->mn` for `rows` rows and level `level`'s projection. */
  gatePlan(rows: number, level: number): ContractionPlan;
  /** The factorized contraction's plan of layer 1 (or 2) for `rows` rows. */
  plan(rows: number, which: 1 | 2): ContractionPlan;
}

/**
 * The gate coefficients of each level for rows `x` `[M, I]`: one `[M, N_l]` handle per level, owned
 * by the caller. `x` and the layer's tensors stay the caller's.
 * @throws {@link ConfigError} for top-k gates on layer operations without `keepTopK`.
 * @category μMoE
 */
export function muMoEGates<T extends BackendTensor>(
  spec: ForwardSpec,
  backend: Backend<T>,
  ops: LayerOps<T>,
  w: LayerTensors<T>,
  x: T,
): T[] {
  const { config, topK } = spec;
  const cut = topK !== undefined ? ops.keepTopK?.bind(ops) : undefined;
  if (topK !== undefined && !cut)
    throw new ConfigError(
      `top-k gates (topK = ${topK}) need layer operations with keepTopK, which ${backend.name} lacks`,
      "run the layer on the CPU backend, or build it without topK",
    );
  const rows = x.shape[0]!;
  const gates: T[] = [];
  try {
    w.projs.forEach((p, l) => {
      const logits = executePlanOnBackend(spec.gatePlan(rows, l), [x, p], backend);
      const bn = w.bn?.[l];
      let a = step(
        backend,
        logits,
        bn ? ops.batchNormEval(logits, bn.mean, bn.variance, { eps: NORM_EPS }) : ops.layerNorm(logits, { eps: NORM_EPS }),
        x,
      );
      if (cut) a = step(backend, a, cut(a, topK!));
      gates.push(
        step(backend, a, config.act === "softmax" ? ops.softmax(a) : config.act === "sparsemax" ? ops.sparsemax(a) : ops.entmax15(a)),
      );
    });
  } catch (e) {
    for (const g of gates) release(backend, g);
    throw e;
  }
  return gates;
}

/**
 * The forward pass of rows `x` `[M, I]` → `[M, O']` (`O'` = secondDim for two-layer blocks), a
 * handle the caller owns. With `hidden`, stops after the first layer (before GELU). Every
 * intermediate is released once used; `x` and the layer's tensors stay the caller's.
 * @throws {@link ConfigError} for top-k gates on layer operations without `keepTopK`.
 * @example
 * ```ts
 * import { CpuBackend, cpuLayerOps, createMuMoE, difference, layerTensors, muMoEForward, randn } from "multilinear";
 * const layer = createMuMoE({ kind: "cp", inputDim: 4, outputDim: 3, expertDims: [5], ranks: 2 }, { seed: 1, init: "random" });
 * const x = randn([2, 4], { seed: 2 });
 * const y = muMoEForward(layer, new CpuBackend({ kernels: "ts" }), cpuLayerOps, layerTensors(layer.weights, (t) => t), x);
 * y.shape; // => [2, 3]
 * difference(y.reshape([2, 1, 3]), layer.forward(x)).maxAbs < 1e-12; // => true
 * ```
 * @category μMoE
 */
export function muMoEForward<T extends BackendTensor>(
  spec: ForwardSpec,
  backend: Backend<T>,
  ops: LayerOps<T>,
  w: LayerTensors<T>,
  x: T,
  options: { readonly hidden?: boolean } = {},
): T {
  const gates = muMoEGates(spec, backend, ops, w, x);
  try {
    const { config } = spec;
    const rows = x.shape[0]!;
    const z = w.inputLn ? ops.layerNorm(x, { eps: NORM_EPS, gamma: w.inputLn.gamma, beta: w.inputLn.beta }) : x;
    const zb = config.useBias ? step(backend, z, ops.appendOnes(z), x) : z;
    const y = executePlanOnBackend(spec.plan(rows, 1), [...gates, zb, ...w.layer1], backend);
    if (zb !== x) release(backend, zb);
    if (!w.layer2 || options.hidden) return y;
    const g = step(backend, y, ops.gelu(y));
    const gb = config.useBias ? step(backend, g, ops.appendOnes(g)) : g;
    const y2 = executePlanOnBackend(spec.plan(rows, 2), [...gates, gb, ...w.layer2], backend);
    release(backend, gb);
    return y2;
  } finally {
    for (const g of gates) release(backend, g);
  }
}

/** Returns `next`, releasing `prev` unless it is `keep` (the caller's) or `next` itself. */
function step<T extends BackendTensor>(backend: Backend<T>, prev: T, next: T, keep?: T): T {
  if (prev !== next && prev !== keep) release(backend, prev);
  return next;
}

function release<T extends BackendTensor>(backend: Backend<T>, x: T): void {
  backend.release?.(x);
}
