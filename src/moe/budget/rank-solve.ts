/**
 * Parameter matching (docs/guides/mumoe-reference.md#rank-matching): the CP rank, or the TR rank on the input–output link of the ring
 * (`R_3` for one level; every other ring rank fixed, 4 by default as in the official code), that makes
 * a μMoE layer cost a target number of parameters. The parameter count is affine in that rank,
 * `params(r) = fixed + slope·r`, so the answer is exact:
 * - `"ceil"` (the official `finetune.py` rule): the smallest r with `params(r) ≥ target`, i.e.
 *   `ceil((target − fixed) / slope)`; it may overshoot by less than one rank unit (`slope`);
 *   infeasible when `fixed ≥ target` (the code would build a rank-0 layer);
 * - `"under"`: the largest r with `params(r) ≤ target`; infeasible when even r = 1 exceeds it.
 * Either way r is capped at the largest rank the expert tensor can use (see `resolveLayer`).
 * @module
 */
import { InfeasibleBudgetError, InvalidArgumentError } from "../../errors.js";
import { checkOptionKeys, describeValue } from "../../option-keys.js";
import { layerBudget } from "./layer-budget.js";
import { parameterEntries } from "./params.js";
import { expertTensorShape, maxTensorRank, resolveLayer, ringFromTriples, triplesFromRing, type ResolvedLayer } from "./spec.js";
import type { MuMoEConfig } from "../config.js";

/** How to round the matched rank. @category Budgets */
export type MatchMode = "ceil" | "under";

/** A μMoE configuration whose rank is to be solved (`ranks` optional: for TR it supplies the fixed ring ranks). @category Budgets */
export type RankTemplate = Omit<MuMoEConfig, "ranks"> & { readonly ranks?: MuMoEConfig["ranks"] };

/** Options of {@link matchRank}. @category Budgets */
export interface RankMatchOptions {
  /** Rounding (default `"ceil"`, the official rule). */
  readonly mode?: MatchMode;
  /**
   * TR only: the ring ranks that stay fixed, `R_1 … R_{E+1}` (one number for all). Default: taken from
   * the template's triples when given, else 4 (the official `R_1 = R_2 = 4`).
   */
  readonly fixedRanks?: number | readonly number[];
}

/** A rank that meets the budget. @category Budgets */
export interface RankMatchFound {
  readonly feasible: true;
  readonly mode: MatchMode;
  /** The solved rank (CP `R`, or TR `R_{E+2}`). */
  readonly rank: number;
  /** The full configuration with the solved rank. */
  readonly config: MuMoEConfig;
  readonly params: bigint;
  readonly target: bigint;
  /** `params − target` (positive: over budget). */
  readonly difference: bigint;
  /** `(params − target) / target`. */
  readonly relativeDifference: number;
  /** Parameters added per unit of rank. */
  readonly slope: bigint;
  /** `"budget"` normally; `"max-rank"` when the budget would allow a rank the expert tensor cannot use. */
  readonly limitedBy: "budget" | "max-rank";
}

/** No rank ≥ 1 meets the budget. @category Budgets */
export interface RankMatchInfeasible {
  readonly feasible: false;
  readonly mode: MatchMode;
  readonly target: bigint;
  /** Parameters at rank 1 (the least the layer can cost). */
  readonly minimumParams: bigint;
  /** Parameters that do not depend on the rank (gating projections, LayerNorm, fixed TR cores). */
  readonly fixedParams: bigint;
  readonly reason: string;
}

/** The outcome of {@link matchRank}. @category Budgets */
export type RankMatch = RankMatchFound | RankMatchInfeasible;

/** `(params − target) / target` as a float. @category Budgets */
export function relativeDifference(params: bigint, target: bigint): number {
  return Number(params - target) / Number(target);
}

function ringFor(rank: number, fixed: readonly number[]): [number, null, number][] {
  return triplesFromRing([...fixed, rank]);
}

