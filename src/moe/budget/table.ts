/**
 * Plain-text budget tables: one layer next to the reference layers of the same shape.
 * @module
 */
import { layerBudget, type LayerBudget } from "./layer-budget.js";
import { resolveLayer, type LayerSpec } from "./spec.js";

/** A bigint with thousands separators: `769581n` → `"769,581"`. @category Budgets */
export function formatCount(n: bigint): string {
  const s = (n < 0n ? -n : n).toString();
  return (n < 0n ? "-" : "") + s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Lays out rows of cells as an aligned text table (first column left-aligned, the rest right-aligned). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A short human name of a layer: `CPμMoE N=512 R=165`, `sparse MoE N=64 top-2`, … @category Budgets */
export function describeLayer(spec: LayerSpec): string {
  const layer = resolveLayer(spec, { checkRankBound: false });
  const n = layer.levels.length > 1 ? `N=${layer.levels.join("×")}` : `N=${layer.levels[0] ?? 0}`;
  const shape = `${layer.inputDim}→${layer.outputDim}${layer.secondDim > 0 ? `→${layer.secondDim}` : ""}`;
  switch (layer.kind) {
    case "linear":
      return `${layer.secondDim > 0 ? "MLP" : "linear"} ${shape}`;
    case "dense":
      return `dense MoE ${n}`;
    case "sparse":
      return `sparse MoE ${n} top-${layer.topK}`;
    case "soft":
      return `soft MoE ${n} S=${layer.slots} T=${layer.tokens}`;
    case "cp":
      return `CPμMoE ${n} R=${layer.cpRank}`;
    case "tr":
      return `TRμMoE ${n} R=(${layer.ring.join(",")})`;
  }
}

/** Options of {@link formatBudgetTable}. @category Budgets */
export interface BudgetTableOptions {
  /** Also list the linear layer and the dense / sparse top-K / soft MoEs of the same shape (default true). */
  readonly compare?: boolean;
  /** Top-K of the sparse comparison row (default 2, at most the number of experts). */
  readonly topK?: number;
}

/**
 * A plain-text budget table for a layer: parameters, MACs and FLOPs per token (fast and, for μMoE,
 * naive order) and the expert-rank bound, by default next to the reference layers of the same
 * shape and expert count. Meant for the end of `multilinear demo` and for reports.
 * @example
 * ```ts
 * import { formatBudgetTable } from "multilinear";
 * const t = formatBudgetTable({ kind: "cp", inputDim: 16, outputDim: 24, expertDims: [8], ranks: 12 }, { compare: false });
 * t.split("\n")[2]!.startsWith("CPμMoE N=8 R=12"); // => true
 * ```
 * @category Budgets
 */
export function formatBudgetTable(spec: LayerSpec, options: BudgetTableOptions = {}): string {
  const main = layerBudget(spec);
  const budgets: LayerBudget[] = [];
  if (options.compare ?? true) {
    const layer = resolveLayer(spec);
    const base = {
      inputDim: layer.inputDim,
      outputDim: layer.outputDim,
      secondDim: layer.secondDim,
      useBias: layer.useBias,
      applyLn: layer.applyLn,
    };
    const n = layer.levels.reduce((a, b) => a * b, 1);
    budgets.push(layerBudget({ kind: "linear", ...base }));
    if (layer.levels.length > 0) {
      budgets.push(layerBudget({ kind: "dense", ...base, nExperts: n }));
      budgets.push(layerBudget({ kind: "sparse", ...base, nExperts: n, topK: Math.min(options.topK ?? 2, n) }));
      budgets.push(layerBudget({ kind: "soft", ...base, nExperts: n }));
    }
    const same = budgets.findIndex((b) => describeLayer(b.spec) === describeLayer(spec));
    if (same >= 0) budgets.splice(same, 1);
  }
  budgets.push(main);
  const rows = budgets.map((b) => [
    describeLayer(b.spec),
    formatCount(b.params),
    formatCount(b.activeParams),
    formatCount(b.macs),
    formatCount(b.flops),
    b.naiveMacs === undefined ? "" : formatCount(b.naiveMacs),
    String(b.maxExpertRank),
  ]);
  return (
    textTable(["layer", "params", "active params", "MACs/token", "FLOPs/token", "naive MACs", "max expert rank"], rows) +
    "\n(per token; FLOPs = 2 × MACs; params include gating, biases and LayerNorm; naive = build the expert tensor, then contract)\n"
  );
}
