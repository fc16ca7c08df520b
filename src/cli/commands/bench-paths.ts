/**
 * `multilinear bench paths <corpus.json>`: run optimizers over a path corpus and compare with its
 * reference costs.
 * @module
 */
import { readFileBytes, writeFileBytes } from "../../io/files.js";
import { runCorpus, type Corpus } from "../../tensor/paths/corpus.js";
import { CliUsageError, intOption, parseCommandArgs, type CliCommand, type OptionSpec } from "../command.js";
import { progressBar } from "../progress.js";

const OPTIONS = {
  optimize: { type: "string", multiple: true },
  "time-limit-ms": { type: "string" },
  filter: { type: "string" },
  json: { type: "string" },
} as const satisfies OptionSpec;

export const benchPathsCommand: CliCommand = {
  options: OPTIONS,
  name: "paths",
  summary: "run path optimizers over a contraction-path corpus (format: docs/guides/paths.md#corpus-format)",
  help: `usage: multilinear bench paths <corpus.json> [--optimize NAME …] [--time-limit-ms N] [--json out.json]

Runs every optimizer on every case (using each case's operands/output/sizes), and prints the summary
against the corpus's best_known and opt_einsum auto: geometric-mean cost ratio, share within
1.0x/1.02x/1.1x of best, share no worse than opt_einsum auto.

options:
  --optimize NAME     repeatable (default: greedy, auto, auto-hq; --optimizer is an alias)
  --time-limit-ms N   budget per case for searching optimizers (default 1000)
  --filter TEXT       only cases whose id contains TEXT
  --json FILE         write {"cases": {id: {optimizer: {path, flops, size, time_ms}}}, "summary": {…}}

Costs here keep the corpus's own convention: its "flops" are multiply-adds (the product of a step's
label sizes), not the opt_einsum FLOPs that \`path\` and \`contract\` print.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const file = positionals[0];
    if (file === undefined)
      throw new CliUsageError(
        "missing the corpus file",
        "pass e.g. test/fixtures/paths/contraction-paths.json (format: docs/guides/paths.md#corpus-format)",
      );
    let corpus: Corpus;
    try {
      corpus = JSON.parse(new TextDecoder().decode(await readFileBytes(file))) as Corpus;
    } catch (e) {
      if (e instanceof SyntaxError) throw new CliUsageError(`${file} is not valid JSON`);
      throw e;
    }
    const optimizers = values.optimize ?? ["greedy", "auto", "auto-hq"];
    const bar = progressBar(io, corpus.cases?.length ?? 0);
    const filter = values.filter;
    const run = runCorpus(corpus, {
      optimizers,
      timeLimitMs: intOption(values["time-limit-ms"], "time-limit-ms", 1000),
      ...(filter !== undefined ? { filter: (c) => c.id.includes(filter) } : {}),
      onCase: (done, total, id) => bar.update(done, `${done}/${total} ${id}`),
    });
    bar.done();
    if (values.json !== undefined) await writeFileBytes(values.json, new TextEncoder().encode(JSON.stringify(run)));
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    io.stdout(
      `${"optimizer".padEnd(18)} ${"cases".padStart(5)} ${"geomean/best".padStart(12)} ${"geomean/auto".padStart(12)} ${"=best".padStart(7)} ${"≤1.02x".padStart(7)} ${"≤1.1x".padStart(7)} ${"<best".padStart(7)} ${"≤oe auto".padStart(8)} ${"time s".padStart(8)}\n`,
    );
    for (const [name, s] of Object.entries(run.summary)) {
      io.stdout(
        `${name.padEnd(18)} ${String(s.cases).padStart(5)} ${s.geomean_vs_best.toFixed(4).padStart(12)} ${s.geomean_vs_auto.toFixed(4).padStart(12)} ${pct(s.within_1_00).padStart(7)} ${pct(s.within_1_02).padStart(7)} ${pct(s.within_1_10).padStart(7)} ${pct(s.better_than_best).padStart(7)} ${pct(s.no_worse_than_auto).padStart(8)} ${(s.total_time_ms / 1000).toFixed(1).padStart(8)}\n`,
      );
    }
    if (values.json !== undefined) io.stdout(`wrote ${values.json}\n`);
    return 0;
  },
};
