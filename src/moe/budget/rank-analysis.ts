/**
 * Expert-rank analysis (docs/guides/mumoe-reference.md#expert-rank): the largest matrix rank one expert's weight can reach under CP
 * rank R versus TR ranks, CP against TR at matched parameters over expert counts (the paper's claim
 * that TR keeps a higher expert rank), and the measured numerical rank of a real layer's expert slices.
 * @module
 */
import { InvalidArgumentError, InvalidShapeError } from "../../errors.js";
import { layerBudget } from "./layer-budget.js";
import { resolveLayer, type LayerSpec } from "./spec.js";
import type { MuMoEConfig, MuMoEKind } from "../config.js";
import { expertRankBound } from "./expert-rank.js";
import { linearTarget, matchRank, type MatchMode } from "./rank-solve.js";
import { singularValues } from "../../linalg/svd.js";
import { DenseTensor } from "../../tensor/dense.js";

/**
 * Largest rank of one expert's weight matrix: `min(I, O)` for reference layers, `min(I, O, R)` for
 * CP, `min(I, O, R_{E+2}·min(R_1, …, R_{E+1}))` for TR (`R_3·min(R_1, R_2)` with one level).
 * @param which - 1: the first layer's `I×O` weight (bias row excluded); 2: the second layer's `O×D`.
 * @example
 * ```ts
 * import { maxExpertRank } from "multilinear";
 * maxExpertRank({ kind: "tr", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: [[4, null, 4], [4, null, 52], [52, null, 4]] }); // => 208
 * maxExpertRank({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: 165 }); // => 165
 * ```
 * @category Budgets
 */
export function maxExpertRank(spec: LayerSpec, which: 1 | 2 = 1): number {
  const layer = resolveLayer(spec);
  if (which === 2 && layer.secondDim === 0)
    throw new InvalidArgumentError("this layer has no second layer", "ask for which = 1, or give secondDim > 0");
  return expertRankBound(layer, which);
}

/** One kind's entry of {@link expertRankComparison}. @category Budgets */
export type RankComparisonEntry =
  | {
      readonly feasible: true;
      /** The solved rank (CP `R`, TR `R_{E+2}`). */
      readonly rank: number;
      readonly config: MuMoEConfig;
      readonly params: bigint;
      /** MACs per token, gate included, and without the gate (the columns of docs/guides/mumoe-reference.md#worked-clip). */
      readonly macs: bigint;
      readonly macsWithoutGate: bigint;
      readonly maxExpertRank: number;
    }
  | { readonly feasible: false; readonly reason: string };

/** One row of {@link expertRankComparison}. @category Budgets */
export interface RankComparisonRow {
  readonly nExperts: number;
  readonly cp: RankComparisonEntry;
  readonly tr: RankComparisonEntry;
}

/** Options of {@link expertRankComparison}. @category Budgets */
export interface RankComparisonOptions {
  readonly inputDim: number;
  readonly outputDim: number;
  /** Expert counts (one level each). */
  readonly experts: readonly number[];
  readonly useBias?: boolean;
  /** Parameter target (default: the linear `I×O` layer, bias as `useBias`). */
  readonly target?: bigint;
  /** Rounding of the matched rank (default `"ceil"`, the official rule). */
  readonly mode?: MatchMode;
  /** TR ring ranks kept fixed (default 4, i.e. `R_1 = R_2 = 4`). */
  readonly fixedRanks?: number;
}

/**
 * CP against TR at matched parameters for each expert count: the solved ranks, parameters, MACs and
 * expert-rank bound of each (reproduces the CLIP table of docs/guides/mumoe-reference.md#worked-clip).
 * @example
 * ```ts
 * import { expertRankComparison } from "multilinear";
 * const [row] = expertRankComparison({ inputDim: 768, outputDim: 1000, experts: [512] });
 * row!.cp.feasible && row!.cp.maxExpertRank; // => 165
 * row!.tr.feasible && row!.tr.maxExpertRank; // => 208
 * ```
 * @category Budgets
 */
export function expertRankComparison(options: RankComparisonOptions): RankComparisonRow[] {
  const useBias = options.useBias ?? true;
  const target = options.target ?? linearTarget({ inputDim: options.inputDim, outputDim: options.outputDim, useBias });
  const entry = (kind: MuMoEKind, n: number): RankComparisonEntry => {
    const m = matchRank({ kind, inputDim: options.inputDim, outputDim: options.outputDim, expertDims: [n], useBias }, target, {
      mode: options.mode ?? "ceil",
      ...(kind === "tr" ? { fixedRanks: options.fixedRanks ?? 4 } : {}),
    });
    if (!m.feasible) return { feasible: false, reason: m.reason };
    const b = layerBudget(m.config);
    const gate = BigInt(options.inputDim) * BigInt(n);
    return {
      feasible: true,
      rank: m.rank,
      config: m.config,
      params: b.params,
      macs: b.macs,
      macsWithoutGate: b.macs - gate,
      maxExpertRank: b.maxExpertRank,
    };
  };
  return options.experts.map((n) => ({ nExperts: n, cp: entry("cp", n), tr: entry("tr", n) }));
}