function fixedRingRanks(template: RankTemplate, options: RankMatchOptions): number[] {
  const e = template.expertDims.length;
  const given = options.fixedRanks;
  if (given !== undefined) {
    if (typeof given !== "number" && !Array.isArray(given))
      throw new InvalidArgumentError(
        `fixedRanks must be a number or a list of numbers, got ${describeValue(given)}`,
        "pass e.g. fixedRanks: 4",
      );
    const list = typeof given === "number" ? Array<number>(e + 1).fill(given) : [...given];
    if (list.length !== e + 1) {
      throw new InvalidArgumentError(
        `fixedRanks has ${list.length} entries, a TR layer with ${e} expert level(s) needs ${e + 1} (R_1 … R_${e + 1})`,
        "give one rank per fixed ring link, or a single number",
      );
    }
    return list;
  }
  if (template.ranks !== undefined && typeof template.ranks !== "number") return ringFromTriples(template.ranks, e + 2).slice(0, e + 1);
  return Array<number>(e + 1).fill(4);
}

/** The configuration with rank r on the solved link. */
function withRank(template: RankTemplate, r: number, fixed: readonly number[]): MuMoEConfig {
  return { ...template, ranks: template.kind === "cp" ? r : ringFor(r, fixed) } as MuMoEConfig;
}

/** Largest rank on the solved link that the expert tensors can use. */
function maxLinkRank(layer: ResolvedLayer): bigint {
  const shapes = [expertTensorShape(layer, 1)];
  if (layer.secondDim > 0) shapes.push(expertTensorShape(layer, 2));
  let best: bigint | undefined;
  const lower = (b: bigint): void => {
    if (best === undefined || b < best) best = b;
  };
  for (const shape of shapes) {
    if (layer.kind === "cp") {
      lower(maxTensorRank(shape));
      continue;
    }
    lower(shape.reduce((a, d) => a * BigInt(d), 1n));
  }
  return best!;
}

/** A positive parameter target as a bigint (a number must be a safe integer). */
function parameterTarget(target: unknown): bigint {
  if (typeof target === "number" && Number.isSafeInteger(target) && target >= 1) return BigInt(target);
  if (typeof target === "bigint" && target >= 1n) return target;
  throw new InvalidArgumentError(
    `the parameter target must be a positive integer (number or bigint), got ${describeValue(target)}`,
    "pass e.g. 769000 or 769000n",
  );
}

const countParams = (layer: ResolvedLayer): bigint => parameterEntries(layer).reduce((a, p) => a + p.count, 0n);

/**
 * Solves the rank that makes a CP/TR μMoE cost `target` parameters (or stay under it).
 * @param targetParams - a parameter count (number or bigint), e.g. `layerBudget({ kind: "linear", … }).params`.
 * @throws {@link InvalidArgumentError} for a non-positive target or bad sizes; {@link ConfigError} for bad TR triples.
 * @example
 * ```ts
 * import { matchRank } from "multilinear";
 * // CLIP head (I=768, O=1000, 769,000 parameters) with 512 experts (docs/guides/mumoe-reference.md#worked-clip).
 * const cp = matchRank({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512] }, 769000n);
 * cp.feasible && cp.rank; // => 165
 * const tr = matchRank({ kind: "tr", inputDim: 768, outputDim: 1000, expertDims: [512] }, 769000n);
 * tr.feasible && tr.rank; // => 52
 * matchRank({ kind: "tr", inputDim: 768, outputDim: 1000, expertDims: [981] }, 769000n).feasible; // => false
 * matchRank({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512] }, 769000).feasible; // => true
 * ```
 * @category Budgets
 */
