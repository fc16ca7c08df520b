/**
 * `multilinear contract "<eq>" a.npy b.safetensors:w … [-o out.npy]`
 * @module
 */
import { saveNpy } from "../../io/files.js";
import { parseDType } from "../../tensor/dtype.js";
import { contract, contractPath } from "../../tensor/api/contract.js";
import { planProblem, commonDType, defaultBackend } from "../../tensor/api/einsum.js";
import type { DenseTensor } from "../../tensor/dense.js";
import { parseEinsum } from "../../tensor/einsum/parse.js";
import { executePlan, executePlanAsync } from "../../tensor/plan/execute.js";
import { pathCost } from "../../tensor/paths/cost.js";
import { findSlices } from "../../tensor/paths/slicing.js";
import { ssaToLinear } from "../../tensor/paths/path.js";
import { CliUsageError, parseCommandArgs, type CliCommand, type OptionSpec } from "../command.js";
import { formatArray } from "../format-array.js";
import { memoryLimitElements } from "../memory-limit.js";
import { openGpuBackend } from "../open-gpu.js";
import { loadOperand } from "../operand-files.js";

const OPTIONS = {
  output: { type: "string", short: "o" },
  dtype: { type: "string" },
  optimize: { type: "string" },
  "memory-limit": { type: "string" },
  slice: { type: "boolean" },
  backend: { type: "string" },
  "gpu-mode": { type: "string" },
  json: { type: "boolean" },
} as const satisfies OptionSpec;

/** Nested arrays with non-finite values as the strings "nan", "inf", "-inf" (JSON has no NaN). */
function jsonValues(x: DenseTensor): unknown {
  return JSON.parse(
    JSON.stringify(x.toArray(), (_, v: unknown) =>
      typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf") : v,
    ),
  );
}

