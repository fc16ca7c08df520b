/**
 * The μMoE layer: the official PyTorch `MuMoE` wrapper (gating, optional input LayerNorm, bias folded
 * into the input, optional second layer after GELU sharing the gates) around CP or tensor-ring
 * factorized experts (docs/guides/mumoe-reference.md). The forward pass itself is `moe/forward.ts`, shared with {@link DeviceMuMoE}.
 * @module
 */
import { ConfigError, InvalidArgumentError } from "../errors.js";
import { parseEinsum } from "../tensor/einsum/parse.js";
import { defaultBackend, planProblem, type OptimizeSpec } from "../tensor/api/einsum.js";
import { checkOptionKeys, describeValue } from "../option-keys.js";
import type { Backend, BackendTensor } from "../tensor/backends/backend.js";
import { cpuLayerOps } from "../tensor/backends/cpu/layer-ops.js";
import type { LayerOps } from "../tensor/backends/layer-ops.js";
import { DenseTensor } from "../tensor/dense.js";
import type { DType } from "../tensor/dtype.js";
import type { ContractionPlan } from "../tensor/plan/plan.js";
import { shapeSizeBig } from "../tensor/shape.js";
import { resolveLayer } from "./budget/spec.js";
import type { MuMoEConfig, MuMoEKind, ResolvedMuMoEConfig } from "./config.js";
import { FactorizedExperts } from "./experts.js";
import { muMoEForward, muMoEGates, type ForwardSpec, type LayerTensors } from "./forward.js";
import type { BatchNormStats } from "./gate.js";

/** The tensors of a layer, by role. @category μMoE */
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

/** Options of a layer's forward pass. @category μMoE */
export interface ForwardOptions {
  /** Refuse inputs with NaN or ±Infinity (default false: non-finite values propagate). */
  readonly checkFinite?: boolean;
  /**
   * Backend for the whole pass — gates, normalisations and contractions (default: the CPU backend).
   * Weights are uploaded for the call; keep them resident across calls with {@link DeviceMuMoE}.
   */
  readonly backend?: Backend<BackendTensor>;
  /**
   * The backend's layer operations: default `cpuLayerOps` for the CPU backend, the backend itself
   * when it implements them (the GPU backend does).
   */
  readonly ops?: LayerOps<BackendTensor>;
}

/** Options of {@link MuMoELayer}. @category μMoE */
export interface MuMoELayerOptions {
  /** Path optimizer for the expert contractions (default: `auto` when registered, else `greedy`). */
  readonly optimize?: OptimizeSpec;
  /** Top-k gating: keep only the k largest logits per level before the activation (default: all). */
  readonly topK?: number;
}

/** Keys of {@link MuMoELayerOptions}. @category μMoE */
export const MUMOE_LAYER_OPTION_KEYS: readonly string[] = ["optimize", "topK"];

/**
 * Checks the keys of a layer's options and its `topK`.
 * @internal
 * @category μMoE
 */
export function checkLayerOptions(options: unknown, keys: readonly string[], where: string): void {
  checkOptionKeys(options, keys, where);
  const topK = (options as MuMoELayerOptions).topK;
  if (topK !== undefined && (typeof topK !== "number" || !Number.isSafeInteger(topK) || topK < 1)) {
    throw new InvalidArgumentError(
      `topK must be a positive integer, got ${describeValue(topK)}`,
      "pass topK ≥ 1, or omit it to keep every expert",
    );
  }
}

/** Fills the wrapper's defaults (as the official wrapper: bn, entmax15, bias on, no input LayerNorm, one layer). @category μMoE */
export function resolveMuMoEConfig(config: MuMoEConfig): ResolvedMuMoEConfig {
  // Ranks above the tensor-rank bound are wasteful but valid (the official code builds them).
  resolveLayer(config, { checkRankBound: false });
  if (config.kind !== "cp" && config.kind !== "tr")
    throw new ConfigError(
      `a μMoE layer is 'cp' or 'tr', got kind '${String(config.kind)}'`,
      "use kind: 'cp' or kind: 'tr' (the other kinds are reference layers for the budget calculator only)",
    );
  const normalization = config.normalization ?? "bn";
  const act = config.act ?? "entmax15";
  if (normalization !== "bn" && normalization !== "ln")
    throw new ConfigError(`unknown normalization '${String(normalization)}'`, "use 'bn' or 'ln' (the official wrapper handles only these)");
  if (!["entmax15", "softmax", "sparsemax"].includes(act))
    throw new ConfigError(`unknown gate activation '${String(act)}'`, "use 'entmax15', 'softmax' or 'sparsemax'");
  return {
    ...config,
    secondDim: config.secondDim ?? 0,
    normalization,
    act,
    useBias: config.useBias ?? true,
    applyLn: config.applyLn ?? false,
  };
}