export function matchRank(template: RankTemplate, targetParams: bigint | number, options: RankMatchOptions = {}): RankMatch {
  checkOptionKeys(options, ["mode", "fixedRanks"], "matchRank options");
  const mode = options.mode ?? "ceil";
  if (mode !== "ceil" && mode !== "under")
    throw new InvalidArgumentError(`unknown match mode '${String(mode)}'`, "use 'ceil' (the official rule) or 'under'");
  const target = parameterTarget(targetParams);
  if (typeof template !== "object" || template === null)
    throw new InvalidArgumentError(
      `the layer template must be an object, got ${describeValue(template)}`,
      "pass e.g. { kind: 'cp', inputDim: 768, outputDim: 1000, expertDims: [512] }",
    );
  if (template.kind !== "cp" && template.kind !== "tr") {
    throw new InvalidArgumentError(
      `rank matching needs a 'cp' or 'tr' layer, got '${String(template.kind)}'`,
      "reference layers have no rank to solve",
    );
  }
  if (!Array.isArray(template.expertDims) || template.expertDims.length === 0) {
    throw new InvalidArgumentError(
      "expertDims must list the experts of at least one level, e.g. [512] or [16, 32]",
      "pass expertDims: [N] (or one entry per hierarchy level)",
    );
  }
  const fixed = template.kind === "tr" ? fixedRingRanks(template, options) : [];
  // Validates sizes and the fixed ranks (at rank 1, the smallest layer).
  const one = resolveLayer(withRank(template, 1, fixed));
  const two = resolveLayer(withRank(template, 2, fixed), { checkRankBound: false });
  const p1 = countParams(one);
  const slope = countParams(two) - p1;
  const fixedParams = p1 - slope;
  const room = target - fixedParams;
  const raw = mode === "ceil" ? (room <= 0n ? 0n : (room + slope - 1n) / slope) : room < slope ? 0n : room / slope;
  if (raw < 1n) {
    return {
      feasible: false,
      mode,
      target,
      minimumParams: p1,
      fixedParams,
      reason:
        mode === "ceil"
          ? `the parameters that do not depend on the rank (${fixedParams}: gating projections${template.applyLn ? ", LayerNorm" : ""}${template.kind === "tr" ? ", fixed TR ranks" : ""}) already reach the target ${target}`
          : `even rank 1 costs ${p1} parameters, more than the target ${target}`,
    };
  }
  const cap = maxLinkRank(one);
  const rank = Number(raw > cap ? cap : raw);
  const config = withRank(template, rank, fixed);
  const params = layerBudget(config).params;
  return {
    feasible: true,
    mode,
    rank,
    config,
    params,
    target,
    difference: params - target,
    relativeDifference: relativeDifference(params, target),
    slope,
    limitedBy: raw > cap ? "max-rank" : "budget",
  };
}

/**
 * {@link matchRank}, throwing when no rank fits.
 * @throws {@link InfeasibleBudgetError} when no rank ≥ 1 meets the budget.
 * @category Budgets
 */
export function solveRank(template: RankTemplate, targetParams: bigint | number, options: RankMatchOptions = {}): RankMatchFound {
  const m = matchRank(template, targetParams, options);
  const target = m.target;
  if (!m.feasible) {
    throw new InfeasibleBudgetError(
      `no ${template.kind.toUpperCase()} rank ≥ 1 fits ${target} parameters with experts [${template.expertDims.join(", ")}]: ${m.reason}`,
      "use fewer experts, a larger target, a hierarchy (gating grows with ΣN_e, not ΠN_e), or a fixed rank that is not parameter-matched",
      target,
      m.minimumParams,
    );
  }
  return m;
}

/**
 * The parameters of the linear layer (or two-layer MLP) a μMoE layer replaces: same input, output,
 * second dimension, bias and input LayerNorm.
 * @example
 * ```ts
 * import { linearTarget } from "multilinear";
 * linearTarget({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512] }); // => 769000n
 * ```
 * @category Budgets
 */
export function linearTarget(template: Pick<RankTemplate, "inputDim" | "outputDim" | "secondDim" | "useBias" | "applyLn">): bigint {
  return layerBudget({
    kind: "linear",
    inputDim: template.inputDim,
    outputDim: template.outputDim,
    secondDim: template.secondDim ?? 0,
    useBias: template.useBias ?? true,
    applyLn: template.applyLn ?? false,
  }).params;
}
