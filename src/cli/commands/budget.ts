/**
 * `multilinear budget …`: parameters, FLOPs and expert rank of one layer; `multilinear budget sweep …`:
 * every layer kind over a range of expert counts, as a table and an SVG chart.
 * @module
 */
import { writeFile } from "node:fs/promises";
import { layerBudget, budgetTex } from "../../moe/budget/layer-budget.js";
import { LAYER_KINDS, triplesFromRing, type LayerKind, type LayerSpec } from "../../moe/budget/spec.js";
import { budgetSweep, expertRange, formatSweepTable, sweepChartSvg, type SweepResult } from "../../moe/budget/sweep.js";
import { describeLayer, formatCount, textTable } from "../../moe/budget/table.js";
import { linearTarget, solveRank, type MatchMode, type RankMatchFound } from "../../moe/budget/rank-solve.js";
import { CliUsageError, intOption, parseCommandArgs, positiveIntOption, type CliCommand } from "../command.js";
import { asksForHelp } from "../subcommands.js";

const LAYER_HELP = `usage: multilinear budget --layer linear|dense|sparse|soft|cp|tr --in I --out O [options]
       multilinear budget sweep --experts FROM:TO --in I --out O [options]   (budget sweep --help)

Parameters, multiply-accumulates and FLOPs per token, and the largest rank of one expert's weight
matrix, of one layer (formulas: docs/guides/mumoe-reference.md#counts). Counts are exact. MACs are per token; FLOPs = 2 × MACs; bias
additions, normalisations, activations and top-k selection are not counted. "params" is everything
the layer holds: factors, gating projections, biases (on by default) and LayerNorm.

options:
  --layer KIND        linear, dense, sparse (top-k), soft (slot-based, Puigcerver), cp or tr (μMoE)
  --in I, --out O     input and output features
  --second D          a two-layer block I → O → D (GELU between; μMoE layers share the gates)
  --experts N         experts; N1,N2 for a hierarchical μMoE (levels)
  --hierarchy L       μMoE levels; with one N, every level has N experts
  --top-k K           sparse: experts per token (default 2)
  --slots S           soft: slots per expert (default 1)
  --tokens T          soft: tokens per sequence over which experts are amortised (default N·S)
  --rank R            cp: the CP rank; tr: the rank of the input–output link (others 4)
  --ranks a,b,c       tr: every ring rank R_1,…,R_{E+2}
  --match-linear      solve the rank so the layer costs what the linear layer (or MLP) costs
                      (the default for cp/tr when no rank is given)
  --match-mode M      ceil (official rule, may overshoot by < one rank unit; default) or under
  --no-bias           no biases
  --ln                a LayerNorm with affine parameters on the input (2I parameters)
  --json              one JSON object: layer, params, params_breakdown, macs, flops, ranks,
                      max_expert_rank, … (counts as decimal strings)
  --tex               also print the formulas in TeX

example (a CLIP ViT-B/32 ImageNet head, 768 → 1000, with 512 experts, parameter-matched):
  multilinear budget --layer cp --experts 512 --in 768 --out 1000 --match-linear --json
`;

const SWEEP_HELP = `usage: multilinear budget sweep --experts FROM:TO --in I --out O [options]

Budgets of every layer kind (linear, dense, sparse top-k, soft, CPμMoE, TRμMoE) for each power of
two in FROM:TO (or a comma list), as a table; optionally an SVG chart of parameters and FLOPs per
token against the number of experts (log–log). μMoE ranks are matched to the linear layer unless
fixed; where no rank fits the table says "infeasible" and the chart leaves a gap.

options:
  --experts FROM:TO   expert counts (powers of two in the range), or N1,N2,…
  --in I, --out O     input and output features
  --second D          two-layer blocks I → O → D
  --top-k K           sparse MoE top-k (default 2)
  --rank R            fixed CP rank (default: matched)
  --ranks a,b,c       fixed TR ring ranks (default: R_1 = R_2 = 4, R_3 matched)
  --match-mode M      ceil (default) or under
  --no-bias           no biases
  --svg FILE          write the chart
  --json              the table as JSON (counts as decimal strings)
`;

const LAYER_OPTIONS = {
  layer: { type: "string" },
  in: { type: "string" },
  out: { type: "string" },
  second: { type: "string" },
  experts: { type: "string" },
  hierarchy: { type: "string" },
  "top-k": { type: "string" },
  slots: { type: "string" },
  tokens: { type: "string" },
  rank: { type: "string" },
  ranks: { type: "string" },
  "match-linear": { type: "boolean" },
  "match-mode": { type: "string" },
  "no-bias": { type: "boolean" },
  ln: { type: "boolean" },
  json: { type: "boolean" },
  tex: { type: "boolean" },
} as const;