export const contractCommand: CliCommand = {
  name: "contract",
  summary: "contract .npy / .safetensors operands by an einsum equation",
  options: OPTIONS,
  help: `usage: multilinear contract "<equation>" a.npy [b.safetensors:name …] [-o out.npy] [options]

Contracts the operands by a numpy einsum equation. Each operand is a .npy file or one tensor of a
.safetensors file, written file.safetensors:name (the name may be left out when the file holds one
tensor; multilinear info lists them). Without -o a numpy-style summary of the result is printed
(shape, dtype, the values, with … in the middle when there are more than 1000).

FLOPs are counted as opt_einsum counts them (a multiply-add that sums is 2 FLOPs).

options:
  -o, --output FILE            where to write the result (.npy); omitted: print a summary
  --dtype float32|float64      convert operands to this dtype first (default: theirs; mixed float32/float64
                               compute in float64, integer and bool files are read as float64)
  --optimize NAME              path optimizer (default auto; --optimizer is an alias)
  --memory-limit BYTES|max_input
                               largest intermediate allowed, in bytes (e.g. 64MiB, 1e9), or max_input
                               for the size of the largest input (opt_einsum's meaning)
  --slice                      when an intermediate would exceed --memory-limit, slice the contraction
                               (run it in pieces over summed labels and add them) instead of failing
  --backend cpu|gpu            where to run (default cpu); gpu computes in float32 (use --dtype float32)
                               and needs the optional package gpu.js (npm install gpu.js)
  --gpu-mode MODE              gpu.js mode for --backend gpu: auto (default), webgpu, webgl2, headlessgl, webasm, cpu
  --json                       print {equation, shape, dtype, path, flops, multiply_adds, seconds, backend, …}
                               as JSON, with "values" (the full nested array) when there is no -o
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
    const parsed = parseCommandArgs(args, OPTIONS);
    const { values } = parsed;
    const positionals = parsed.positionals.map((a) => hidden.get(a) ?? a);
    const backendName = values.backend ?? "cpu";
    if (backendName !== "cpu" && backendName !== "gpu")
      throw new CliUsageError(`unknown backend '${backendName}'`, "use --backend cpu or --backend gpu");
    const [equation, ...files] = positionals;
    if (equation === undefined)
      throw new CliUsageError("missing the equation", 'pass it first, quoted: multilinear contract "ij,jk->ik" a.npy b.npy');
    if (files.length === 0)
      throw new CliUsageError("no operand files given", "list one .npy file (or file.safetensors:name) per input term");
    if (values.slice && values["memory-limit"] === undefined)
      throw new CliUsageError("--slice needs --memory-limit", "say how large an intermediate may be, e.g. --memory-limit 64MiB --slice");
    if (values.slice && backendName === "gpu")
      throw new CliUsageError("--slice runs on the cpu backend", "drop --backend gpu, or raise --memory-limit instead of slicing");
    let operands = await Promise.all(files.map((f) => loadOperand(f)));
    if (values.dtype !== undefined) {
      const d = parseDType(values.dtype);
      operands = operands.map((x) => x.astype(d));
    }
    const dtype = commonDType(operands);
    const problem = parseEinsum(
      equation,
      operands.map((x) => x.shape),
    );
    const limit = memoryLimitElements(
      values["memory-limit"],
      operands.map((x) => x.size),
      dtype,
    );
    const optimize = values.optimize ?? "auto";
    const gpu = backendName === "gpu" ? await openGpuBackend(values["gpu-mode"]) : undefined;
    const t0 = performance.now();
    let result: DenseTensor;
    let path: number[][];
    let cost: { flops: bigint; multiplyAdds: bigint };
    let slices: { labels: readonly string[]; slices: string } | undefined;
    if (values.slice && limit !== undefined) {
      // The path ignores the limit; slicing brings every intermediate under it.
      const { info } = contractPath(equation, ...operands, { optimize });
      const s = findSlices(problem, info.ssaPath, limit);
      const one = pathCost(s.problem, info.ssaPath);
      result = contract(equation, ...operands, { optimize: { path: info.path }, sliceLimit: limit });
      path = info.path;
      cost = { flops: one.flops * s.slices, multiplyAdds: s.multiplyAdds };
      slices = { labels: s.labels, slices: s.slices.toString() };
    } else {
      const plan = planProblem(problem, {
        dtype,
        optimize,
        ...(limit !== undefined ? { memoryLimit: limit } : {}),
        ...(gpu ? { backend: gpu } : {}),
      });
      result = gpu
        ? await executePlanAsync(plan, operands, gpu).finally(() => gpu.dispose({ releaseDevice: true }))
        : executePlan(plan, operands, defaultBackend());
      path = ssaToLinear(plan.path, problem.inputs.length);
      cost = plan.cost;
    }
    const seconds = (performance.now() - t0) / 1000;
    if (values.output !== undefined) await saveNpy(values.output, result);
    const gpuInfo = gpu ? { gpu_mode: gpu.info.selected, gpu_software: gpu.info.software, gpu_reason: gpu.info.reason } : {};
    const summary = {
      equation: problem.equation,
      shape: result.shape,
      dtype: result.dtype,
      path,
      flops: cost.flops.toString(),
      multiply_adds: cost.multiplyAdds.toString(),
      seconds,
      backend: gpu ? `gpujs:${gpu.info.selected}` : "cpu",
      ...gpuInfo,
      ...(limit !== undefined ? { memory_limit_elements: limit } : {}),
      ...(slices ? { sliced_labels: slices.labels, slices: slices.slices } : {}),
    };
    if (values.json) {
      io.stdout(JSON.stringify(values.output === undefined ? { ...summary, values: jsonValues(result) } : summary) + "\n");
      return 0;
    }
    io.stdout(
      `${problem.equation}  shape [${result.shape.join(", ")}] ${result.dtype}  flops ${summary.flops}  ${(seconds * 1000).toFixed(2)} ms\n`,
    );
    if (gpu) {
      const i = gpu.info;
      io.stdout(
        i.software
          ? `backend: gpu.js mode '${i.selected}', a software mode on the CPU${values["gpu-mode"] === undefined || values["gpu-mode"] === "auto" ? " (no usable GPU here, fell back to it)" : ""}: ${i.reason}\n`
          : `backend: gpu.js mode '${i.selected}' (${i.reason})\n`,
      );
    }
    if (slices)
      io.stdout(`sliced over ${slices.labels.join(", ")} in ${slices.slices} slices to stay under ${limit} elements per intermediate\n`);
    if (values.output === undefined) io.stdout(formatArray(result) + "\n");
    else io.stdout(`wrote ${values.output}\n`);
    return 0;
  },
};
