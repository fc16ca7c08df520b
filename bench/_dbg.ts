import { readFileSync } from "node:fs";
import { makeProblem, getOptimizer, pathCost, ssaToLinear } from "../src/index.js";
const p = makeProblem({ inputs: [[], ["a"]], output: [], sizes: { a: 2 } });
for (const o of ["optimal", "dp-outer", "dp"]) { const path = getOptimizer(o)(p, {}); console.log(o, JSON.stringify(path), pathCost(p, path).flops); }
const corpus = JSON.parse(readFileSync("test/fixtures/paths/contraction-paths.json", "utf8"));
const c = corpus.cases.find((x: any) => x.id === "edge-disconnected2-s7047");
console.log(c.eq, JSON.stringify(c.sizes), JSON.stringify(c.reference.dp.path), c.reference.dp.flops, JSON.stringify(c.reference.optimal?.path), c.reference.optimal?.flops);
const q = makeProblem({ inputs: c.operands, output: c.output, sizes: c.sizes });
for (const o of ["optimal", "dp-outer", "dp", "auto"]) { const path = getOptimizer(o)(q, {}); console.log(o, JSON.stringify(ssaToLinear(path, q.inputs.length)), pathCost(q, path).flops); }
