/**
 * Reference mixture-of-experts layers, used as oracles and baselines: the dense MoE
 * (`y = Σₙ aₙ (Wₙᵀz + bₙ)`, every expert evaluated), the sparse top-k MoE (renormalised gate over
 * the k best experts) and the slot-based Soft MoE of Puigcerver et al. Their parameters use the names
 * the budget calculator counts (`gate.weight`, `experts.weight`, `experts.bias`, `phi`, …).
 * @module
 */
import { ConfigError, InvalidArgumentError } from "../errors.js";
import { DenseTensor } from "../tensor/dense.js";
import { randn, zeros } from "../tensor/create.js";
import { allocate, type DType } from "../tensor/dtype.js";
import { shapeSize, shapeSizeBig } from "../tensor/shape.js";
import { einsum } from "../tensor/api/einsum.js";
import type { Backend, BackendTensor } from "../tensor/backends/backend.js";
import { softmax } from "../tensor/activations.js";
import { activate } from "./gate.js";
import type { GateActivation } from "./config.js";
import { appendOnes } from "./mumoe.js";
import { gelu } from "../math/special.js";

/**
 * `y[m] = Σ_{n_1…n_E} (∏_l a_l[m, n_l]) · Σ_i z̃[m, i] W[n_1…n_E, i, :]`, by an explicit loop over experts:
 * the dense meaning of a μMoE layer (docs/guides/mumoe-reference.md#mumoe-layer), independent of any contraction path.
 * @param W - `[N_1, …, N_E, Ĩ, O]`.
 * @param gates - per level `[M, N_l]`.
 * @param input - `[M, Ĩ]` (with the bias column when W carries biases).
 * @category μMoE
 */
export function denseExpertsForward(W: DenseTensor, gates: readonly DenseTensor[], input: DenseTensor): DenseTensor {
  const E = gates.length;
  const levels = W.shape.slice(0, E);
  const [In, O] = W.shape.slice(E) as [number, number];
  const M = input.shape[0]!;
  if (input.shape[1] !== In)
    throw new InvalidArgumentError(
      `the input has ${input.shape[1]} features but the experts take ${In}`,
      "append the bias column when the weights carry biases",
    );
  const w = W.toTypedArray();
  const z = input.toTypedArray();
  const a = gates.map((g) => g.toTypedArray());
  const out = allocate(input.dtype, M * O);
  const nExperts = shapeSize(levels);
  const acc = new Float64Array(O);
  for (let m = 0; m < M; m++) {
    acc.fill(0);
    for (let e = 0; e < nExperts; e++) {
      let coef = 1;
      let rest = e;
      for (let l = E - 1; l >= 0; l--) {
        const n = rest % levels[l]!;
        rest = Math.floor(rest / levels[l]!);
        coef *= a[l]![m * levels[l]! + n]!;
      }
      if (coef === 0) continue;
      for (let i = 0; i < In; i++) {
        const c = coef * z[m * In + i]!;
        if (c === 0) continue;
        const base = (e * In + i) * O;
        for (let o = 0; o < O; o++) acc[o] = acc[o]! + c * w[base + o]!;
      }
    }
    for (let o = 0; o < O; o++) out[m * O + o] = acc[o]!;
  }
  return new DenseTensor(out, [M, O]);
}

/** What {@link muMoEDenseForward} needs of a layer ({@link MuMoELayer} has it). @category μMoE */
export interface DenseCheckable {
  readonly config: { readonly inputDim: number; readonly useBias?: boolean; readonly secondDim?: number };
  /** Gates per level, `[B, T, N_l]`. */
  gates(x: DenseTensor): DenseTensor[];
  /** Dense expert tensor of layer 1 or 2, `N_1×…×N_E×Ĩ×O`. */
  toDense(which?: 1 | 2): DenseTensor;
  /** Affine input LayerNorm, when the layer has one. */
  readonly inputLn?: { readonly weight: DenseTensor; readonly bias: DenseTensor } | undefined;
}

