/**
 * The μMoE layer: the official PyTorch `MuMoE` wrapper (gating, optional input LayerNorm, bias folded
 * into the input, optional second layer after GELU sharing the gates) around CP or tensor-ring
 * factorized experts (spec §2–§3).
 * @module
 */
import { ConfigError, InvalidArgumentError } from "../errors.js";
import { checkOptionKeys, describeValue } from "../option-keys.js";
import type { Backend, BackendTensor } from "../tensor/backends/backend.js";
import { DenseTensor } from "../tensor/dense.js";
import { allocate, type DType } from "../tensor/dtype.js";
import { defaultBackend, einsum, type OptimizeSpec } from "../tensor/api/einsum.js";
import type { ContractionPlan } from "../tensor/plan.js";
import { shapeSizeBig } from "../tensor/shape.js";
import { layerNormRows } from "./activations.js";
import { resolveLayer } from "./budget/spec.js";
import type { GateActivation, GateNormalization, MuMoEConfig, MuMoEKind } from "./config.js";
import { FactorizedExperts } from "./experts.js";
import { activate, normalizeLogits, NORM_EPS, type BatchNormStats } from "./gate.js";
import { gelu } from "../math/special.js";

/** A configuration with every default filled in. */
export interface ResolvedMuMoEConfig extends MuMoEConfig {
  readonly secondDim: number;
  readonly normalization: GateNormalization;
  readonly act: GateActivation;
  readonly useBias: boolean;
  readonly applyLn: boolean;
}

/** The tensors of a layer, by role. */
export interface MuMoEWeights {
  /** Gating projections `P_l`, `[I, N_l]`. */
  readonly projs: readonly DenseTensor[];
  /** BatchNorm running statistics per level (normalization `bn`). */
  readonly bn?: readonly BatchNormStats[];
  /** LayerNorm affine parameters on the input (applyLn). */
  readonly inputLn?: { readonly weight: DenseTensor; readonly bias: DenseTensor };
  /** First-layer factors (expert levels…, input Ĩ, output O). */
  readonly layer1: readonly DenseTensor[];
  /** Second-layer factors (expert levels…, O (+1), secondDim), when secondDim > 0. */
  readonly layer2?: readonly DenseTensor[];
}

/** Options of a layer's forward pass. */
export interface ForwardOptions {
  /** Refuse inputs with NaN or ±Infinity (default false: non-finite values propagate). */
  readonly checkFinite?: boolean;
  /** Backend for the contractions (default: the CPU backend). */
  readonly backend?: Backend<BackendTensor>;
}

/** Options of {@link MuMoELayer}. */
export interface MuMoELayerOptions {
  /** Path optimizer for the expert contractions (default: `auto` when registered, else `greedy`). */
  readonly optimize?: OptimizeSpec;
  /** Top-k gating: keep only the k largest logits per level before the activation (default: all). */
  readonly topK?: number;
}

/** Keys of {@link MuMoELayerOptions}. */
export const MUMOE_LAYER_OPTION_KEYS: readonly string[] = ["optimize", "topK"];

/**
 * Checks the keys of a layer's options and its `topK`.
 * @internal
 */
export function checkLayerOptions(options: unknown, keys: readonly string[], where: string): void {
  checkOptionKeys(options, keys, where);
  const topK = (options as MuMoELayerOptions).topK;
  if (topK !== undefined && (typeof topK !== "number" || !Number.isSafeInteger(topK) || topK < 1)) {
    throw new InvalidArgumentError(`topK must be a positive integer, got ${describeValue(topK)}`, "pass topK ≥ 1, or omit it to keep every expert");
  }
}

/** Fills the wrapper's defaults (spec §3: bn, entmax15, bias on, no input LayerNorm, one layer). */
export function resolveMuMoEConfig(config: MuMoEConfig): ResolvedMuMoEConfig {
  // Ranks above the tensor-rank bound are wasteful but valid (the official code builds them).
  resolveLayer(config, { checkRankBound: false });
  if (config.kind !== "cp" && config.kind !== "tr") throw new ConfigError(`a μMoE layer is 'cp' or 'tr', got kind '${String(config.kind)}'`, "use kind: 'cp' or kind: 'tr' (the other kinds are reference layers for the budget calculator only)");
  const normalization = config.normalization ?? "bn";
  const act = config.act ?? "entmax15";
  if (normalization !== "bn" && normalization !== "ln") throw new ConfigError(`unknown normalization '${String(normalization)}'`, "use 'bn' or 'ln' (the official wrapper handles only these)");
  if (!["entmax15", "softmax", "sparsemax"].includes(act)) throw new ConfigError(`unknown gate activation '${String(act)}'`, "use 'entmax15', 'softmax' or 'sparsemax'");
  return { ...config, secondDim: config.secondDim ?? 0, normalization, act, useBias: config.useBias ?? true, applyLn: config.applyLn ?? false };
}