const SWEEP_OPTIONS = {
  experts: { type: "string" },
  in: { type: "string" },
  out: { type: "string" },
  second: { type: "string" },
  "top-k": { type: "string" },
  rank: { type: "string" },
  ranks: { type: "string" },
  "match-mode": { type: "string" },
  "no-bias": { type: "boolean" },
  svg: { type: "string" },
  json: { type: "boolean" },
} as const;

function intList(value: string, name: string): number[] {
  const parts = value.split(",").map((s) => s.trim());
  if (parts.some((p) => p === "")) throw new CliUsageError(`--${name} must be a comma-separated list of integers, got '${value}'`);
  return parts.map((p) => intOption(p, name));
}

function matchMode(value: string | undefined): MatchMode {
  if (value === undefined) return "ceil";
  if (value !== "ceil" && value !== "under") throw new CliUsageError(`--match-mode must be ceil or under, got '${value}'`);
  return value;
}

const stringMap = (entries: readonly { readonly name: string }[], value: (e: never) => bigint): Record<string, string> =>
  Object.fromEntries(entries.map((e) => [e.name, value(e as never).toString()]));

/** Builds the layer from the options; for cp/tr also solves the rank when asked (or when none is given). */
function layerFromOptions(v: Partial<Record<keyof typeof LAYER_OPTIONS, string | boolean>>): { spec: LayerSpec; match?: RankMatchFound } {
  const kind = v.layer as string | undefined;
  if (kind === undefined) throw new CliUsageError("--layer is required", `use one of: ${LAYER_KINDS.join(", ")}`);
  if (!LAYER_KINDS.includes(kind as LayerKind))
    throw new CliUsageError(`unknown --layer '${kind}'`, `use one of: ${LAYER_KINDS.join(", ")}`);
  const base = {
    inputDim: intOption(v.in as string | undefined, "in"),
    outputDim: intOption(v.out as string | undefined, "out"),
    secondDim: intOption(v.second as string | undefined, "second", 0),
    useBias: !v["no-bias"],
    applyLn: Boolean(v.ln),
  };
  const mumoe = kind === "cp" || kind === "tr";
  const forbid = (name: keyof typeof LAYER_OPTIONS, why: string): void => {
    if (v[name] !== undefined) throw new CliUsageError(`--${name} does not apply to --layer ${kind}: ${why}`);
  };
  if (!mumoe) {
    for (const o of ["rank", "ranks", "match-linear", "match-mode", "hierarchy"] as const)
      forbid(o, "only cp and tr layers have ranks and hierarchies");
  }
  if (kind !== "sparse") forbid("top-k", "only the sparse MoE selects experts");
  if (kind !== "soft") {
    forbid("slots", "only the soft MoE has slots");
    forbid("tokens", "only the soft MoE amortises over tokens");
  }
  if (kind === "linear") {
    forbid("experts", "a linear layer has no experts");
    return { spec: { kind: "linear", ...base } };
  }
  if (v.experts === undefined) throw new CliUsageError(`--experts is required for --layer ${kind}`);
  let levels = intList(v.experts as string, "experts");
  const hierarchy = v.hierarchy === undefined ? undefined : positiveIntOption(v.hierarchy as string, "hierarchy");
  if (hierarchy !== undefined) {
    if (levels.length === 1) levels = Array<number>(hierarchy).fill(levels[0]!);
    else if (levels.length !== hierarchy)
      throw new CliUsageError(`--experts lists ${levels.length} levels but --hierarchy is ${hierarchy}`);
  }
  if (!mumoe) {
    if (levels.length !== 1) throw new CliUsageError(`--layer ${kind} takes one expert count, got ${levels.join(",")}`);
    const n = levels[0]!;
    if (kind === "dense") return { spec: { kind: "dense", ...base, nExperts: n } };
    if (kind === "sparse")
      return { spec: { kind: "sparse", ...base, nExperts: n, topK: intOption(v["top-k"] as string | undefined, "top-k", Math.min(2, n)) } };
    const tokens = v.tokens === undefined ? {} : { tokens: intOption(v.tokens as string, "tokens") };
    return {
      spec: { kind: "soft", ...base, nExperts: n, slotsPerExpert: intOption(v.slots as string | undefined, "slots", 1), ...tokens },
    };
  }
  const template = { kind, ...base, expertDims: levels } as const;
  const given = [v.rank, v.ranks, v["match-linear"]].filter((x) => x !== undefined).length;
  if (given > 1) throw new CliUsageError("give only one of --rank, --ranks and --match-linear");
  if (kind === "cp" && v.ranks !== undefined) throw new CliUsageError("--ranks is for tr layers; give a CP layer --rank R");
  if (v.rank !== undefined || v.ranks !== undefined) {
    if (v["match-mode"] !== undefined) throw new CliUsageError("--match-mode only applies with --match-linear");
    if (kind === "cp") return { spec: { ...template, kind: "cp", ranks: intOption(v.rank as string, "rank") } };
    const ring =
      v.ranks !== undefined
        ? intList(v.ranks as string, "ranks")
        : [...Array<number>(levels.length + 1).fill(4), intOption(v.rank as string, "rank")];
    if (ring.length !== levels.length + 2)
      throw new CliUsageError(`--ranks needs ${levels.length + 2} ring ranks for ${levels.length} expert level(s), got ${ring.length}`);
    return { spec: { ...template, kind: "tr", ranks: triplesFromRing(ring) } };
  }
  const match = solveRank(template, linearTarget(base), { mode: matchMode(v["match-mode"] as string | undefined) });
  return { spec: match.config, match };
}

