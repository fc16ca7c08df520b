/**
 * `multilinear path "<eq>" --shapes '[[…],…]'`: find and show a contraction path.
 * @module
 */
import { writeFileBytes } from "../../io/files.js";
import { parseDType } from "../../tensor/dtype.js";
import { parseEinsum } from "../../tensor/einsum/parse.js";
import { formatPathInfo, pathInfo, pathInfoJson } from "../../tensor/paths/info.js";
import { findPath, optimizerNames } from "../../tensor/paths/registry.js";
import { pathTreeSvg } from "../../tensor/paths/svg.js";
import { CliUsageError, intOption, jsonOption, parseCommandArgs, type CliCommand, type OptionSpec } from "../command.js";
import { memoryLimitElements } from "../memory-limit.js";
import { heartbeat } from "../progress.js";

const OPTIONS = {
  shapes: { type: "string" },
  optimize: { type: "string" },
  "memory-limit": { type: "string" },
  dtype: { type: "string" },
  "time-limit-ms": { type: "string" },
  seed: { type: "string" },
  svg: { type: "string" },
  json: { type: "boolean" },
} as const satisfies OptionSpec;

export const pathCommand: CliCommand = {
  name: "path",
  summary: "find a contraction path and show its cost (table, JSON, SVG tree)",
  options: OPTIONS,
  get help(): string {
    return `usage: multilinear path "<equation>" --shapes '[[2,3],[3,4]]' [options]

Prints opt_einsum's PathInfo table. FLOPs are counted as opt_einsum counts them (a multiply-add
that sums is 2 FLOPs); multiply-adds are given too.

options:
  --shapes JSON                one shape per operand, e.g. '[[2,3],[3,4]]' (required)
  --optimize NAME              one of: ${optimizerNames().join(", ")}
                               (default auto; --optimizer is an alias)
  --memory-limit BYTES|max_input
                               largest intermediate allowed, in bytes (e.g. 64MiB, 1e9), or max_input
                               for the size of the largest input (opt_einsum's meaning)
  --dtype float32|float64      element type that converts --memory-limit bytes to elements (default float64)
  --time-limit-ms N            budget for searching optimizers; the output says when it cut the search short
  --seed S                     seed of randomised optimizers
  --svg FILE                   draw the contraction tree (node colour = step cost, edge width = tensor size)
  --json                       print {"path", "flops", "multiply_adds", "size", "naive_flops", "complete", "steps", …}

optimal and branch-all refuse networks too large to search exhaustively unless given --time-limit-ms.
`;
  },
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const equation = positionals[0];
    if (equation === undefined)
      throw new CliUsageError("missing the equation", `pass it quoted: multilinear path "ij,jk->ik" --shapes '[[2,3],[3,4]]'`);
    if (values.shapes === undefined)
      throw new CliUsageError("missing --shapes", "give one shape per operand as JSON, e.g. --shapes '[[2,3],[3,4]]'");
    const shapes = jsonOption(values.shapes, "shapes");
    if (!Array.isArray(shapes) || !shapes.every((s) => Array.isArray(s) && s.every((d) => Number.isSafeInteger(d) && d >= 0))) {
      throw new CliUsageError("--shapes must be a JSON array of arrays of non-negative integers", "e.g. --shapes '[[2,3],[3,4]]'");
    }
    const dims = shapes as number[][];
    const name = values.optimize ?? "auto";
    const problem = parseEinsum(equation, dims);
    const dtype = parseDType(values.dtype ?? "float64");
    const limit = memoryLimitElements(
      values["memory-limit"],
      dims.map((s) => s.reduce((p, d) => p * d, 1)),
      dtype,
    );
    const timeLimitMs = values["time-limit-ms"] !== undefined ? intOption(values["time-limit-ms"], "time-limit-ms") : undefined;
    const beat = heartbeat(io, `searching for a path with ${name}`);
    const t0 = performance.now();
    let found;
    try {
      found = findPath(problem, name, {
        ...(limit !== undefined ? { memoryLimit: limit } : {}),
        ...(timeLimitMs !== undefined ? { timeLimitMs } : {}),
        seed: intOption(values.seed, "seed", 0),
        onProgress: beat.tick,
      });
    } finally {
      beat.done();
    }
    const ms = performance.now() - t0;
    const info = pathInfo(problem, found.path, name);
    if (values.svg !== undefined) await writeFileBytes(values.svg, new TextEncoder().encode(pathTreeSvg(info)));
    if (values.json) {
      io.stdout(JSON.stringify({ ...pathInfoJson(info), complete: found.complete, time_ms: ms }) + "\n");
      return 0;
    }
    const cut = found.complete
      ? ""
      : `\nnote: the time limit (${timeLimitMs ?? "the optimizer's own"} ms) cut the ${name} search short: this is the best path found in time, not necessarily the best there is`;
    io.stdout(`${formatPathInfo(info)}\n(found in ${ms.toFixed(1)} ms)${cut}${values.svg !== undefined ? `\nwrote ${values.svg}` : ""}\n`);
    return 0;
  },
};