/**
 * A Multilinear Mixture-of-Experts layer with the official wrapper's behaviour. Build one with
 * {@link createMuMoE} (fresh weights) or {@link loadMuMoE} (PyTorch weights).
 *
 * For an input `[B, I]` the output is `[B, 1, O']` and for `[B, T, I]` it is `[B, T, O']`, exactly as the
 * official module (which does not squeeze the token axis); `O'` is `secondDim` for two-layer blocks.
 */
export class MuMoELayer {
  readonly config: ResolvedMuMoEConfig;
  readonly weights: MuMoEWeights;
  /** First-layer experts. */
  readonly experts1: FactorizedExperts;
  /** Second-layer experts (two-layer blocks). */
  readonly experts2: FactorizedExperts | undefined;
  /** Gates keep only the topK largest logits per level (undefined: all). */
  readonly topK: number | undefined;

  /** @throws {@link ConfigError} when a weight is missing or has the wrong shape or dtype. */
  constructor(config: MuMoEConfig, weights: MuMoEWeights, options: MuMoELayerOptions = {}) {
    this.config = resolveMuMoEConfig(config);
    checkLayerOptions(options, MUMOE_LAYER_OPTION_KEYS, "MuMoELayer options");
    this.weights = weights;
    this.topK = options.topK;
    checkWeights(this.config, weights);
    this.experts1 = new FactorizedExperts(this.config.kind, weights.layer1, options.optimize);
    this.experts2 = weights.layer2 ? new FactorizedExperts(this.config.kind, weights.layer2, options.optimize) : undefined;
  }

  /** The affine input LayerNorm (applyLn), or undefined. */
  get inputLn(): { readonly weight: DenseTensor; readonly bias: DenseTensor } | undefined {
    return this.weights.inputLn;
  }

  /** Element type of the weights (inputs must match). */
  get dtype(): DType {
    return this.weights.layer1[0]!.dtype;
  }

  /** The factorization: `cp` or `tr`. */
  get kind(): MuMoEKind {
    return this.config.kind;
  }

  /**
   * Trainable parameters under the PyTorch `state_dict()` keys: `MuMoE.factors.<k>`,
   * `MuMoE2.factors.<k>`, `input_ln.weight/bias`, `projs.<l>` (BatchNorm buffers are not parameters).
   */
  namedParameters(): ReadonlyMap<string, DenseTensor> {
    const m = new Map<string, DenseTensor>();
    this.weights.layer1.forEach((f, k) => m.set(`MuMoE.factors.${k}`, f));
    this.weights.layer2?.forEach((f, k) => m.set(`MuMoE2.factors.${k}`, f));
    if (this.weights.inputLn) {
      m.set("input_ln.weight", this.weights.inputLn.weight);
      m.set("input_ln.bias", this.weights.inputLn.bias);
    }
    this.weights.projs.forEach((p, l) => m.set(`projs.${l}`, p));
    return m;
  }

  /** BatchNorm buffers `bn.<l>.running_mean` / `bn.<l>.running_var` (normalization `bn`). */
  namedBuffers(): ReadonlyMap<string, DenseTensor> {
    const m = new Map<string, DenseTensor>();
    this.weights.bn?.forEach((s, l) => {
      m.set(`bn.${l}.running_mean`, s.runningMean);
      m.set(`bn.${l}.running_var`, s.runningVar);
    });
    return m;
  }

  /** Number of trainable scalars, as PyTorch counts `parameters()`. */
  parameterCount(): bigint {
    let n = 0n;
    for (const t of this.namedParameters().values()) n += shapeSizeBig(t.shape);
    return n;
  }

  /**
   * The gate coefficients of each level for an input `[B, I]` or `[B, T, I]`: `[B, T, N_l]`, computed from
   * the raw input (before the input LayerNorm), as the official wrapper does.
   */
  gates(x: DenseTensor, options: ForwardOptions = {}): DenseTensor[] {
    const { rows, b, t } = this.flatten(x, options);
    return this.gateRows(rows, options).map((a) => a.reshape([b, t, a.shape[1]!]));
  }

