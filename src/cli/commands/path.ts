/**
 * `multilinear path "<eq>" --shapes '[[…],…]'`: find and show a contraction path.
 * @module
 */
import { writeFileBytes } from "../../io/files.js";
import { parseEinsum } from "../../tensor/einsum/parse.js";
import { formatPathInfo, pathInfo, pathInfoJson } from "../../tensor/paths/info.js";
import { getOptimizer, optimizerNames } from "../../tensor/paths/registry.js";
import { pathTreeSvg } from "../../tensor/paths/svg.js";
import { CliUsageError, intOption, jsonOption, parseCommandArgs, type CliCommand } from "../command.js";

export const pathCommand: CliCommand = {
  name: "path",
  summary: "find a contraction path and show its cost (table, JSON, SVG tree)",
  get help(): string {
    return `usage: multilinear path "<equation>" --shapes '[[2,3],[3,4]]' [options]

options:
  --optimizer NAME     one of: ${optimizerNames().join(", ")} (default auto)
  --memory-limit N     largest intermediate allowed, in elements
  --time-limit-ms N    budget for searching optimizers
  --seed S             seed of randomised optimizers
  --svg FILE           draw the contraction tree (node colour = step cost, edge width = tensor size)
  --json               print {"path", "flops", "size", "naive_flops", "optimizer", "steps", …}
`;
  },
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      shapes: { type: "string" },
      optimizer: { type: "string" },
      "memory-limit": { type: "string" },
      "time-limit-ms": { type: "string" },
      seed: { type: "string" },
      svg: { type: "string" },
      json: { type: "boolean" },
    });
    const equation = positionals[0];
    if (equation === undefined) throw new CliUsageError("missing the equation", `pass it quoted: multilinear path "ij,jk->ik" --shapes '[[2,3],[3,4]]'`);
    if (values.shapes === undefined) throw new CliUsageError("missing --shapes", "give one shape per operand as JSON, e.g. --shapes '[[2,3],[3,4]]'");
    const shapes = jsonOption(values.shapes, "shapes");
    if (!Array.isArray(shapes) || !shapes.every((s) => Array.isArray(s) && s.every((d) => Number.isSafeInteger(d) && d >= 0))) {
      throw new CliUsageError("--shapes must be a JSON array of arrays of non-negative integers", "e.g. --shapes '[[2,3],[3,4]]'");
    }
    const name = values.optimizer ?? "auto";
    const problem = parseEinsum(equation, shapes as number[][]);
    const t0 = performance.now();
    const path = getOptimizer(name)(problem, {
      ...(values["memory-limit"] !== undefined ? { memoryLimit: intOption(values["memory-limit"], "memory-limit") } : {}),
      ...(values["time-limit-ms"] !== undefined ? { timeLimitMs: intOption(values["time-limit-ms"], "time-limit-ms") } : {}),
      seed: intOption(values.seed, "seed", 0),
    });
    const ms = performance.now() - t0;
    const info = pathInfo(problem, path, name);
    if (values.svg !== undefined) await writeFileBytes(values.svg, new TextEncoder().encode(pathTreeSvg(info)));
    if (values.json) io.stdout(JSON.stringify({ ...pathInfoJson(info), time_ms: ms }) + "\n");
    else io.stdout(`${formatPathInfo(info)}\n(found in ${ms.toFixed(1)} ms)${values.svg !== undefined ? `\nwrote ${values.svg}` : ""}\n`);
    return 0;
  },
};