/**
 * The forward pass of a μMoE layer (see {@link MuMoELayer}) computed densely: its own gates, but the expert tensors formed by
 * `toDense()` and contracted by {@link denseExpertsForward}. Equal to `layer.forward(x)` up to rounding.
 * @category μMoE
 */
export function muMoEDenseForward(layer: DenseCheckable, x: DenseTensor): DenseTensor {
  const b = x.shape[0]!;
  const t = x.ndim === 3 ? x.shape[1]! : 1;
  const gates = layer.gates(x).map((g) => g.reshape([b * t, g.shape[2]!]));
  let z = x.reshape([b * t, layer.config.inputDim]);
  const ln = layer.inputLn;
  if (ln) {
    const w = ln.weight.toTypedArray();
    const bb = ln.bias.toTypedArray();
    const I = layer.config.inputDim;
    const src = z.toTypedArray();
    const out = allocate(z.dtype, src.length);
    for (let r = 0; r < b * t; r++) {
      let mean = 0;
      for (let i = 0; i < I; i++) mean += src[r * I + i]!;
      mean /= I;
      let v = 0;
      for (let i = 0; i < I; i++) v += (src[r * I + i]! - mean) ** 2;
      const inv = 1 / Math.sqrt(v / I + 1e-5);
      for (let i = 0; i < I; i++) out[r * I + i] = (src[r * I + i]! - mean) * inv * w[i]! + bb[i]!;
    }
    z = new DenseTensor(out, z.shape);
  }
  const aug = (v: DenseTensor): DenseTensor => ((layer.config.useBias ?? true) ? appendOnes(v) : v);
  let y = denseExpertsForward(layer.toDense(1), gates, aug(z));
  if ((layer.config.secondDim ?? 0) > 0) {
    y = denseExpertsForward(layer.toDense(2), gates, aug(mapGelu(y)));
  }
  return y.reshape([b, t, y.shape[1]!]);
}

/** Configuration of the reference MoE layers. @category μMoE */
export interface MoEConfig {
  /** Input features I. */
  readonly inputDim: number;
  /** Output features O (of the first layer). */
  readonly outputDim: number;
  /** Number of experts N. */
  readonly nExperts: number;
  /** Two-layer experts `O → secondDim` after GELU (default 0: one linear layer per expert). */
  readonly secondDim?: number;
  /** Expert biases (default true). */
  readonly useBias?: boolean;
}

/** Weights of the dense and sparse MoE references (names as the budget calculator counts them). @category μMoE */
export interface MoEWeights {
  /** Gating projection `G`, stored `[N, I]` as `nn.Linear` does. */
  readonly gate: DenseTensor;
  /** `[N, I, O]`. */
  readonly weight: DenseTensor;
  /** `[N, O]`, when useBias. */
  readonly bias?: DenseTensor;
  /** Second layer `[N, O, D]` and `[N, D]` for two-layer experts. */
  readonly weight2?: DenseTensor;
  readonly bias2?: DenseTensor;
}

/** Options of the reference layers' forward passes. @category μMoE */
export interface MoEForwardOptions {
  /** Backend for the contractions (default: the CPU backend). */
  readonly backend?: Backend<BackendTensor>;
}