  /**
   * The forward pass. Contractions are planned once per number of tokens and never form the
   * `N×Ĩ×O` expert tensor.
   * @throws {@link InvalidArgumentError} for a wrong input shape or dtype (or non-finite values with `checkFinite`).
   */
  forward(x: DenseTensor, options: ForwardOptions = {}): DenseTensor {
    return this.run(x, options, true);
  }

  /** The first layer's hidden output (before GELU) of a two-layer block, `[B, T, O]`; the output itself for one layer. */
  hidden(x: DenseTensor, options: ForwardOptions = {}): DenseTensor {
    return this.run(x, options, false);
  }

  private run(x: DenseTensor, options: ForwardOptions, second: boolean): DenseTensor {
    const { rows, b, t } = this.flatten(x, options);
    const backend = options.backend ?? defaultBackend();
    const gates = this.gateRows(rows, options);
    const ln = this.weights.inputLn;
    const z = ln ? affine(layerNormRows(rows, NORM_EPS), ln.weight, ln.bias) : rows;
    let y = this.experts1.contract(gates, this.config.useBias ? appendOnes(z) : z, backend);
    if (second && this.experts2) {
      const g = mapValues(y, gelu);
      y = this.experts2.contract(gates, this.config.useBias ? appendOnes(g) : g, backend);
    }
    return y.reshape([b, t, y.shape[1]!]);
  }

  /** The dense expert tensor of layer 1 (or 2): `N_1×…×N_E×Ĩ×O`; the last input slice is the bias when useBias. */
  toDense(which: 1 | 2 = 1): DenseTensor {
    const e = which === 1 ? this.experts1 : this.experts2;
    if (!e) throw new InvalidArgumentError("this layer has no second layer", "call toDense(1), or build the layer with secondDim > 0");
    return e.toDense();
  }

  /** The forward contraction's plan for `tokens` rows (path, exact cost, steps) of layer 1 (or 2). */
  plan(tokens: number, which: 1 | 2 = 1): ContractionPlan {
    const e = which === 1 ? this.experts1 : this.experts2;
    if (!e) throw new InvalidArgumentError("this layer has no second layer", "ask for plan(tokens, 1)");
    return e.plan(tokens);
  }

  /**
   * Checks an input `[B, I]` / `[B, T, I]` (shape, dtype, finiteness with `checkFinite`) and views it as
   * `[B·T, I]` rows; shared with `DeviceMuMoE`.
   * @internal
   */
  flatten(x: DenseTensor, options: ForwardOptions = {}): { rows: DenseTensor; b: number; t: number } {
    const I = this.config.inputDim;
    if (!(x instanceof DenseTensor)) throw new InvalidArgumentError(`the layer input must be a DenseTensor, got ${describeValue(x)}`, `pass a [B, ${I}] or [B, T, ${I}] tensor, e.g. tensor(rows)`);
    checkOptionKeys(options, ["checkFinite", "backend"], "forward options");
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== I) {
      throw new InvalidArgumentError(`the layer takes [B, ${I}] or [B, T, ${I}] inputs, got [${x.shape.join(", ")}]`, `reshape the input so its last axis has the ${I} input features`);
    }
    if (x.dtype !== this.dtype) throw new InvalidArgumentError(`the input is ${x.dtype} but the layer's weights are ${this.dtype}`, `convert the input with x.astype("${this.dtype}")`);
    if (options.checkFinite) {
      const d = x.toTypedArray();
      for (let i = 0; i < d.length; i++) {
        if (!Number.isFinite(d[i]!)) throw new InvalidArgumentError(`input element ${i} is ${d[i]}`, "remove NaN/Infinity from the input, or leave checkFinite off to let them propagate");
      }
    }
    const b = x.shape[0]!;
    const t = x.ndim === 3 ? x.shape[1]! : 1;
    return { rows: x.reshape([b * t, I]), b, t };
  }

  private gateRows(rows: DenseTensor, options: ForwardOptions): DenseTensor[] {
    const backend = options.backend ?? defaultBackend();
    return this.weights.projs.map((p, l) => {
      const logits = einsum("mi,in->mn", [rows, p], { backend });
      const normed = normalizeLogits(logits, this.config.normalization, this.weights.bn?.[l]);
      return activate(normed, this.config.act, this.topK);
    });
  }
}

