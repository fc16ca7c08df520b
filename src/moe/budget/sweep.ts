/**
 * Budgets of every layer kind over a range of expert counts: a table for the terminal and an SVG
 * chart (parameters and FLOPs per token against experts, log–log) for reports.
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import { renderLineChart } from "../../plot/line-chart.js";
import { layerBudget } from "./layer-budget.js";
import { LAYER_KINDS, triplesFromRing, type LayerKind, type LayerSpec } from "./spec.js";
import { formatCount, textTable } from "./table.js";
import { linearTarget, matchRank, type MatchMode } from "./rank-solve.js";

/** Options of {@link budgetSweep}. @category Budgets */
export interface SweepOptions {
  readonly inputDim: number;
  readonly outputDim: number;
  /** Expert counts, e.g. `expertRange(16, 4096)`. */
  readonly experts: readonly number[];
  readonly secondDim?: number;
  readonly useBias?: boolean;
  readonly applyLn?: boolean;
  /** Top-K of the sparse MoE (default 2, at most N). */
  readonly topK?: number;
  /** Slots per expert of the soft MoE (default 1; tokens default to N·S). */
  readonly slotsPerExpert?: number;
  /** A fixed CP rank; default: matched to the linear layer. */
  readonly cpRank?: number;
  /** Fixed TR ring ranks `[R_1, R_2, R_3]`; default: `R_1 = R_2 = 4` and `R_3` matched to the linear layer. */
  readonly trRanks?: readonly number[];
  /** Rounding of matched ranks (default `"ceil"`, the official rule). */
  readonly mode?: MatchMode;
}

/** One layer kind at one expert count. @category Budgets */
export type SweepEntry =
  | {
      readonly feasible: true;
      readonly params: bigint;
      readonly activeParams: bigint;
      readonly macs: bigint;
      readonly flops: bigint;
      readonly ranks: number | readonly number[] | null;
      readonly maxExpertRank: number;
    }
  | { readonly feasible: false; readonly reason: string };

/** One expert count. @category Budgets */
export interface SweepRow {
  readonly nExperts: number;
  readonly entries: Readonly<Record<LayerKind, SweepEntry>>;
}

/** The result of {@link budgetSweep}. @category Budgets */
export interface SweepResult {
  readonly options: SweepOptions;
  /** Parameters of the linear layer (the matching target). */
  readonly target: bigint;
  readonly rows: readonly SweepRow[];
}

/**
 * The powers of two in `[from, to]`.
 * @throws {@link InvalidArgumentError} when the range is empty or not positive.
 * @example
 * ```ts
 * import { expertRange } from "multilinear";
 * expertRange(16, 100); // => [16, 32, 64]
 * ```
 * @category Budgets
 */
export function expertRange(from: number, to: number): number[] {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || to < from) {
    throw new InvalidArgumentError(
      `expert range ${from}:${to} is not a range of positive integers`,
      "give from:to with 1 ≤ from ≤ to, e.g. 16:4096",
    );
  }
  const out: number[] = [];
  for (let n = 1; n <= to; n *= 2) if (n >= from) out.push(n);
  if (out.length === 0) throw new InvalidArgumentError(`there is no power of two in ${from}:${to}`, "widen the range");
  return out;
}

/**
 * Budgets of linear, dense, sparse top-K, soft, CP and TR layers for each expert count. μMoE ranks
 * are matched to the linear layer unless fixed; unmatched counts are reported as infeasible.
 * @example
 * ```ts
 * import { budgetSweep } from "multilinear";
 * const s = budgetSweep({ inputDim: 768, outputDim: 1000, experts: [512, 2048] });
 * s.rows[0]!.entries.cp.feasible && s.rows[0]!.entries.cp.ranks; // => 165
 * s.rows[1]!.entries.cp.feasible; // => false
 * ```
 * @category Budgets
 */
export function budgetSweep(options: SweepOptions): SweepResult {
  const base = {
    inputDim: options.inputDim,
    outputDim: options.outputDim,
    secondDim: options.secondDim ?? 0,
    useBias: options.useBias ?? true,
    applyLn: options.applyLn ?? false,
  };
  const target = linearTarget(base);
  if (options.experts.length === 0)
    throw new InvalidArgumentError("no expert counts to sweep", "give at least one, e.g. expertRange(16, 4096)");
  const ok = (spec: LayerSpec): SweepEntry => {
    const b = layerBudget(spec);
    return {
      feasible: true,
      params: b.params,
      activeParams: b.activeParams,
      macs: b.macs,
      flops: b.flops,
      ranks: b.ranks,
      maxExpertRank: b.maxExpertRank,
    };
  };
  const mumoe = (kind: "cp" | "tr", n: number): SweepEntry => {
    const template = { kind, ...base, expertDims: [n] };
    if (kind === "cp" && options.cpRank !== undefined) return ok({ ...template, kind: "cp", ranks: options.cpRank });
    if (kind === "tr" && options.trRanks !== undefined) return ok({ ...template, kind: "tr", ranks: triplesFromRing(options.trRanks) });
    const m = matchRank(template, target, { mode: options.mode ?? "ceil" });
    return m.feasible ? ok(m.config) : { feasible: false, reason: m.reason };
  };
  const rows = options.experts.map((n): SweepRow => {
    const entries: Record<LayerKind, SweepEntry> = {
      linear: ok({ kind: "linear", ...base }),
      dense: ok({ kind: "dense", ...base, nExperts: n }),
      sparse: ok({ kind: "sparse", ...base, nExperts: n, topK: Math.min(options.topK ?? 2, n) }),
      soft: ok({ kind: "soft", ...base, nExperts: n, slotsPerExpert: options.slotsPerExpert ?? 1 }),
      cp: mumoe("cp", n),
      tr: mumoe("tr", n),
    };
    return { nExperts: n, entries };
  });
  return { options, target, rows };
}

