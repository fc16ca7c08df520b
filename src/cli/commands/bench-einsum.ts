/**
 * `multilinear bench einsum "<eq>" --shapes '[[…],…]' [--dtype] [--threads T] [--json]`
 * @module
 */
import { CpuBackend } from "../../tensor/backends/cpu/backend.js";
import { difference } from "../../tensor/compare.js";
import { randn } from "../../tensor/create.js";
import { parseDType } from "../../tensor/dtype.js";
import { planProblem } from "../../tensor/api/einsum.js";
import { parseEinsum } from "../../tensor/einsum/parse.js";
import { executePlan } from "../../tensor/plan/execute.js";
import { ssaToLinear } from "../../tensor/paths/path.js";
import { CliUsageError, jsonOption, parseCommandArgs, type CliCommand, type OptionSpec } from "../command.js";
import { benchBackend, cpuBenchRecord, formatCpuBench, medianMs, repeatsOption, type CpuBenchRecord } from "./bench-timing.js";

/** Result line of `bench einsum`. */
export interface EinsumBenchResult extends CpuBenchRecord {
  readonly equation: string;
  /** Linear contraction path. */
  readonly path: readonly (readonly number[])[];
}

const OPTIONS = {
  shapes: { type: "string" },
  dtype: { type: "string" },
  threads: { type: "string" },
  kernels: { type: "string" },
  optimize: { type: "string" },
  repeats: { type: "string" },
  json: { type: "boolean" },
} as const satisfies OptionSpec;

export const benchEinsumCommand: CliCommand = {
  options: OPTIONS,
  name: "einsum",
  summary: "time an einsum contraction on the CPU backend",
  help: `usage: multilinear bench einsum "<equation>" --shapes '[[…],…]' [options]

Times the contraction of random operands of the given shapes: the median of the timed runs after
one warm-up run. Before timing, the result is checked once against the plain-TypeScript backend.
GFLOP/s counts FLOPs as opt_einsum does (a multiply-add that sums is 2 FLOPs), as \`path\` and \`contract\` do.

options:
  --shapes JSON            one shape per operand, e.g. '[[256,768],[768,512]]' (required)
  --dtype float32|float64  element type (default float32)
  --threads T              threads (default: all cores); results do not depend on it
  --kernels auto|wasm|ts   WebAssembly SIMD or plain TypeScript kernels (default auto)
  --optimize NAME          path optimizer (default auto; --optimizer is an alias)
  --repeats R              timed runs, at least 5 (default 7)
  --json                   print {equation, dtype, threads, kernels, variant, median_ms, gflops, path}
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const [equation, ...extra] = positionals;
    if (equation === undefined)
      throw new CliUsageError(
        "missing the equation",
        `pass it first, quoted: multilinear bench einsum "ij,jk->ik" --shapes '[[2,3],[3,4]]'`,
      );
    if (extra.length > 0)
      throw new CliUsageError(`unexpected argument '${extra[0]}'`, "quote the equation and give the shapes with --shapes");
    if (values.shapes === undefined) throw new CliUsageError("--shapes is required", "e.g. --shapes '[[256,768],[768,512]]'");
    const shapes = jsonOption(values.shapes, "shapes");
    if (!Array.isArray(shapes) || !shapes.every((s) => Array.isArray(s) && s.every((d) => Number.isSafeInteger(d) && d >= 0))) {
      throw new CliUsageError("--shapes must be a JSON array of arrays of non-negative integers", "e.g. --shapes '[[2,3],[3,4]]'");
    }
    const dims = shapes as number[][];
    const dtype = parseDType(values.dtype ?? "float32");
    const repeats = repeatsOption(values.repeats);
    const problem = parseEinsum(equation, dims);
    const plan = planProblem(problem, { dtype, ...(values.optimize ? { optimize: values.optimize } : {}) });
    const backend = await benchBackend(values.threads, values.kernels);
    try {
      const operands = dims.map((s, i) => randn(s, { seed: i + 1, dtype }));
      const got = executePlan(plan, operands, backend);
      const want = executePlan(plan, operands, new CpuBackend({ kernels: "ts" }));
      const tol = dtype === "float32" ? 1e-3 : 1e-9;
      const diff = difference(got, want, { rtol: tol, atol: tol * Math.max(1, maxAbs(want.data)) });
      if (!diff.sameShape || diff.mismatches > 0) {
        throw new Error(
          `bench einsum: the ${backend.kernels} result differs from the TypeScript backend (max abs diff ${diff.maxAbs}); the kernel is wrong`,
        );
      }
      const ms = medianMs(() => executePlan(plan, operands, backend), repeats);
      const result: EinsumBenchResult = {
        equation: problem.equation,
        ...cpuBenchRecord(backend, dtype, ms, Number(plan.cost.flops)),
        path: ssaToLinear(plan.path, problem.inputs.length),
      };
      if (values.json) io.stdout(JSON.stringify(result) + "\n");
      else io.stdout(`einsum ${result.equation} ${dtype} ${formatCpuBench(result)}, path ${JSON.stringify(result.path)}\n`);
      return 0;
    } finally {
      backend.dispose();
    }
  },
};

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}