/** `[M, K]` → `[M, K+1]` with a last column of ones (the official bias trick). */
export function appendOnes<D extends DType>(x: DenseTensor<D>): DenseTensor<D> {
  const [m, k] = x.shape as [number, number];
  const src = x.toTypedArray();
  const out = allocate(x.dtype, m * (k + 1));
  for (let r = 0; r < m; r++) {
    out.set(src.subarray(r * k, r * k + k), r * (k + 1));
    out[r * (k + 1) + k] = 1;
  }
  return new DenseTensor(out, [m, k + 1]);
}

function affine<D extends DType>(x: DenseTensor<D>, w: DenseTensor, b: DenseTensor): DenseTensor<D> {
  const n = x.shape[x.ndim - 1]!;
  const src = x.toTypedArray();
  const wd = w.toTypedArray();
  const bd = b.toTypedArray();
  const out = allocate(x.dtype, src.length);
  for (let p = 0; p < src.length; p++) out[p] = src[p]! * wd[p % n]! + bd[p % n]!;
  return new DenseTensor(out, x.shape);
}

function mapValues<D extends DType>(x: DenseTensor<D>, f: (v: number) => number): DenseTensor<D> {
  const src = x.toTypedArray();
  const out = allocate(x.dtype, src.length);
  for (let p = 0; p < src.length; p++) out[p] = f(src[p]!);
  return new DenseTensor(out, x.shape);
}

/** The shapes every weight must have, by state_dict key. */
export function expectedShapes(config: ResolvedMuMoEConfig): Map<string, number[]> {
  const m = new Map<string, number[]>();
  const bias = config.useBias ? 1 : 0;
  const add = (prefix: string, modes: number[]): void => {
    modes.forEach((size, k) => {
      if (config.kind === "cp") m.set(`${prefix}.factors.${k}`, [size, config.ranks as number]);
      else {
        const t = (config.ranks as readonly (readonly [number, number | null, number])[])[k]!;
        m.set(`${prefix}.factors.${k}`, [t[0], size, t[2]]);
      }
    });
  };
  add("MuMoE", [...config.expertDims, config.inputDim + bias, config.outputDim]);
  if (config.secondDim > 0) add("MuMoE2", [...config.expertDims, config.outputDim + bias, config.secondDim]);
  if (config.applyLn) {
    m.set("input_ln.weight", [config.inputDim]);
    m.set("input_ln.bias", [config.inputDim]);
  }
  config.expertDims.forEach((n, l) => {
    m.set(`projs.${l}`, [config.inputDim, n]);
    if (config.normalization === "bn") {
      m.set(`bn.${l}.running_mean`, [n]);
      m.set(`bn.${l}.running_var`, [n]);
    }
  });
  return m;
}

/** Flattens weights to state_dict keys (parameters and BatchNorm buffers). */
export function weightsByKey(w: MuMoEWeights): Map<string, DenseTensor | undefined> {
  const m = new Map<string, DenseTensor | undefined>();
  w.layer1.forEach((f, k) => m.set(`MuMoE.factors.${k}`, f));
  w.layer2?.forEach((f, k) => m.set(`MuMoE2.factors.${k}`, f));
  if (w.inputLn) {
    m.set("input_ln.weight", w.inputLn.weight);
    m.set("input_ln.bias", w.inputLn.bias);
  }
  w.projs.forEach((p, l) => m.set(`projs.${l}`, p));
  w.bn?.forEach((s, l) => {
    m.set(`bn.${l}.running_mean`, s.runningMean);
    m.set(`bn.${l}.running_var`, s.runningVar);
  });
  return m;
}

function checkWeights(config: ResolvedMuMoEConfig, w: MuMoEWeights): void {
  const want = expectedShapes(config);
  const have = weightsByKey(w);
  const dtype = w.layer1[0]?.dtype;
  for (const [key, shape] of want) {
    const t = have.get(key);
    if (!t) throw new ConfigError(`weight '${key}' is missing (expected shape [${shape.join(", ")}])`, `provide '${key}' with shape [${shape.join(", ")}]`);
    if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ConfigError(`weight '${key}' has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`, "check the layer configuration (dims, ranks, bias) against the weights");
    }
    if (t.dtype !== dtype) throw new ConfigError(`weight '${key}' is ${t.dtype} but the first factor is ${dtype}`, "give all weights one dtype");
  }
  for (const key of have.keys()) {
    if (!want.has(key)) throw new ConfigError(`unexpected weight '${key}' for this configuration`, "remove it, or fix the configuration (hierarchy, secondDim, applyLn, normalization)");
  }
}