function budgetJson(spec: LayerSpec, match: RankMatchFound | undefined, tex: boolean): Record<string, unknown> {
  const b = layerBudget(spec);
  const levels = "expertDims" in spec ? [...spec.expertDims] : "nExperts" in spec ? [spec.nExperts] : [];
  return {
    layer: b.kind,
    in: spec.inputDim,
    out: spec.outputDim,
    second: spec.secondDim ?? 0,
    experts: levels,
    bias: spec.useBias ?? true,
    params: b.params.toString(),
    params_breakdown: stringMap(b.parameters, (p: { count: bigint }) => p.count),
    active_params: b.activeParams.toString(),
    macs: b.macs.toString(),
    flops: b.flops.toString(),
    macs_breakdown: stringMap(b.macsBreakdown, (m: { macs: bigint }) => m.macs),
    ...(b.naiveMacs !== undefined ? { naive_macs: b.naiveMacs.toString(), naive_flops: (2n * b.naiveMacs).toString() } : {}),
    ranks: b.ranks,
    max_expert_rank: b.maxExpertRank,
    ...(b.maxExpertRankLayer2 !== undefined ? { max_expert_rank_layer2: b.maxExpertRankLayer2 } : {}),
    ...(match
      ? {
          rank_match: {
            target: match.target.toString(),
            mode: match.mode,
            difference: match.difference.toString(),
            relative_difference: match.relativeDifference,
            limited_by: match.limitedBy,
          },
        }
      : {}),
    formulas: b.formulas,
    warnings: b.warnings,
    ...(tex ? { tex: budgetTex(b) } : {}),
  };
}

/** `a / b` for display: 3 significant digits below 1000, else a whole number with separators. */
function ratio(a: bigint, b: bigint): string {
  const r = Number(a) / Number(b);
  return r < 1000 ? r.toPrecision(3) : formatCount(BigInt(Math.round(r)));
}

