/**
 * Contraction paths: our optimizers over the corpus of test/fixtures/paths/contraction-paths.json, against
 * the opt_einsum and cotengra reference costs stored in it (same cost model), and greedy's speed
 * against opt_einsum's greedy time recorded in the corpus.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { getOptimizer, makeProblem, runCorpus, type Corpus, type CorpusCase } from "../src/index.js";
import { fmt, repoRoot, table, timeFast, type BenchOptions, type BenchTopic } from "./harness.js";

function loadCorpus(): Corpus {
  const shared = path.join(repoRoot(), "..", "shared", "bench", "contraction-paths.json");
  const local = path.join(repoRoot(), "test", "fixtures", "paths", "contraction-paths.json");
  return JSON.parse(readFileSync(existsSync(shared) ? shared : local, "utf8")) as Corpus;
}

async function run(opts: BenchOptions): Promise<string> {
  const corpus = loadCorpus();
  const budget = opts.quick ? 200 : 1000;
  const filter = opts.quick ? (c: CorpusCase): boolean => (c.n_inputs ?? 0) <= 30 || c.id.includes("s20") : (): boolean => true;
  const optimizers = ["greedy", "auto", "auto-hq"];
  const r = runCorpus(corpus, {
    optimizers,
    timeLimitMs: budget,
    filter,
    onCase: (d, t, id) => d % 25 === 0 && opts.log(`${d}/${t} ${id}`),
  });
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const rows = optimizers.map((name) => {
    const s = r.summary[name]!;
    return [
      name,
      s.cases,
      fmt(s.geomean_vs_best, 4),
      fmt(s.geomean_vs_auto, 4),
      pct(s.within_1_00),
      pct(s.within_1_02),
      pct(s.within_1_10),
      pct(s.better_than_best),
      pct(s.no_worse_than_auto),
      fmt(s.total_time_ms / 1000),
    ];
  });
  // Per family for the searching optimizer.
  const families = new Map<string, { log: number; n: number; better: number }>();
  for (const c of corpus.cases) {
    const res = r.cases[c.id]?.["auto-hq"];
    if (!res || !c.best_known) continue;
    const f = families.get(c.family ?? "?") ?? { log: 0, n: 0, better: 0 };
    f.log += Math.log(Number((BigInt(res.flops) * 1000000n) / BigInt(c.best_known.flops)) / 1e6);
    f.n++;
    if (BigInt(res.flops) < BigInt(c.best_known.flops)) f.better++;
    families.set(c.family ?? "?", f);
  }
  const famRows = [...families].map(([name, f]) => [name, f.n, fmt(Math.exp(f.log / f.n), 4), `${f.better}/${f.n}`]);
  // greedy speed on networks of ≥ 50 tensors vs opt_einsum's greedy time stored in the corpus.
  const big = corpus.cases.filter((c) => (c.n_inputs ?? 0) >= 50 && c.reference?.["greedy"]?.time_ms !== undefined);
  let logSpeed = 0;
  let nSpeed = 0;
  let slowest = Infinity;
  for (const c of big) {
    const problem = makeProblem({ inputs: c.operands, output: c.output, sizes: c.sizes });
    const greedy = getOptimizer("greedy");
    const t = timeFast(() => greedy(problem, {}), 3, 20);
    const ratio = c.reference!["greedy"]!.time_ms! / t.medianMs;
    logSpeed += Math.log(ratio);
    nSpeed++;
    slowest = Math.min(slowest, ratio);
  }
  return [
    `Corpus: ${corpus.cases.length} cases (${[...families.keys()].join(", ")}); reference costs from opt_einsum and cotengra's hyper-optimizer (8 s per case) in the corpus, rescored under the same exact model. ` +
      `Budget per case for searching optimizers: ${budget} ms. geomean/best = geometric mean of our flops / best_known; "≤oe auto" = share no worse than opt_einsum's auto. Reproduce with \`multilinear bench paths test/fixtures/paths/contraction-paths.json\`.`,
    "",
    table(
      ["optimizer", "cases", "geomean/best", "geomean/opt_einsum auto", "= best", "≤ 1.02×", "≤ 1.1×", "< best", "≤ oe auto", "total s"],
      rows,
    ),
    "",
    "auto-hq by family:",
    "",
    table(["family", "cases", "geomean/best", "strictly better than best_known"], famRows),
    "",
    `greedy speed on the ${nSpeed} networks of ≥ 50 tensors: geometric-mean speed-up over opt_einsum's greedy time in the corpus ${fmt(Math.exp(logSpeed / Math.max(nSpeed, 1)))}× (slowest case ${fmt(slowest)}×). ` +
      "The corpus times were taken on a machine of the same type (2 shared cores) but not in this run.",
  ].join("\n");
}

const topic: BenchTopic = { name: "paths", title: "Contraction paths against opt_einsum and cotengra", run };
export default topic;
