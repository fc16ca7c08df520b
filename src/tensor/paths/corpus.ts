/**
 * Runs optimizers over a contraction-path corpus (the format of docs/guides/paths.md#corpus-format:
 * cases with `operands`, `output`, `sizes`, reference paths and `best_known`) and summarises the costs
 * against the references.
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import { log10Big, pathCost } from "./cost.js";
import { makeProblem } from "../einsum/problem.js";
import { ssaToLinear } from "./path.js";
import { getOptimizer } from "./registry.js";

/** One case of the corpus (the fields this runner reads). @category Einsum & paths */
export interface CorpusCase {
  readonly id: string;
  readonly family?: string;
  readonly n_inputs?: number;
  readonly operands: readonly (readonly string[])[];
  readonly output: readonly string[];
  readonly sizes: Readonly<Record<string, number>>;
  readonly reference?: Readonly<
    Record<
      string,
      { readonly flops: string; readonly size?: string; readonly time_ms?: number; readonly path?: readonly (readonly number[])[] }
    >
  >;
  readonly best_known?: { readonly flops: string; readonly size?: string; readonly by?: string };
}

/** The corpus file. @category Einsum & paths */
export interface Corpus {
  readonly cases: readonly CorpusCase[];
}

/** What one optimizer found on one case. @category Einsum & paths */
export interface CaseResult {
  readonly path: number[][];
  readonly flops: string;
  readonly size: string;
  readonly time_ms: number;
}

/** Summary of one optimizer over the corpus. @category Einsum & paths */
export interface OptimizerSummary {
  readonly cases: number;
  /** Geometric mean of flops / best_known. */
  readonly geomean_vs_best: number;
  /** Geometric mean of flops / opt_einsum auto. */
  readonly geomean_vs_auto: number;
  /** Shares of cases within 1.0× / 1.02× / 1.1× of best_known. */
  readonly within_1_00: number;
  readonly within_1_02: number;
  readonly within_1_10: number;
  /** Share of cases no worse than opt_einsum `auto`. */
  readonly no_worse_than_auto: number;
  /** Share strictly below best_known. */
  readonly better_than_best: number;
  readonly total_time_ms: number;
}

/** Output of {@link runCorpus}: per-case results and per-optimizer summaries. @category Einsum & paths */
export interface CorpusRun {
  readonly cases: Record<string, Record<string, CaseResult>>;
  readonly summary: Record<string, OptimizerSummary>;
}

/** Options of {@link runCorpus}. @category Einsum & paths */
export interface CorpusOptions {
  readonly optimizers: readonly string[];
  /** Time budget per case for searching optimizers (default 1000 ms). */
  readonly timeLimitMs?: number;
  readonly seed?: number;
  /** Only cases whose id matches. */
  readonly filter?: (c: CorpusCase) => boolean;
  /** Called after each case. */
  readonly onCase?: (done: number, total: number, id: string) => void;
}

/**
 * Runs every optimizer on every case and compares with the corpus references.
 * @throws {@link InvalidArgumentError} for a corpus without cases.
 * @category Einsum & paths
 */
export function runCorpus(corpus: Corpus, options: CorpusOptions): CorpusRun {
  if (!corpus || !Array.isArray(corpus.cases))
    throw new InvalidArgumentError(
      "the corpus has no 'cases' array",
      "pass a file in the corpus format of docs/guides/paths.md#corpus-format",
    );
  const cases = corpus.cases.filter(options.filter ?? (() => true));
  const results: Record<string, Record<string, CaseResult>> = {};
  cases.forEach((c, k) => {
    const problem = makeProblem({ inputs: c.operands, output: c.output, sizes: c.sizes });
    const row: Record<string, CaseResult> = {};
    for (const name of options.optimizers) {
      const find = getOptimizer(name);
      const t0 = performance.now();
      const path = find(problem, { timeLimitMs: options.timeLimitMs ?? 1000, seed: options.seed ?? 0 });
      const ms = performance.now() - t0;
      const cost = pathCost(problem, path);
      row[name] = {
        path: ssaToLinear(path, problem.inputs.length),
        flops: cost.multiplyAdds.toString(),
        size: cost.size.toString(),
        time_ms: ms,
      };
    }
    results[c.id] = row;
    options.onCase?.(k + 1, cases.length, c.id);
  });
  const summary: Record<string, OptimizerSummary> = {};
  for (const name of options.optimizers) {
    let logBest = 0;
    let logAuto = 0;
    let nAuto = 0;
    let w100 = 0;
    let w102 = 0;
    let w110 = 0;
    let noWorse = 0;
    let better = 0;
    let time = 0;
    let n = 0;
    for (const c of cases) {
      const r = results[c.id]![name]!;
      const f = BigInt(r.flops);
      time += r.time_ms;
      if (c.best_known) {
        const b = BigInt(c.best_known.flops);
        const ratio = b === 0n ? 1 : 10 ** (log10Big(f) - log10Big(b));
        logBest += Math.log(ratio);
        n++;
        if (f <= b) w100++;
        if (f * 100n <= b * 102n) w102++;
        if (f * 10n <= b * 11n) w110++;
        if (f < b) better++;
      }
      const auto = c.reference?.["auto"];
      if (auto) {
        const a = BigInt(auto.flops);
        logAuto += Math.log(a === 0n ? 1 : 10 ** (log10Big(f) - log10Big(a)));
        nAuto++;
        if (f <= a) noWorse++;
      }
    }
    summary[name] = {
      cases: cases.length,
      geomean_vs_best: Math.exp(logBest / Math.max(n, 1)),
      geomean_vs_auto: Math.exp(logAuto / Math.max(nAuto, 1)),
      within_1_00: w100 / Math.max(n, 1),
      within_1_02: w102 / Math.max(n, 1),
      within_1_10: w110 / Math.max(n, 1),
      no_worse_than_auto: noWorse / Math.max(nAuto, 1),
      better_than_best: better / Math.max(n, 1),
      total_time_ms: time,
    };
  }
  return { cases: results, summary };
}