abstract class ExpertsBase {
  constructor(
    readonly config: MoEConfig,
    readonly weights: MoEWeights,
  ) {
    const { inputDim: I, outputDim: O, nExperts: N } = config;
    const D = config.secondDim ?? 0;
    const want: [string, DenseTensor | undefined, number[]][] = [
      ["gate.weight", weights.gate, [N, I]],
      [D > 0 ? "experts.fc1.weight" : "experts.weight", weights.weight, [N, I, O]],
    ];
    if (config.useBias ?? true) want.push([D > 0 ? "experts.fc1.bias" : "experts.bias", weights.bias, [N, O]]);
    if (D > 0) {
      want.push(["experts.fc2.weight", weights.weight2, [N, O, D]]);
      if (config.useBias ?? true) want.push(["experts.fc2.bias", weights.bias2, [N, D]]);
    }
    for (const [key, t, shape] of want) {
      if (!t) throw new ConfigError(`weight '${key}' is missing (expected shape [${shape.join(", ")}])`, `provide '${key}'`);
      if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new ConfigError(
          `weight '${key}' has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`,
          "check nExperts, inputDim, outputDim and secondDim",
        );
      }
    }
  }

  /** Parameters under the names the budget calculator uses. */
  namedParameters(): ReadonlyMap<string, DenseTensor> {
    const w = this.weights;
    const two = (this.config.secondDim ?? 0) > 0;
    const m = new Map<string, DenseTensor>([["gate.weight", w.gate]]);
    m.set(two ? "experts.fc1.weight" : "experts.weight", w.weight);
    if (w.bias) m.set(two ? "experts.fc1.bias" : "experts.bias", w.bias);
    if (two) {
      m.set("experts.fc2.weight", w.weight2!);
      if (w.bias2) m.set("experts.fc2.bias", w.bias2);
    }
    return m;
  }

  /** Number of trainable scalars. */
  parameterCount(): bigint {
    let n = 0n;
    for (const t of this.namedParameters().values()) n += shapeSizeBig(t.shape);
    return n;
  }

  /** Gate logits `x·Gᵀ`, `[M, N]`. */
  protected logits(rows: DenseTensor, o: MoEForwardOptions): DenseTensor {
    return einsum("mi,ni->mn", [rows, this.weights.gate], { backend: o.backend });
  }

  /**
   * `Σₙ aₙ · expertₙ(x)` with every expert evaluated (the dense MoE). A one-layer expert is contracted
   * as one einsum (the path optimizer picks the order); two-layer experts need each expert's hidden layer.
   */
  protected combineDense(rows: DenseTensor, a: DenseTensor, o: MoEForwardOptions): DenseTensor {
    const backend = o.backend;
    const w = this.weights;
    if (!w.weight2) {
      // a ⊗ x first: the weight [N, I, O] then enters the GEMM as the contiguous [N·I, O] it already is
      // (the other order of equal cost would copy the whole weight into [I, N·O]).
      const y = einsum("mn,mi,nio->mo", [a, rows, w.weight], {
        optimize: {
          path: [
            [0, 1],
            [0, 1],
          ],
        },
        backend,
      });
      return w.bias ? addInPlace(y, einsum("mn,no->mo", [a, w.bias], { backend })) : y;
    }
    let h = einsum("mi,nio->mno", [rows, w.weight], { backend });
    if (w.bias) h = addInPlace(h, broadcastRows(w.bias, rows.shape[0]!));
    const g = mapGelu(h);
    const y = einsum("mn,mnp,npq->mq", [a, g, w.weight2], { backend });
    return w.bias2 ? addInPlace(y, einsum("mn,nq->mq", [a, w.bias2], { backend })) : y;
  }

  /**
   * `Σₙ aₙ · expertₙ(x)` evaluating expert n only on the tokens whose coefficient is non-zero (the
   * sparse MoE's routing: K of N experts per token).
   */
  protected combineRouted(rows: DenseTensor, a: DenseTensor, o: MoEForwardOptions): DenseTensor {
    const backend = o.backend;
    const w = this.weights;
    const [M, I] = rows.shape as [number, number];
    const N = this.config.nExperts;
    const O = w.weight2 ? w.weight2.shape[2]! : w.weight.shape[2]!;
    const out = allocate(rows.dtype, M * O);
    const x = rows.toTypedArray();
    const ad = a.toTypedArray();
    for (let n = 0; n < N; n++) {
      const tokens: number[] = [];
      for (let m = 0; m < M; m++) if (ad[m * N + n] !== 0) tokens.push(m);
      if (tokens.length === 0) continue;
      const xn = allocate(rows.dtype, tokens.length * I);
      tokens.forEach((m, k) => xn.set(x.subarray(m * I, m * I + I), k * I));
      const xt = new DenseTensor(xn, [tokens.length, I]);
      let h = einsum("mi,io->mo", [xt, w.weight.select(0, n)], { backend });
      if (w.bias) h = addInPlace(h, broadcastRows(w.bias.select(0, n), tokens.length));
      if (w.weight2) {
        h = einsum("mi,io->mo", [mapGelu(h), w.weight2.select(0, n)], { backend });
        if (w.bias2) h = addInPlace(h, broadcastRows(w.bias2.select(0, n), tokens.length));
      }
      const hd = h.toTypedArray();
      tokens.forEach((m, k) => {
        const c = ad[m * N + n]!;
        for (let o = 0; o < O; o++) out[m * O + o] = out[m * O + o]! + c * hd[k * O + o]!;
      });
    }
    return new DenseTensor(out, [M, O]);
  }

  protected rows(x: DenseTensor): { rows: DenseTensor; b: number; t: number } {
    const I = this.config.inputDim;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== I) {
      throw new InvalidArgumentError(
        `the layer takes [B, ${I}] or [B, T, ${I}] inputs, got [${x.shape.join(", ")}]`,
        `give the input ${I} features on its last axis`,
      );
    }
    const b = x.shape[0]!;
    const t = x.ndim === 3 ? x.shape[1]! : 1;
    return { rows: x.reshape([b * t, I]), b, t };
  }
}

