/**
 * Layer descriptions the budget calculator accepts, and their validation. μMoE layers are described
 * by the shared {@link MuMoEConfig}; the reference layers (linear, dense, sparse top-k and slot-based
 * soft MoE) by the small records below, with the same field names.
 * @module
 */
import { ConfigError, InvalidArgumentError } from "../../errors.js";
import { checkOptionKeys, describeValue } from "../../option-keys.js";
import type { MuMoEConfig, MuMoEKind } from "../config.js";

/** Fields every layer description shares. @category Budgets */
export interface CommonLayerSpec {
  /** Input features `I`. */
  readonly inputDim: number;
  /** Output features `O` of the first layer. */
  readonly outputDim: number;
  /** When > 0, a second layer `O → secondDim` after a GELU (a two-layer MLP block; default 0). */
  readonly secondDim?: number;
  /** Biases on (default true). */
  readonly useBias?: boolean;
  /** A LayerNorm with affine parameters on the input (`2I` parameters, no MACs counted; default false). */
  readonly applyLn?: boolean;
}

/** A linear layer `y = Wᵀz + b` (or a two-layer MLP when `secondDim > 0`). @category Budgets */
export interface LinearSpec extends CommonLayerSpec {
  readonly kind: "linear";
}

/** A dense MoE: every one of `nExperts` linear (or MLP) experts runs, mixed by a softmax gate `G ∈ ℝ^{I×N}`. @category Budgets */
export interface DenseMoESpec extends CommonLayerSpec {
  readonly kind: "dense";
  readonly nExperts: number;
}

/** A sparse top-K MoE (Shazeer et al.): only the `topK` highest-scoring experts run per token. @category Budgets */
export interface SparseMoESpec extends CommonLayerSpec {
  readonly kind: "sparse";
  readonly nExperts: number;
  /** Experts evaluated per token, `1 ≤ K ≤ N`. */
  readonly topK: number;
}

/**
 * Slot-based Soft MoE (Puigcerver et al.; docs/guides/mumoe-reference.md#reference-layers), which is *not* what the μMoE paper's early
 * abstract calls "soft" (that is the dense MoE). Each expert processes `slotsPerExpert` slots that are
 * convex combinations of a sequence's `tokens`; its MACs are counted per sequence and amortised per token.
 * @category Budgets
 */
export interface SoftMoESpec extends CommonLayerSpec {
  readonly kind: "soft";
  readonly nExperts: number;
  /** Slots per expert `S` (default 1). */
  readonly slotsPerExpert?: number;
  /** Tokens per sequence `T` over which the experts' cost is amortised (default `N·S`, one slot per token). */
  readonly tokens?: number;
}

/** A reference (non-factorized) layer. @category Budgets */
export type BaselineSpec = LinearSpec | DenseMoESpec | SparseMoESpec | SoftMoESpec;

/** Every layer the budget calculator knows: a reference layer or a μMoE configuration. @category Budgets */
export type LayerSpec = BaselineSpec | MuMoEConfig;

/** Layer kinds, as the CLI's `--layer` spells them. @category Budgets */
export type LayerKind = BaselineSpec["kind"] | MuMoEKind;

/** All layer kinds, in the order tables list them. @category Budgets */
export const LAYER_KINDS: readonly LayerKind[] = ["linear", "dense", "sparse", "soft", "cp", "tr"];

/**
 * A validated layer with every default filled in, sizes as plain numbers.
 * @internal
 * @category Budgets
 */
export interface ResolvedLayer {
  readonly kind: LayerKind;
  readonly inputDim: number;
  readonly outputDim: number;
  /** 0 when there is no second layer. */
  readonly secondDim: number;
  readonly useBias: boolean;
  readonly applyLn: boolean;
  /** Experts per level; `[N]` for flat MoEs, `[]` for linear. */
  readonly levels: readonly number[];
  /** Top-k (sparse), else the number of experts. */
  readonly topK: number;
  /** Soft MoE slots per expert and tokens per sequence (1 and 1 for other kinds). */
  readonly slots: number;
  readonly tokens: number;
  /** CP rank (cp only). */
  readonly cpRank: number;
  /** TR ring ranks `R_1 … R_{E+2}` (tr only): core k is `R_k × d_k × R_{k+1}`, the last core closes the ring. */
  readonly ring: readonly number[];
}

/** Shape of an expert weight tensor of layer 1 or 2: expert levels, input (+1 bias row), output. @category Budgets */
export function expertTensorShape(layer: ResolvedLayer, which: 1 | 2): number[] {
  const b = layer.useBias ? 1 : 0;
  return which === 1 ? [...layer.levels, layer.inputDim + b, layer.outputDim] : [...layer.levels, layer.outputDim + b, layer.secondDim];
}