function budgetText(spec: LayerSpec, match: RankMatchFound | undefined, tex: boolean): string {
  const b = layerBudget(spec);
  const pct = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(3)}%`;
  const lines = [
    `${describeLayer(spec)}  (${spec.inputDim}→${spec.outputDim}${(spec.secondDim ?? 0) > 0 ? `→${spec.secondDim}` : ""}, bias ${(spec.useBias ?? true) ? "on" : "off"}${spec.applyLn ? ", input LayerNorm" : ""})`,
    "",
    textTable(
      ["parameter", "shape", "count"],
      b.parameters.map((p) => [p.name, p.shape.join("×"), formatCount(p.count)]),
    ),
    "",
    textTable(
      ["MACs per token", "count"],
      b.macsBreakdown.map((m) => [m.name, formatCount(m.macs)]),
    ),
    "",
    `params          ${formatCount(b.params)}${b.activeParams !== b.params ? `  (active per token ${formatCount(b.activeParams)})` : ""}`,
    `MACs/token      ${formatCount(b.macs)}`,
    `FLOPs/token     ${formatCount(b.flops)}  (2 × MACs)`,
    ...(b.naiveMacs !== undefined
      ? [
          `naive MACs      ${formatCount(b.naiveMacs)}  (build the expert tensor, then contract: ${ratio(b.naiveMacs, b.macs)}× the fast order)`,
        ]
      : []),
    `max expert rank ${b.maxExpertRank}${b.maxExpertRankLayer2 !== undefined ? ` (second layer ${b.maxExpertRankLayer2})` : ""}`,
    ...(match
      ? [
          `rank matched to ${formatCount(match.target)} parameters (${match.mode}): ${match.difference >= 0n ? "+" : ""}${formatCount(match.difference)} (${pct(match.relativeDifference)})`,
        ]
      : []),
    "",
    `params = ${b.formulas.params}`,
    `MACs   = ${b.formulas.macs}`,
    `rank   = ${b.formulas.maxExpertRank}`,
  ];
  if (tex) {
    const t = budgetTex(b);
    lines.push(
      "",
      `TeX params: ${t.params}`,
      `TeX MACs:   ${t.macs}`,
      ...(t.naiveMacs ? [`TeX naive:  ${t.naiveMacs}`] : []),
      `TeX rank:   ${t.maxExpertRank}`,
    );
  }
  return lines.join("\n") + "\n";
}

function sweepJson(s: SweepResult): Record<string, unknown> {
  return {
    in: s.options.inputDim,
    out: s.options.outputDim,
    second: s.options.secondDim ?? 0,
    target: s.target.toString(),
    rows: s.rows.map((r) => ({
      experts: r.nExperts,
      ...Object.fromEntries(
        Object.entries(r.entries).map(([k, e]) => [
          k,
          e.feasible
            ? {
                params: e.params.toString(),
                active_params: e.activeParams.toString(),
                macs: e.macs.toString(),
                flops: e.flops.toString(),
                ranks: e.ranks,
                max_expert_rank: e.maxExpertRank,
              }
            : { infeasible: e.reason },
        ]),
      ),
    })),
  };
}

const sweepCommand: CliCommand = {
  name: "sweep",
  summary: "every layer kind over a range of expert counts (table, optional SVG chart)",
  help: SWEEP_HELP,
  async run(argv, io) {
    const { values: v } = parseCommandArgs(argv, SWEEP_OPTIONS, false);
    if (v.experts === undefined) throw new CliUsageError("--experts FROM:TO is required");
    const range = /^(\d+):(\d+)$/.exec(v.experts);
    const experts = range ? expertRange(Number(range[1]), Number(range[2])) : intList(v.experts, "experts");
    const ring = v.ranks === undefined ? undefined : intList(v.ranks, "ranks");
    if (ring !== undefined && ring.length !== 3) throw new CliUsageError(`--ranks needs 3 ring ranks R_1,R_2,R_3, got ${ring.length}`);
    const result = budgetSweep({
      inputDim: intOption(v.in, "in"),
      outputDim: intOption(v.out, "out"),
      secondDim: intOption(v.second, "second", 0),
      useBias: !v["no-bias"],
      experts,
      topK: intOption(v["top-k"], "top-k", 2),
      ...(v.rank === undefined ? {} : { cpRank: intOption(v.rank, "rank") }),
      ...(ring === undefined ? {} : { trRanks: ring }),
      mode: matchMode(v["match-mode"]),
    });
    if (v.svg !== undefined) await writeFile(v.svg, sweepChartSvg(result));
    if (v.json) io.stdout(JSON.stringify(sweepJson(result)) + "\n");
    else io.stdout(formatSweepTable(result) + (v.svg !== undefined ? `chart written to ${v.svg}\n` : ""));
    return 0;
  },
};

export const budgetCommand: CliCommand = {
  name: "budget",
  summary: "parameters, FLOPs and expert rank of a layer; `budget sweep` over expert counts",
  subcommands: true,
  help: LAYER_HELP,
  async run(argv, io) {
    if (argv[0] === "sweep") {
      const rest = argv.slice(1);
      if (asksForHelp(rest)) {
        io.stdout(SWEEP_HELP);
        return 0;
      }
      return sweepCommand.run(rest, io);
    }
    if (asksForHelp(argv)) {
      io.stdout(LAYER_HELP);
      return 0;
    }
    const { values } = parseCommandArgs(argv, LAYER_OPTIONS, false);
    const { spec, match } = layerFromOptions(values);
    // Ranks beyond what the expert tensor can use are counted, and said on stderr (and in the JSON).
    for (const w of layerBudget(spec).warnings) io.stderr(`multilinear budget: warning: ${w}\n`);
    io.stdout(
      values.json ? JSON.stringify(budgetJson(spec, match, Boolean(values.tex))) + "\n" : budgetText(spec, match, Boolean(values.tex)),
    );
    return 0;
  },
};