/**
 * Dense MoE: `a = act(x·Gᵀ)` (softmax by default), `y = Σₙ aₙ (Wₙᵀx + bₙ)`; every expert runs.
 * Output `[B, T, O]` like the μMoE layer.
 * @example
 * ```ts
 * import { DenseMoE, randn } from "multilinear";
 * const moe = DenseMoE.random({ inputDim: 4, outputDim: 3, nExperts: 5 }, { seed: 1 });
 * moe.forward(randn([2, 4], { seed: 2 })).shape; // => [2, 1, 3]
 * moe.parameterCount(); // => 95n
 * ```
 * @category μMoE
 */
export class DenseMoE extends ExpertsBase {
  /** @param act - gate activation (default softmax). */
  constructor(
    config: MoEConfig,
    weights: MoEWeights,
    readonly act: GateActivation = "softmax",
  ) {
    super(config, weights);
  }

  /** A layer with seeded N(0, 1/I) weights (and N(0, 1/O) second layer). */
  static random(config: MoEConfig, options: { readonly seed: number; readonly dtype?: DType; readonly act?: GateActivation }): DenseMoE {
    return new DenseMoE(config, randomWeights(config, options.seed, options.dtype ?? "float64"), options.act);
  }

  /** Gate coefficients `[B, T, N]`. */
  gates(x: DenseTensor, options: MoEForwardOptions = {}): DenseTensor {
    const { rows, b, t } = this.rows(x);
    return activate(this.logits(rows, options), this.act).reshape([b, t, this.config.nExperts]);
  }

  /** `[B, T, O]`. */
  forward(x: DenseTensor, options: MoEForwardOptions = {}): DenseTensor {
    const { rows, b, t } = this.rows(x);
    const a = activate(this.logits(rows, options), this.act);
    const y = this.combineDense(rows, a, options);
    return y.reshape([b, t, y.shape[1]!]);
  }
}

/**
 * Sparse top-k MoE (Shazeer et al.): the k largest gate logits are softmax-renormalised, the others
 * get 0, and only those experts contribute.
 * @category μMoE
 */
export class SparseMoE extends ExpertsBase {
  constructor(
    config: MoEConfig,
    weights: MoEWeights,
    readonly topK: number,
  ) {
    super(config, weights);
    if (!Number.isInteger(topK) || topK < 1 || topK > config.nExperts) {
      throw new InvalidArgumentError(
        `topK ${topK} must be an integer from 1 to the ${config.nExperts} experts`,
        `use 1 ≤ topK ≤ ${config.nExperts}`,
      );
    }
  }