function positive(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${String(value)}`, `give ${name} ≥ 1`);
  }
  return value;
}

function nonNegative(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `${name} must be a non-negative integer, got ${String(value)}`,
      `give ${name} ≥ 0 (0 means no second layer)`,
    );
  }
  return value;
}

/** Largest rank any tensor of this shape can have: the product of all sizes but the largest. @category Budgets */
export function maxTensorRank(shape: readonly number[]): bigint {
  let prod = 1n;
  let max = 0n;
  for (const d of shape) {
    const b = BigInt(d);
    prod *= b;
    if (b > max) max = b;
  }
  return max === 0n ? 0n : prod / max;
}

/**
 * Ring ranks `R_1 … R_{E+2}` from the official triples `[[R_1,·,R_2],[R_2,·,R_3],…,[R_{E+2},·,R_1]]`.
 * @throws {@link ConfigError} when there is not one triple per core or neighbouring triples do not chain.
 * @category Budgets
 */
export function ringFromTriples(triples: MuMoEConfig["ranks"], nCores: number): number[] {
  if (typeof triples === "number" || !Array.isArray(triples)) {
    throw new ConfigError(
      "a TR layer needs rank triples, got a single number",
      "pass ranks as [[R1,null,R2],[R2,null,R3],[R3,null,R1]] (one triple per core)",
    );
  }
  if (triples.length !== nCores) {
    throw new ConfigError(
      `a TR layer with ${nCores - 2} expert level(s) has ${nCores} cores but ${triples.length} rank triples were given`,
      "give one [r_left, null, r_right] triple per core: expert levels, then input, then output",
    );
  }
  const ring: number[] = [];
  triples.forEach((t, k) => {
    const left = positive(t[0], `TR rank triple ${k} left rank`);
    positive(t[2], `TR rank triple ${k} right rank`);
    const next = triples[(k + 1) % nCores]!;
    if (t[2] !== next[0]) {
      throw new ConfigError(
        `TR rank triples do not chain: core ${k} ends with rank ${t[2]} but core ${(k + 1) % nCores} starts with ${next[0]}`,
        "the right rank of each core must equal the left rank of the next (and the last core's right rank the first core's left rank)",
      );
    }
    ring.push(left);
  });
  return ring;
}

/** Triples `[[R_1,null,R_2],…]` from ring ranks, the form {@link MuMoEConfig} stores. @category Budgets */
export function triplesFromRing(ring: readonly number[]): [number, null, number][] {
  return ring.map((r, k) => [r, null, ring[(k + 1) % ring.length]!]);
}

/** A rank beyond what an expert tensor can use: what is wrong, and the largest useful value. */
interface RankExcess {
  readonly message: string;
  readonly bound: bigint;
}

function rankExcesses(layer: ResolvedLayer): RankExcess[] {
  if (layer.kind !== "cp" && layer.kind !== "tr") return [];
  const shapes: [number[], string][] = [[expertTensorShape(layer, 1), "first-layer"]];
  if (layer.secondDim > 0) shapes.push([expertTensorShape(layer, 2), "second-layer"]);
  const out: RankExcess[] = [];
  for (const [shape, which] of shapes) {
    const dims = shape.join("×");
    if (layer.kind === "cp") {
      const bound = maxTensorRank(shape);
      const r = BigInt(layer.cpRank);
      if (r > bound) {
        out.push({
          message: `CP rank ${r} is larger than possible for the ${which} expert tensor of shape ${dims}, by ${r - bound}: no tensor of that shape has rank above ${bound} (the product of all sizes but the largest)`,
          bound,
        });
      }
    } else {
      // A ring rank has no sharp maximum the way a CP rank does; this only catches ranks beyond any
      // use: a bond wider than the number of entries of the whole expert tensor.
      const total = shape.reduce((t, d) => t * BigInt(d), 1n);
      layer.ring.forEach((r, k) => {
        if (BigInt(r) > total) {
          out.push({
            message: `TR rank R_${k + 1} = ${r} is larger than possible for the ${which} expert tensor of shape ${dims}, by ${BigInt(r) - total}: it has only ${total} entries`,
            bound: total,
          });
        }
      });
    }
  }
  return out;
}

/**
 * Ranks of a μMoE layer beyond what its expert tensor can use — a CP rank above the largest possible
 * rank of the tensor (the product of all its sizes but the largest), a ring bond wider than the tensor
 * has entries — each said with its excess. Such layers are valid and counted ({@link layerBudget}
 * reports these as `warnings`); the extra rank adds parameters but nothing the tensor can express.
 * @example
 * ```ts
 * import { rankBoundWarnings, resolveLayer } from "multilinear";
 * const layer = resolveLayer({ kind: "cp", inputDim: 113, outputDim: 521, expertDims: [4], ranks: 518 }, { checkRankBound: false });
 * rankBoundWarnings(layer)[0]!.includes("by 62"); // => true
 * ```
 * @category Budgets
 */
export function rankBoundWarnings(layer: ResolvedLayer): string[] {
  return rankExcesses(layer).map((e) => e.message);
}

const COMMON_KEYS = ["kind", "inputDim", "outputDim", "secondDim", "useBias", "applyLn"] as const;

/** The keys each layer kind's description may have (a μMoE config: those of {@link MuMoEConfig}). */
export const LAYER_KEYS: Readonly<Record<LayerKind, readonly string[]>> = {
  linear: COMMON_KEYS,
  dense: [...COMMON_KEYS, "nExperts"],
  sparse: [...COMMON_KEYS, "nExperts", "topK"],
  soft: [...COMMON_KEYS, "nExperts", "slotsPerExpert", "tokens"],
  cp: [...COMMON_KEYS, "expertDims", "ranks", "normalization", "act"],
  tr: [...COMMON_KEYS, "expertDims", "ranks", "normalization", "act"],
};

/**
 * Validates a layer description and fills in the defaults.
 * @throws {@link InvalidArgumentError} for non-positive sizes, `topK > nExperts`, or a rank larger than possible.
 * @throws {@link ConfigError} for inconsistent TR rank triples.
 * @throws {@link UnknownOptionError} for a key the layer kind does not have (a typo such as `useBais`).
 * @internal
 * @category Budgets
 */
export function resolveLayer(spec: LayerSpec, options: { readonly checkRankBound?: boolean } = {}): ResolvedLayer {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new InvalidArgumentError(
      `a layer description must be an object, got ${describeValue(spec)}`,
      "pass e.g. { kind: 'cp', inputDim: 768, outputDim: 1000, expertDims: [512], ranks: 165 }",
    );
  }
  const kind = spec.kind;
  if (!LAYER_KINDS.includes(kind)) {
    throw new InvalidArgumentError(`unknown layer kind '${String(kind)}'`, `use one of: ${LAYER_KINDS.join(", ")}`);
  }
  checkOptionKeys(spec, LAYER_KEYS[kind], kind === "cp" || kind === "tr" ? "the μMoE config" : `the ${kind} layer spec`);
  if (spec.useBias !== undefined && typeof spec.useBias !== "boolean")
    throw new InvalidArgumentError(`useBias must be a boolean, got ${describeValue(spec.useBias)}`, "pass useBias: true or false");
  if (spec.applyLn !== undefined && typeof spec.applyLn !== "boolean")
    throw new InvalidArgumentError(`applyLn must be a boolean, got ${describeValue(spec.applyLn)}`, "pass applyLn: true or false");
  const inputDim = positive(spec.inputDim, "inputDim");
  const outputDim = positive(spec.outputDim, "outputDim");
  const secondDim = nonNegative(spec.secondDim ?? 0, "secondDim");
  const useBias = spec.useBias ?? true;
  const applyLn = spec.applyLn ?? false;
  const base = { kind, inputDim, outputDim, secondDim, useBias, applyLn, slots: 1, tokens: 1, cpRank: 0, ring: [] as number[] };
  switch (spec.kind) {
    case "linear":
      return { ...base, levels: [], topK: 0 };
    case "dense": {
      const n = positive(spec.nExperts, "nExperts");
      return { ...base, levels: [n], topK: n };
    }
    case "sparse": {
      const n = positive(spec.nExperts, "nExperts");
      const k = positive(spec.topK, "topK");
      if (k > n) throw new InvalidArgumentError(`topK ${k} is larger than the number of experts ${n}`, `use 1 ≤ topK ≤ ${n}`);
      return { ...base, levels: [n], topK: k };
    }
    case "soft": {
      const n = positive(spec.nExperts, "nExperts");
      const s = positive(spec.slotsPerExpert ?? 1, "slotsPerExpert");
      const t = positive(spec.tokens ?? n * s, "tokens");
      return { ...base, levels: [n], topK: n, slots: s, tokens: t };
    }
    case "cp":
    case "tr": {
      if (!Array.isArray(spec.expertDims) || spec.expertDims.length === 0) {
        throw new InvalidArgumentError(
          "expertDims must list the experts of at least one level, e.g. [512] or [16, 32]",
          "pass expertDims: [N] (or one entry per hierarchy level)",
        );
      }
      const levels = spec.expertDims.map((n, l) => positive(n, `expertDims[${l}]`));
      const layer: ResolvedLayer =
        spec.kind === "cp"
          ? { ...base, levels, topK: 0, cpRank: positive(typeof spec.ranks === "number" ? spec.ranks : NaN, "CP rank") }
          : { ...base, levels, topK: 0, ring: ringFromTriples(spec.ranks, levels.length + 2) };
      const excess = (options.checkRankBound ?? true) ? rankExcesses(layer)[0] : undefined;
      if (excess) throw new InvalidArgumentError(excess.message, `use ${layer.kind === "cp" ? "a rank" : "ranks"} ≤ ${excess.bound}`);
      return layer;
    }
  }
}
