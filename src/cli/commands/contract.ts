/**
 * `multilinear contract "<eq>" a.npy b.npy … -o out.npy`
 * @module
 */
import { loadNpy, saveNpy } from "../../io/files.js";
import { parseDType } from "../../tensor/dtype.js";
import { planProblem, commonDType, defaultBackend } from "../../tensor/api/einsum.js";
import { parseEinsum } from "../../tensor/einsum/parse.js";
import { executePlan, executePlanAsync } from "../../tensor/execute.js";
import { createGpuBackend } from "../../tensor/backends/gpu/create.js";
import { parseGpuMode } from "../../tensor/backends/gpu/modes.js";
import { ssaToLinear } from "../../tensor/paths/path.js";
import { CliUsageError, parseCommandArgs, type CliCommand } from "../command.js";

export const contractCommand: CliCommand = {
  name: "contract",
  summary: "contract .npy operands by an einsum equation",
  help: `usage: multilinear contract "<equation>" a.npy [b.npy …] -o out.npy [options]

Contracts the operands by a numpy einsum equation and writes the result as .npy.

options:
  -o, --output FILE        where to write the result (.npy); omitted: print the result
  --dtype float32|float64  convert operands to this dtype first (default: theirs; mixed float32/float64
                           compute in float64, integer and bool files are read as float64)
  --optimize NAME          path optimizer (default greedy)
  --backend cpu|gpu        where to run (default cpu); gpu computes in float32 (use --dtype float32)
  --gpu-mode MODE          gpu.js mode for --backend gpu: auto (default), webgpu, webgl2, headlessgl, webasm, cpu
  --json                   print {shape, dtype, path, flops, seconds, backend} as JSON
`,
  async run(argv, io) {
    // An equation with only scalar operands starts with "->", which the option parser would take for an option.
    const hidden = new Map<string, string>();
    const args = argv.map((a, i) => {
      if (!a.startsWith("->")) return a;
      const token = `\u0000equation${i}`;
      hidden.set(token, a);
      return token;
    });
    const parsed = parseCommandArgs(args, {
      output: { type: "string", short: "o" },
      dtype: { type: "string" },
      optimize: { type: "string" },
      backend: { type: "string" },
      "gpu-mode": { type: "string" },
      json: { type: "boolean" },
    });
    const { values } = parsed;
    const positionals = parsed.positionals.map((a) => hidden.get(a) ?? a);
    const backendName = values.backend ?? "cpu";
    if (backendName !== "cpu" && backendName !== "gpu") throw new CliUsageError(`unknown backend '${backendName}'`, "use --backend cpu or --backend gpu");
    const [equation, ...files] = positionals;
    if (equation === undefined) throw new CliUsageError("missing the equation", 'pass it first, quoted: multilinear contract "ij,jk->ik" a.npy b.npy');
    if (files.length === 0) throw new CliUsageError("no operand files given", "list one .npy file per input term");
    let operands = await Promise.all(files.map((f) => loadNpy(f)));
    if (values.dtype !== undefined) {
      const d = parseDType(values.dtype);
      operands = operands.map((x) => x.astype(d));
    }
    const dtype = commonDType(operands);
    const problem = parseEinsum(equation, operands.map((x) => x.shape));
    const gpu = backendName === "gpu" ? await createGpuBackend({ mode: parseGpuMode(values["gpu-mode"] ?? "auto") }) : undefined;
    const t0 = performance.now();
    const plan = planProblem(problem, { dtype, ...(values.optimize ? { optimize: values.optimize } : {}), ...(gpu ? { backend: gpu } : {}) });
    const result = gpu ? await executePlanAsync(plan, operands, gpu).finally(() => gpu.dispose({ releaseDevice: true })) : executePlan(plan, operands, defaultBackend());
    const seconds = (performance.now() - t0) / 1000;
    if (values.output !== undefined) await saveNpy(values.output, result);
    const summary = {
      shape: result.shape,
      dtype: result.dtype,
      path: ssaToLinear(plan.path, problem.inputs.length),
      flops: plan.cost.flops.toString(),
      seconds,
      backend: gpu ? `gpujs:${gpu.mode}` : "cpu",
    };
    if (values.json) io.stdout(JSON.stringify(summary) + "\n");
    else {
      io.stdout(`${problem.equation}  shape [${result.shape.join(", ")}] ${result.dtype}  flops ${summary.flops}  ${(seconds * 1000).toFixed(2)} ms\n`);
      if (values.output === undefined) io.stdout(JSON.stringify(result.toArray()) + "\n");
      else io.stdout(`wrote ${values.output}\n`);
    }
    return 0;
  },
};