  /** A layer with seeded random weights. */
  static random(config: MoEConfig, topK: number, options: { readonly seed: number; readonly dtype?: DType }): SparseMoE {
    return new SparseMoE(config, randomWeights(config, options.seed, options.dtype ?? "float64"), topK);
  }

  /** Gate coefficients `[B, T, N]` with at most k non-zeros per token. */
  gates(x: DenseTensor, options: MoEForwardOptions = {}): DenseTensor {
    const { rows, b, t } = this.rows(x);
    return activate(this.logits(rows, options), "softmax", this.topK).reshape([b, t, this.config.nExperts]);
  }

  /** `[B, T, O]`. */
  forward(x: DenseTensor, options: MoEForwardOptions = {}): DenseTensor {
    const { rows, b, t } = this.rows(x);
    const y = this.combineRouted(rows, activate(this.logits(rows, options), "softmax", this.topK), options);
    return y.reshape([b, t, y.shape[1]!]);
  }
}

/** Weights of {@link SoftMoE}: slot parameters `Φ ∈ ℝ^{I×(N·S)}` and the experts. @category μMoE */
export interface SoftMoEWeights extends Omit<MoEWeights, "gate"> {
  readonly phi: DenseTensor;
}

/**
 * Slot-based Soft MoE (Puigcerver et al.; docs/guides/mumoe-reference.md#reference-layers — not what the μMoE paper's early abstract calls
 * "soft"). For a sequence `X [T, I]`: logits `L = XΦ`, dispatch `D = softmax over tokens`, slot inputs
 * `X̃ = DᵀX`, expert n processes its S slots, combine `C = softmax over slots`, `Y = C·Ỹ`.
 * @category μMoE
 */
export class SoftMoE {
  readonly experts: DenseMoE;
  constructor(
    readonly config: MoEConfig & { readonly slotsPerExpert?: number },
    readonly weights: SoftMoEWeights,
  ) {
    const S = config.slotsPerExpert ?? 1;
    const want = [config.inputDim, config.nExperts * S];
    if (weights.phi.ndim !== 2 || weights.phi.shape[0] !== want[0] || weights.phi.shape[1] !== want[1]) {
      throw new ConfigError(
        `weight 'phi' has shape [${weights.phi.shape.join(", ")}], expected [${want.join(", ")}]`,
        "Φ is inputDim × (nExperts · slotsPerExpert)",
      );
    }
    // The experts reuse the dense MoE's per-expert layers; its gate is unused.
    this.experts = new DenseMoE(config, { ...weights, gate: zeros([config.nExperts, config.inputDim], { dtype: weights.weight.dtype }) });
  }

  /** A layer with seeded random weights. */
  static random(
    config: MoEConfig & { readonly slotsPerExpert?: number },
    options: { readonly seed: number; readonly dtype?: DType },
  ): SoftMoE {
    const dtype = options.dtype ?? "float64";
    const w = randomWeights(config, options.seed, dtype);
    const S = config.slotsPerExpert ?? 1;
    const phi = scaled(randn([config.inputDim, config.nExperts * S], { seed: options.seed + 7, dtype }), 1 / Math.sqrt(config.inputDim));
    return new SoftMoE(config, {
      weight: w.weight,
      phi,
      ...(w.bias ? { bias: w.bias } : {}),
      ...(w.weight2 ? { weight2: w.weight2 } : {}),
      ...(w.bias2 ? { bias2: w.bias2 } : {}),
    });
  }

  /** Parameters: `phi` and the experts (`experts.*`). */
  namedParameters(): ReadonlyMap<string, DenseTensor> {
    const m = new Map<string, DenseTensor>([["phi", this.weights.phi]]);
    for (const [k, v] of this.experts.namedParameters()) if (k !== "gate.weight") m.set(k, v);
    return m;
  }

  /** Number of trainable scalars. */
  parameterCount(): bigint {
    let n = 0n;
    for (const t of this.namedParameters().values()) n += shapeSizeBig(t.shape);
    return n;
  }