/** The minimal structure {@link rankProfile} reads: something that can build its expert tensor. @category Budgets */
export interface ExpertTensorSource {
  /** The expert weight tensor, shape `[N_1, …, N_E, Ĩ, O]` (order expert, input, output as in the official code). */
  toDense(): DenseTensor;
  /** When present, the layer's configuration: used to drop the bias row and to report the bound. */
  readonly config?: MuMoEConfig;
}

/** Options of {@link rankProfile}. @category Budgets */
export interface RankProfileOptions {
  /** A singular value counts when it exceeds `rtol · σ_max` of its expert (default 1e-6). */
  readonly rtol?: number;
  /** Rows of each slice to analyse: the input dimension without the bias row (default: `config.inputDim`, else every row). */
  readonly inputDim?: number;
  /** Only these experts (flat indices, C order over the levels); default all. */
  readonly experts?: readonly number[];
  /** Singular values of a matrix, largest first (default: a self-contained one-sided Jacobi SVD). */
  readonly singularValues?: (rows: number, cols: number, at: (i: number, j: number) => number) => ArrayLike<number>;
}

/** Numerical ranks of a layer's expert slices. @category Budgets */
export interface RankProfile {
  /** Flat expert index and numerical rank of each analysed expert. */
  readonly experts: readonly number[];
  readonly ranks: readonly number[];
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Rows × columns of each analysed slice. */
  readonly sliceShape: readonly [number, number];
  readonly rtol: number;
  /** The theoretical bound from the configuration, when the layer has one. */
  readonly bound?: number;
}

/**
 * Measures the numerical rank of every expert's weight matrix `W[n, :I, :]` of a layer: the number of
 * singular values above `rtol · σ_max` (σ_max of that expert). For a CP layer with random factors and
 * `R < min(I, O)` every expert has rank R; for TR `min(I, O, R_3·min(R_1, R_2))` (docs/guides/mumoe-reference.md#expert-rank).
 * @throws {@link InvalidShapeError} when the tensor has fewer than 3 axes or `inputDim` exceeds its input axis.
 * @example
 * ```ts
 * import { rankProfile, tensor } from "multilinear";
 * // Two experts of a 2×2 layer: the identity (rank 2) and a rank-1 matrix.
 * const w = tensor([[[1, 0], [0, 1]], [[1, 2], [2, 4]]]);
 * rankProfile({ toDense: () => w }).ranks; // => [2, 1]
 * ```
 * @category Budgets
 */
export function rankProfile(layer: ExpertTensorSource, options: RankProfileOptions = {}): RankProfile {
  const rtol = options.rtol ?? 1e-6;
  if (!(rtol > 0 && rtol < 1)) throw new InvalidArgumentError(`rtol must be in (0, 1), got ${rtol}`, "use e.g. 1e-6");
  const w = layer.toDense().contiguous();
  if (w.ndim < 3)
    throw new InvalidShapeError(
      `the expert tensor has shape [${w.shape.join(", ")}], expected [experts…, input, output]`,
      "return the N×Ĩ×O tensor from toDense()",
    );
  const rowsAll = w.shape[w.ndim - 2]!;
  const cols = w.shape[w.ndim - 1]!;
  const nExperts = w.size / (rowsAll * cols);
  const config = layer.config;
  const rows = options.inputDim ?? (config && (config.useBias ?? true) ? config.inputDim : rowsAll);
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > rowsAll) {
    throw new InvalidShapeError(
      `inputDim ${rows} does not fit the input axis of size ${rowsAll}`,
      "give the input dimension without the bias row, at most the axis size",
    );
  }
  const experts = options.experts ?? Array.from({ length: nExperts }, (_, n) => n);
  for (const n of experts) {
    if (!Number.isSafeInteger(n) || n < 0 || n >= nExperts)
      throw new InvalidArgumentError(`expert ${n} is out of range (the layer has ${nExperts})`, `use indices in [0, ${nExperts - 1}]`);
  }
  const data = w.data;
  const sv =
    options.singularValues ??
    ((r: number, c: number, at: (i: number, j: number) => number) => {
      const m = new Float64Array(r * c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) m[i * c + j] = at(i, j);
      return singularValues(new DenseTensor(m, [r, c]));
    });
  const ranks = experts.map((n) => {
    const base = w.offset + n * rowsAll * cols;
    const s = sv(rows, cols, (i, j) => data[base + i * cols + j]!);
    const top = s[0] ?? 0;
    let r = 0;
    for (let k = 0; k < s.length; k++) if (s[k]! > rtol * top && top > 0) r++;
    return r;
  });
  const bound = config ? expertRankBound(resolveLayer(config, { checkRankBound: false }), 1) : undefined;
  return {
    experts,
    ranks,
    min: ranks.length ? Math.min(...ranks) : 0,
    max: ranks.length ? Math.max(...ranks) : 0,
    mean: ranks.length ? ranks.reduce((a, b) => a + b, 0) / ranks.length : 0,
    sliceShape: [rows, cols],
    rtol,
    ...(bound !== undefined ? { bound } : {}),
  };
}
