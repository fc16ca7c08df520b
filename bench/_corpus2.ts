import { readFileSync } from "node:fs";
import { runCorpus } from "../src/tensor/paths/corpus.js";
const corpus = JSON.parse(readFileSync("/work/shared/bench/contraction-paths.json", "utf8"));
const [opt, minN, budget] = [process.argv[2]!, Number(process.argv[3] ?? 40), Number(process.argv[4] ?? 1000)];
const r = runCorpus(corpus, { optimizers: [opt], timeLimitMs: budget, filter: (c) => (c.n_inputs ?? 0) >= minN });
console.log(opt, JSON.stringify(r.summary[opt]));
const rows = corpus.cases.filter((c: any) => r.cases[c.id]).map((c: any) => ({ id: c.id, r: Number(BigInt(r.cases[c.id]![opt]!.flops) * 1000n / BigInt(c.best_known.flops)) / 1000 }));
rows.sort((a: any, b: any) => b.r - a.r);
console.log(rows.slice(0, 8).map((x: any) => `${x.id} ${x.r}`).join("\n"));