/**
 * A Multilinear Mixture-of-Experts layer with the official wrapper's behaviour. Build one with
 * {@link createMuMoE} (fresh weights) or {@link loadMuMoE} (PyTorch weights).
 *
 * For an input `[B, I]` the output is `[B, 1, O']` and for `[B, T, I]` it is `[B, T, O']`, exactly as the
 * official module (which does not squeeze the token axis); `O'` is `secondDim` for two-layer blocks.
 * @category μMoE
 */
export class MuMoELayer implements ForwardSpec {
  readonly config: ResolvedMuMoEConfig;
  readonly weights: MuMoEWeights;
  /** First-layer experts. */
  readonly experts1: FactorizedExperts;
  /** Second-layer experts (two-layer blocks). */
  readonly experts2: FactorizedExperts | undefined;
  /** Gates keep only the topK largest logits per level (undefined: all). */
  readonly topK: number | undefined;
  private readonly gatePlans = new Map<string, ContractionPlan>();

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
    for (const [k, t] of weightsByKey(this.weights)) if (t && !k.startsWith("bn.")) m.set(k, t);
    return m;
  }

  /** BatchNorm buffers `bn.<l>.running_mean` / `bn.<l>.running_var` (normalization `bn`). */
  namedBuffers(): ReadonlyMap<string, DenseTensor> {
    const m = new Map<string, DenseTensor>();
    for (const [k, t] of weightsByKey(this.weights)) if (t && k.startsWith("bn.")) m.set(k, t);
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
    return this.onBackend(rows, options, (backend, ops, w, xr) => muMoEGates(this, backend, ops, w, xr)).map((a) =>
      a.reshape([b, t, a.shape[1]!]),
    );
  }

  /**
   * The forward pass. Contractions are planned once per number of tokens and never form the
   * `N×Ĩ×O` expert tensor.
   * @throws {@link InvalidArgumentError} for a wrong input shape or dtype (or non-finite values with `checkFinite`).
   */
  forward(x: DenseTensor, options: ForwardOptions = {}): DenseTensor {
    return this.run(x, options, false);
  }

  /** The first layer's hidden output (before GELU) of a two-layer block, `[B, T, O]`; the output itself for one layer. */
  hidden(x: DenseTensor, options: ForwardOptions = {}): DenseTensor {
    return this.run(x, options, true);
  }

  private run(x: DenseTensor, options: ForwardOptions, hidden: boolean): DenseTensor {
    const { rows, b, t } = this.flatten(x, options);
    const [y] = this.onBackend(rows, options, (backend, ops, w, xr) => [muMoEForward(this, backend, ops, w, xr, { hidden })]);
    return y!.reshape([b, t, y!.shape[1]!]);
  }

  /**
   * Runs `f` on the chosen backend with the weights and rows uploaded (no copies on the CPU backend),
   * reads its results back and releases everything it uploaded.
   */
  private onBackend(
    rows: DenseTensor,
    options: ForwardOptions,
    f: <T extends BackendTensor>(backend: Backend<T>, ops: LayerOps<T>, w: LayerTensors<T>, x: T) => T[],
  ): DenseTensor[] {
    const backend: Backend<BackendTensor> = options.backend ?? defaultBackend();
    const ops = options.ops ?? layerOpsOf(backend);
    const uploaded: BackendTensor[] = [];
    const up = (t: DenseTensor): BackendTensor => {
      const h = backend.upload(t);
      uploaded.push(h);
      return h;
    };
    try {
      const outs = f(backend, ops, layerTensors(this.weights, up), up(rows));
      try {
        return outs.map((o) => backend.download(o));
      } finally {
        for (const o of outs) if (!uploaded.includes(o)) backend.release?.(o);
      }
    } finally {
      for (const h of uploaded) backend.release?.(h);
    }
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

  /** The gate logits' plan `mi,in->mn` for `rows` rows and level `level` (cached). */
  gatePlan(rows: number, level: number): ContractionPlan {
    const n = this.config.expertDims[level]!;
    const key = `${rows}x${n}`;
    let p = this.gatePlans.get(key);
    if (!p) {
      const i = this.config.inputDim;
      p = planProblem(
        parseEinsum("mi,in->mn", [
          [rows, i],
          [i, n],
        ]),
        { dtype: this.dtype, optimize: "greedy" },
      );
      this.gatePlans.set(key, p);
    }
    return p;
  }

  /**
   * Checks an input `[B, I]` / `[B, T, I]` (shape, dtype, finiteness with `checkFinite`) and views it as
   * `[B·T, I]` rows; shared with `DeviceMuMoE`.
   * @internal
   */
  flatten(x: DenseTensor, options: ForwardOptions = {}): { rows: DenseTensor; b: number; t: number } {
    const I = this.config.inputDim;
    if (!(x instanceof DenseTensor))
      throw new InvalidArgumentError(
        `the layer input must be a DenseTensor, got ${describeValue(x)}`,
        `pass a [B, ${I}] or [B, T, ${I}] tensor, e.g. tensor(rows)`,
      );
    checkOptionKeys(options, ["checkFinite", "backend", "ops"], "forward options");
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== I) {
      throw new InvalidArgumentError(
        `the layer takes [B, ${I}] or [B, T, ${I}] inputs, got [${x.shape.join(", ")}]`,
        `reshape the input so its last axis has the ${I} input features`,
      );
    }
    if (x.dtype !== this.dtype)
      throw new InvalidArgumentError(
        `the input is ${x.dtype} but the layer's weights are ${this.dtype}`,
        `convert the input with x.astype("${this.dtype}")`,
      );
    if (options.checkFinite) {
      const d = x.toTypedArray();
      for (let i = 0; i < d.length; i++) {
        if (!Number.isFinite(d[i]!))
          throw new InvalidArgumentError(
            `input element ${i} is ${d[i]}`,
            "remove NaN/Infinity from the input, or leave checkFinite off to let them propagate",
          );
      }
    }
    const b = x.shape[0]!;
    const t = x.ndim === 3 ? x.shape[1]! : 1;
    return { rows: x.reshape([b * t, I]), b, t };
  }
}

