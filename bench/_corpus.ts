import { readFileSync } from "node:fs";
import { runCorpus } from "../src/tensor/paths/corpus.js";
const corpus = JSON.parse(readFileSync("/work/shared/bench/contraction-paths.json", "utf8"));
const opts = process.argv.slice(2);
const r = runCorpus(corpus, { optimizers: opts, timeLimitMs: 1000, onCase: (d, t, id) => { if (d % 50 === 0) console.error(d, t, id); } });
for (const [k, v] of Object.entries(r.summary)) console.log(k, JSON.stringify(v));
// worst cases vs best for the first optimizer
const rows = corpus.cases.map((c: any) => ({ id: c.id, n: c.n_inputs, r: Number(BigInt(r.cases[c.id]![opts[0]!]!.flops) * 1000n / BigInt(c.best_known.flops)) / 1000, by: c.best_known.by, t: r.cases[c.id]![opts[0]!]!.time_ms }));
rows.sort((a: any, b: any) => b.r - a.r);
console.log(rows.slice(0, 12));
