/**
 * `multilinear demo`: the main job on embedded defaults.
 * @module
 */
import { difference } from "../../tensor/compare.js";
import { randn } from "../../tensor/create.js";
import { naiveCost } from "../../tensor/cost.js";
import { planProblem, defaultBackend } from "../../tensor/einsum.js";
import { parseEinsum } from "../../tensor/einsum/parse.js";
import { referenceContract } from "../../tensor/einsum/reference.js";
import { executePlan } from "../../tensor/execute.js";
import { ssaToLinear } from "../../tensor/paths/path.js";
import { parseCommandArgs, type CliCommand } from "../command.js";

export const demoCommand: CliCommand = {
  name: "demo",
  summary: "run a factorized (CP-μMoE) contraction, show its path and cost, check it against the oracle",
  help: `usage: multilinear demo [--json]

Contracts the CP-factorized mixture-of-experts expression
  bi,bn,nr,ir,or->bo   (batch b, input i, experts n, rank r, output o)
on seeded random data, prints the contraction path with its exact cost against the naive
loop, and checks the result against the brute-force reference einsum.
`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { json: { type: "boolean" } }, false);
    const dims = { b: 8, i: 16, n: 8, r: 12, o: 24 };
    const eq = "bi,bn,nr,ir,or->bo";
    const shapes = eq.split("->")[0]!.split(",").map((t) => [...t].map((l) => dims[l as keyof typeof dims]));
    const xs = shapes.map((s, k) => randn(s, { seed: 100 + k }));
    const problem = parseEinsum(eq, shapes);
    const plan = planProblem(problem);
    const t0 = performance.now();
    const y = executePlan(plan, xs, defaultBackend());
    const ms = performance.now() - t0;
    const ref = referenceContract(problem, xs);
    const d = difference(y, ref, { rtol: 1e-12, atol: 1e-12 });
    const naive = naiveCost(problem);
    const report = {
      equation: eq,
      sizes: dims,
      path: ssaToLinear(plan.path, problem.inputs.length),
      flops: plan.cost.flops.toString(),
      naive_flops: naive.toString(),
      speedup: Number(naive) / Number(plan.cost.flops),
      largest_intermediate: plan.cost.size.toString(),
      max_abs_err_vs_oracle: d.maxAbs,
      ok: d.mismatches === 0,
      ms,
    };
    if (values.json) {
      io.stdout(JSON.stringify(report) + "\n");
      return report.ok ? 0 : 1;
    }
    const lines = [
      `CP-factorized mixture of experts: ${eq}`,
      `  sizes ${Object.entries(dims).map(([k, v]) => `${k}=${v}`).join(" ")}`,
      `  path (opt_einsum linear form) ${JSON.stringify(report.path)}`,
      ...plan.cost.steps.map((s, k) => `    step ${k}: ${s.inputLabels.map((t) => t.join("")).join(",")}->${s.resultLabels.join("")}  cost ${s.flops}`),
      `  cost ${report.flops} multiply-adds vs ${report.naive_flops} for the naive loop (${report.speedup.toFixed(1)}x fewer)`,
      `  largest intermediate ${report.largest_intermediate} elements; ran in ${ms.toFixed(2)} ms`,
      `  check against the brute-force oracle: max |diff| = ${d.maxAbs.toExponential(2)} -> ${report.ok ? "OK" : "MISMATCH"}`,
    ];
    io.stdout(lines.join("\n") + "\n");
    return report.ok ? 0 : 1;
  },
};
