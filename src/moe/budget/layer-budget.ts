/**
 * Parameter and FLOP budgets of one layer: linear, dense / sparse top-K / slot-based soft MoE,
 * CPμMoE, TRμMoE (hierarchical or not), each optionally a two-layer MLP block, with or without bias
 * and input LayerNorm (docs/guides/mumoe-reference.md#counts).
 *
 * Conventions: counts are exact bigints; `params` is everything the layer holds (factors, gating
 * projections, biases, LayerNorm affine terms), not BatchNorm buffers. MACs are multiply-accumulates
 * **per token**; `flops = 2 × macs`. Bias additions, normalisations, activations and top-k selection
 * are not counted (see `budget-macs.ts`).
 * @module
 */
import { formulaScope, formulaToTex, layerFormulas, type LayerFormulas } from "./formula.js";
import { macEntries, naiveMacEntries, totalMacs, type MacEntry } from "./macs.js";
import { activeParameterCount, parameterEntries, type ParameterEntry } from "./params.js";
import { rankBoundWarnings, resolveLayer, type LayerKind, type LayerSpec, type ResolvedLayer } from "./spec.js";
import { expertRankBound } from "./expert-rank.js";

/** The budget of one layer. @category Budgets */
export interface LayerBudget {
  readonly kind: LayerKind;
  /** The description it was computed from. */
  readonly spec: LayerSpec;
  /** Every parameter tensor, by name and shape (PyTorch `state_dict()` keys for μMoE layers). */
  readonly parameters: readonly ParameterEntry[];
  /** Everything the layer holds. */
  readonly params: bigint;
  /** Parameters one token uses (sparse MoE: the K selected experts plus the gate; others: `params`). */
  readonly activeParams: bigint;
  /** Multiply-accumulates per token in the fast order, term by term, and their sum. */
  readonly macsBreakdown: readonly MacEntry[];
  readonly macs: bigint;
  /** `2 × macs`. */
  readonly flops: bigint;
  /** μMoE only: MACs per token when the dense expert tensor is built first (docs/guides/mumoe-reference.md#fast-vs-naive). */
  readonly naiveMacsBreakdown?: readonly MacEntry[];
  readonly naiveMacs?: bigint;
  /** CP rank, TR ring ranks `[R_1, …, R_{E+2}]`, or null for reference layers. */
  readonly ranks: number | readonly number[] | null;
  /** Largest rank of one expert's first-layer weight matrix (bias row excluded). */
  readonly maxExpertRank: number;
  /** The same for the second layer of a two-layer block (`O×D`). */
  readonly maxExpertRankLayer2?: number;
  /** The formulas as mathjs expressions, and the value of each symbol they use. */
  readonly formulas: LayerFormulas;
  /**
   * Ranks beyond what the expert tensor can use (see {@link rankBoundWarnings}): counted all the same,
   * each said here with its excess. Empty for every other layer.
   */
  readonly warnings: readonly string[];
  readonly symbols: Readonly<Record<string, bigint>>;
}

/**
 * The budget of a validated layer.
 * @internal
 */
export function layerBudgetResolved(layer: ResolvedLayer, spec: LayerSpec): LayerBudget {
  const parameters = parameterEntries(layer);
  const macsBreakdown = macEntries(layer);
  const macs = totalMacs(macsBreakdown);
  const mumoe = layer.kind === "cp" || layer.kind === "tr";
  const naive = mumoe ? naiveMacEntries(layer) : undefined;
  return {
    kind: layer.kind,
    spec,
    parameters,
    params: parameters.reduce((a, p) => a + p.count, 0n),
    activeParams: activeParameterCount(layer, parameters),
    macsBreakdown,
    macs,
    flops: 2n * macs,
    ...(naive ? { naiveMacsBreakdown: naive, naiveMacs: totalMacs(naive) } : {}),
    ranks: layer.kind === "cp" ? layer.cpRank : layer.kind === "tr" ? [...layer.ring] : null,
    maxExpertRank: expertRankBound(layer, 1),
    ...(layer.secondDim > 0 ? { maxExpertRankLayer2: expertRankBound(layer, 2) } : {}),
    formulas: layerFormulas(layer),
    warnings: rankBoundWarnings(layer),
    symbols: formulaScope(layer),
  };
}

/**
 * Parameters, MACs/FLOPs per token and expert-rank bound of a layer.
 * A rank larger than the expert tensor can use is counted all the same and reported in `warnings`.
 * @throws {@link InvalidArgumentError} for non-positive sizes or `topK > nExperts`.
 * @throws {@link ConfigError} for TR rank triples that do not chain.
 * @example
 * ```ts
 * import { layerBudget } from "multilinear";
 * // CLIP ViT-B/32 ImageNet head as a parameter-matched CPμMoE with 512 experts (docs/guides/mumoe-reference.md#worked-clip).
 * const b = layerBudget({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: 165 });
 * b.params; // => 769581n
 * b.macs; // => 769746n
 * b.maxExpertRank; // => 165
 * layerBudget({ kind: "linear", inputDim: 768, outputDim: 1000 }).params; // => 769000n
 * ```
 * @category Budgets
 */
export function layerBudget(spec: LayerSpec): LayerBudget {
  return layerBudgetResolved(resolveLayer(spec, { checkRankBound: false }), spec);
}

/** The TeX of every formula of a budget. @category Budgets */
export function budgetTex(budget: LayerBudget): Readonly<Record<keyof LayerFormulas, string>> {
  const out: Partial<Record<keyof LayerFormulas, string>> = {};
  for (const [k, v] of Object.entries(budget.formulas) as [keyof LayerFormulas, string | undefined][]) {
    if (v !== undefined) out[k] = formulaToTex(v);
  }
  return out as Record<keyof LayerFormulas, string>;
}