/** Legend names of the layer kinds in a sweep. */
function kindName(kind: LayerKind, options: SweepOptions): string {
  const matched = (fixed: unknown): string => (fixed === undefined ? " (matched)" : "");
  switch (kind) {
    case "linear":
      return (options.secondDim ?? 0) > 0 ? "MLP" : "linear";
    case "dense":
      return "dense MoE";
    case "sparse":
      return `sparse MoE top-${options.topK ?? 2}`;
    case "soft":
      return "soft MoE (slots)";
    case "cp":
      return `CPμMoE${matched(options.cpRank)}`;
    case "tr":
      return `TRμMoE${matched(options.trRanks)}`;
  }
}

const rankText = (e: SweepEntry): string =>
  !e.feasible ? "-" : e.ranks === null ? "" : typeof e.ranks === "number" ? String(e.ranks) : e.ranks.join(",");

/**
 * The sweep as a plain-text table: per expert count, the μMoE ranks, then parameters and FLOPs per
 * token of every kind (`infeasible` where no rank matches).
 * @category Budgets
 */
export function formatSweepTable(result: SweepResult): string {
  const kinds = LAYER_KINDS;
  const cell = (e: SweepEntry, f: (x: Extract<SweepEntry, { feasible: true }>) => bigint): string =>
    e.feasible ? formatCount(f(e)) : "infeasible";
  const header = ["N", "CP R", "TR R", ...kinds.map((k) => `params ${k}`), ...kinds.map((k) => `FLOPs ${k}`)];
  const rows = result.rows.map((r) => [
    String(r.nExperts),
    rankText(r.entries.cp),
    rankText(r.entries.tr),
    ...kinds.map((k) => cell(r.entries[k], (e) => e.params)),
    ...kinds.map((k) => cell(r.entries[k], (e) => e.flops)),
  ]);
  const o = result.options;
  const shape = `${o.inputDim}→${o.outputDim}${(o.secondDim ?? 0) > 0 ? `→${o.secondDim}` : ""}`;
  return [
    `Budgets per layer kind, ${shape}, bias ${(o.useBias ?? true) ? "on" : "off"}; linear target ${formatCount(result.target)} parameters`,
    textTable(header, rows),
    `(FLOPs per token = 2 × MACs; sparse: top-${o.topK ?? 2}, its params are the total held; soft: 1 slot per token; μMoE ranks ${
      o.cpRank === undefined || o.trRanks === undefined ? `matched to the linear layer (${o.mode ?? "ceil"})` : "fixed"
    }; TR ranks are R_1,R_2,R_3)`,
    "",
  ].join("\n");
}

/**
 * The sweep as an SVG chart: parameters (left) and FLOPs per token (right) against the number of
 * experts, log–log, one line per layer kind; infeasible points are gaps.
 * @category Budgets
 */
export function sweepChartSvg(result: SweepResult, title?: string): string {
  const o = result.options;
  const shape = `${o.inputDim}→${o.outputDim}${(o.secondDim ?? 0) > 0 ? `→${o.secondDim}` : ""}`;
  const series = (f: (e: Extract<SweepEntry, { feasible: true }>) => bigint) =>
    LAYER_KINDS.map((k) => ({
      name: kindName(k, o),
      points: result.rows.map((r) => {
        const e = r.entries[k];
        return { x: r.nExperts, y: e.feasible ? Number(f(e)) : null };
      }),
    }));
  const xTicks = result.rows.map((r) => r.nExperts);
  // Lines with identical values hide each other; say so in the panel.
  const note = (lines: ReturnType<typeof series>): string | undefined => {
    const groups = new Map<string, string[]>();
    for (const l of lines) {
      const key = l.points.map((p) => String(p.y)).join(",");
      groups.set(key, [...(groups.get(key) ?? []), l.name]);
    }
    const same = [...groups.values()].filter((g) => g.length > 1).map((g) => g.join(" = "));
    return same.length ? `identical: ${same.join("; ")}` : undefined;
  };
  const params = series((e) => e.params);
  const flops = series((e) => e.flops);
  const withNote = (n: string | undefined) => (n === undefined ? {} : { note: n });
  return renderLineChart({
    title: title ?? `Layer budgets against the number of experts (${shape})`,
    subtitle: `μMoE ranks ${o.cpRank === undefined || o.trRanks === undefined ? "matched to the linear layer's parameters (gaps: no rank fits)" : "fixed"}; sparse MoE top-${o.topK ?? 2}; soft MoE one slot per token`,
    panels: [
      { title: "Parameters", xLabel: "number of experts N", yLabel: "parameters", series: params, xTicks, ...withNote(note(params)) },
      {
        title: "FLOPs per token (2 × MACs)",
        xLabel: "number of experts N",
        yLabel: "FLOPs per token",
        series: flops,
        xTicks,
        ...withNote(note(flops)),
      },
    ],
  });
}