  /** `[B, T, I]` (a `[B, I]` input is one token per sequence) → `[B, T, O]`. */
  forward(x: DenseTensor): DenseTensor {
    const I = this.config.inputDim;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== I) {
      throw new InvalidArgumentError(
        `the layer takes [B, ${I}] or [B, T, ${I}] inputs, got [${x.shape.join(", ")}]`,
        `give the input ${I} features on its last axis`,
      );
    }
    const X = x.ndim === 2 ? x.reshape([x.shape[0]!, 1, I]) : x;
    const B = X.shape[0]!;
    const N = this.config.nExperts;
    const S = this.config.slotsPerExpert ?? 1;
    const L = einsum("bti,is->bts", [X, this.weights.phi]);
    const D = softmax(L.permute([0, 2, 1]).contiguous()).permute([0, 2, 1]); // softmax over tokens
    const C = softmax(L); // softmax over slots
    const slots = einsum("bts,bti->bsi", [D, X]).reshape([B, N, S, I]);
    const w = this.weights;
    let h = einsum("bnsi,nio->bnso", [slots, w.weight]);
    if (w.bias) h = addPerExpert(h, w.bias);
    if (w.weight2) {
      h = einsum("bnsi,nio->bnso", [mapGelu(h), w.weight2]);
      if (w.bias2) h = addPerExpert(h, w.bias2);
    }
    const O = h.shape[3]!;
    return einsum("bts,bso->bto", [C, h.reshape([B, N * S, O])]);
  }
}

/** `x += y` (same shape), returning x. */
function addInPlace<D extends DType>(x: DenseTensor<D>, y: DenseTensor): DenseTensor<D> {
  const yd = y.toTypedArray();
  const xd = x.data;
  for (let p = 0; p < xd.length; p++) xd[p] = xd[p]! + yd[p]!;
  return x;
}

/** `[..., K]` repeated over `m` leading rows: `[m, ..., K]`. */
function broadcastRows(b: DenseTensor, m: number): DenseTensor {
  return b.broadcastTo([m, ...b.shape]).contiguous();
}

function mapGelu<D extends DType>(h: DenseTensor<D>): DenseTensor<D> {
  const src = h.toTypedArray();
  const out = allocate(h.dtype, src.length);
  for (let p = 0; p < src.length; p++) out[p] = gelu(src[p]!);
  return new DenseTensor(out, h.shape);
}

function addPerExpert(h: DenseTensor, b: DenseTensor): DenseTensor {
  // h [B, N, S, O] += b [N, O]
  const [B, N, S, O] = h.shape as [number, number, number, number];
  const out = h.clone();
  const bd = b.toTypedArray();
  for (let p = 0; p < B * N * S * O; p++) {
    const n = Math.floor(p / (S * O)) % N;
    out.data[p] = out.data[p]! + bd[n * O + (p % O)]!;
  }
  return out;
}

function scaled<D extends DType>(x: DenseTensor<D>, s: number): DenseTensor<D> {
  for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! * s;
  return x;
}

function randomWeights(config: MoEConfig, seed: number, dtype: DType): MoEWeights {
  const { inputDim: I, outputDim: O, nExperts: N } = config;
  const D = config.secondDim ?? 0;
  const bias = config.useBias ?? true;
  const w: MoEWeights = {
    gate: scaled(randn([N, I], { seed, dtype }), 1 / Math.sqrt(I)),
    weight: scaled(randn([N, I, O], { seed: seed + 1, dtype }), 1 / Math.sqrt(I)),
    ...(bias ? { bias: scaled(randn([N, O], { seed: seed + 2, dtype }), 0.1) } : {}),
    ...(D > 0 ? { weight2: scaled(randn([N, O, D], { seed: seed + 3, dtype }), 1 / Math.sqrt(O)) } : {}),
    ...(D > 0 && bias ? { bias2: scaled(randn([N, D], { seed: seed + 4, dtype }), 0.1) } : {}),
  };
  return w;
}