/**
 * The layer operations of a backend: the backend itself when it implements them (the GPU backend),
 * `cpuLayerOps` for the CPU backend.
 * @throws {@link ConfigError} for a backend with neither.
 * @category μMoE
 */
export function layerOpsOf<T extends BackendTensor>(backend: Backend<T>): LayerOps<T> {
  const b = backend as Backend<T> & Partial<LayerOps<T>>;
  if (typeof b.softmax === "function" && typeof b.entmax15 === "function" && typeof b.batchNormEval === "function")
    return b as unknown as LayerOps<T>;
  if (backend.name === "cpu") return cpuLayerOps as unknown as LayerOps<T>;
  throw new ConfigError(
    `backend '${backend.name}' has no layer operations (softmax, normalisations, GELU…)`,
    "pass { ops } with its LayerOps, or run the layer on the CPU backend",
  );
}

/** A layer's weights by role, each passed through `up` (an upload, or the identity). @category μMoE */
export function layerTensors<T>(w: MuMoEWeights, up: (x: DenseTensor) => T): LayerTensors<T> {
  return {
    projs: w.projs.map(up),
    bn: w.bn?.map((s) => ({ mean: up(s.runningMean), variance: up(s.runningVar) })),
    inputLn: w.inputLn ? { gamma: up(w.inputLn.weight), beta: up(w.inputLn.bias) } : undefined,
    layer1: w.layer1.map(up),
    layer2: w.layer2?.map(up),
  };
}

/**
 * `[…, K]` → `[…, K+1]` with a last column of ones (the official bias trick).
 * @example
 * ```ts
 * import { appendOnes, tensor } from "multilinear";
 * appendOnes(tensor([[2, 3]])).toArray(); // => [[2, 3, 1]]
 * ```
 * @category μMoE
 */
export function appendOnes<D extends DType>(x: DenseTensor<D>): DenseTensor<D> {
  return cpuLayerOps.appendOnes(x) as DenseTensor<D>;
}

/** The shapes every weight must have, by state_dict key. @category μMoE */
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
    if (!t)
      throw new ConfigError(
        `weight '${key}' is missing (expected shape [${shape.join(", ")}])`,
        `provide '${key}' with shape [${shape.join(", ")}]`,
      );
    if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ConfigError(
        `weight '${key}' has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`,
        "check the layer configuration (dims, ranks, bias) against the weights",
      );
    }
    if (t.dtype !== dtype)
      throw new ConfigError(`weight '${key}' is ${t.dtype} but the first factor is ${dtype}`, "give all weights one dtype");
  }
  for (const key of have.keys()) {
    if (!want.has(key))
      throw new ConfigError(
        `unexpected weight '${key}' for this configuration`,
        "remove it, or fix the configuration (hierarchy, secondDim, applyLn, normalization)",
      );
  }
}
