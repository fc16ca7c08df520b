/**
 * `multilinear mumoe check|run`: μMoE layers from PyTorch weights.
 * @module
 */
import { loadNpy, readFileBytes, saveNpy } from "../../io/files.js";
import { readSafetensors } from "../../io/safetensors.js";
import { muMoEFromSafetensors } from "../../moe/io.js";
import { CliUsageError, parseCommandArgs, type CliCommand, type CliIO } from "../command.js";
import { asksForHelp } from "../subcommands.js";

const HELP = `usage: multilinear mumoe <check|run> …

  mumoe check <fixture.safetensors> [--json]
      Builds the layer from the file's weights and configuration, runs it on the file's \`input\`
      and compares with its \`output\` (relative to max |output|; tolerance 1e-10 for float64,
      1e-5 for float32). JSON: {"layer", "dtype", "max_abs_err", "max_rel_err", "ok"}.
      Exit code 1 when the check fails.

  mumoe run <weights.safetensors> <x.npy> -o y.npy [--json]
      Runs the layer on x ([B, I] or [B, T, I]) and writes y ([B, 1, O] or [B, T, O], as the
      original PyTorch module returns it).
`;

async function check(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: "boolean" } });
  const file = positionals[0];
  if (file === undefined) throw new CliUsageError("missing the .safetensors file", "pass a file with weights, `input` and `output`");
  const f = readSafetensors(await readFileBytes(file), file);
  const layer = muMoEFromSafetensors(f, file);
  const x = f.tensors.get("input");
  const ref = f.tensors.get("output");
  if (!x || !ref)
    throw new CliUsageError(
      `${file} has no 'input' and 'output' tensors to check against`,
      "use `mumoe run` for weights without a reference output",
    );
  const y = layer.forward(x.astype(layer.dtype));
  if (y.size !== ref.size)
    throw new CliUsageError(
      `the layer's output has shape [${y.shape.join(", ")}] but the file's output [${ref.shape.join(", ")}]`,
      "check that input and output belong to these weights",
    );
  const a = y.toTypedArray();
  const b = ref.toTypedArray();
  let scale = 1;
  let maxAbs = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
  }
  const tol = layer.dtype === "float32" ? 1e-5 : 1e-10;
  const report = {
    layer: `${layer.kind === "cp" ? "CPMuMoE" : "TRMuMoE"} experts=[${layer.config.expertDims.join(",")}] ${layer.config.inputDim}→${layer.config.outputDim}${layer.config.secondDim ? `→${layer.config.secondDim}` : ""}`,
    dtype: layer.dtype,
    max_abs_err: maxAbs,
    max_rel_err: maxAbs / scale,
    ok: maxAbs / scale <= tol,
  };
  if (values.json) io.stdout(JSON.stringify(report) + "\n");
  else
    io.stdout(
      `${file}: ${report.layer} ${report.dtype}  max abs err ${maxAbs.toExponential(2)}  max rel err ${report.max_rel_err.toExponential(2)}  ${report.ok ? "OK" : `FAIL (tolerance ${tol})`}\n`,
    );
  return report.ok ? 0 : 1;
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { output: { type: "string", short: "o" }, json: { type: "boolean" } });
  const [weights, input] = positionals;
  if (weights === undefined || input === undefined)
    throw new CliUsageError("need the weights file and the input .npy", "multilinear mumoe run weights.safetensors x.npy -o y.npy");
  if (values.output === undefined) throw new CliUsageError("missing -o/--output", "name the .npy file to write the output to");
  const layer = muMoEFromSafetensors(readSafetensors(await readFileBytes(weights), weights), weights);
  const x = (await loadNpy(input)).astype(layer.dtype);
  const t0 = performance.now();
  const y = layer.forward(x);
  const seconds = (performance.now() - t0) / 1000;
  await saveNpy(values.output, y);
  if (values.json) io.stdout(JSON.stringify({ shape: y.shape, dtype: y.dtype, seconds }) + "\n");
  else io.stdout(`wrote ${values.output}: [${y.shape.join(", ")}] ${y.dtype} in ${(seconds * 1000).toFixed(2)} ms\n`);
  return 0;
}

export const mumoeCommand: CliCommand = {
  name: "mumoe",
  summary: "check or run μMoE layers saved from the original PyTorch code",
  help: HELP,
  subcommands: true,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === "--help" || sub === "-h") {
      io.stdout(HELP);
      return sub === undefined ? 2 : 0;
    }
    if (asksForHelp(rest)) {
      io.stdout(HELP);
      return 0;
    }
    if (sub === "check") return check(rest, io);
    if (sub === "run") return run(rest, io);
    throw new CliUsageError(`unknown mumoe command '${sub}'`, "use `mumoe check` or `mumoe run`");
  },
};
