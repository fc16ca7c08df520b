/**
 * `multilinear decompose cp|tr|tt` and `multilinear reconstruct`.
 * @module
 */
import { loadNpy, readFileBytes, saveNpy, writeFileBytes } from "../../io/files.js";
import { cpAls } from "../../decomp/fit/cp-als.js";
import { trAls, trSvd, ttSvd } from "../../decomp/fit/tr-tt.js";
import { ranksOf, readFactorized, writeFactorized, type Factorized } from "../../decomp/io.js";
import { frobenius } from "../../linalg/matrix.js";
import { CliUsageError, intOption, parseCommandArgs, type CliCommand, type OptionSpec } from "../command.js";
import { progressBar } from "../progress.js";

function numberList(text: string, name: string): number[] {
  const parts = text.split(",").map((s) => Number(s.trim()));
  if (parts.some((n) => !Number.isInteger(n)))
    throw new CliUsageError(`--${name} must be a comma-separated list of integers, got '${text}'`);
  return parts;
}

const DECOMPOSE_OPTIONS = {
  rank: { type: "string" },
  ranks: { type: "string" },
  init: { type: "string" },
  tol: { type: "string" },
  "max-iter": { type: "string" },
  seed: { type: "string" },
  normalize: { type: "boolean" },
  "non-negative": { type: "boolean" },
  output: { type: "string", short: "o" },
  json: { type: "boolean" },
} as const satisfies OptionSpec;

export const decomposeCommand: CliCommand = {
  options: DECOMPOSE_OPTIONS,
  name: "decompose",
  summary: "fit a CP, tensor-ring or tensor-train decomposition to a .npy tensor",
  help: `usage: multilinear decompose cp|tr|tt <in.npy> (--rank R | --ranks r,…) [options]

  cp   CP-ALS (TensorLy's parafac): --rank R
  tr   tensor ring: --ranks with d ring ranks (the ring closes), or TensorLy's d+1 form, or --rank R for all;
       --init svd (default) runs TR-SVD and refines it by TR-ALS; --init random runs TR-ALS from random cores
  tt   TT-SVD: --ranks with d−1 inner ranks (boundary ranks 1 implied; d+1 form accepted), or --rank R,
       and/or --tol for Oseledets' truncation to relative accuracy T

options:
  --init svd|random   initialisation (cp, tr)
  --tol T             cp/tr: stop when the error changes by less than T; tt: relative accuracy
  --max-iter N        iteration limit (cp default 100, tr 100)
  --seed S            seed of random initialisations
  --normalize         cp: normalise factor columns into the weights
  --non-negative      cp: non-negative factors
  -o, --output FILE   write the factors (.safetensors; read back with \`multilinear reconstruct\`)
  --json              print {"method", "ranks", "rel_error", "iterations", "converged", "params", "seconds"}

cp and tr iterate until the error changes by less than --tol or --max-iter is reached; the output
says whether they converged (tt is a direct method: always converged).
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, DECOMPOSE_OPTIONS);
    const [method, file] = positionals;
    if (method !== "cp" && method !== "tr" && method !== "tt")
      throw new CliUsageError(`unknown method '${method ?? ""}'`, "use cp, tr or tt");
    if (file === undefined) throw new CliUsageError("missing the input .npy file");
    const x = await loadNpy(file);
    const tol = values.tol === undefined ? undefined : Number(values.tol);
    if (tol !== undefined && !(tol >= 0)) throw new CliUsageError(`--tol must be a non-negative number, got '${values.tol}'`);
    const maxIter = intOption(values["max-iter"], "max-iter", 100);
    const seed = intOption(values.seed, "seed", 0);
    const init = values.init ?? "svd";
    if (init !== "svd" && init !== "random") throw new CliUsageError(`--init must be svd or random, got '${init}'`);
    const rank = values.rank === undefined ? undefined : intOption(values.rank, "rank");
    const ranks = values.ranks === undefined ? undefined : numberList(values.ranks, "ranks");
    const bar = progressBar(io, maxIter);
    const onIteration = (it: number, err: number): void => bar.update(it, `iteration ${it}/${maxIter}  rel. error ${err.toExponential(3)}`);
    const t0 = performance.now();
    let result: Factorized;
    let relError: number;
    let iterations = 1;
    let converged = true;
    if (method === "cp") {
      if (rank === undefined) throw new CliUsageError("cp needs --rank R");
      const fit = cpAls(x, rank, {
        init,
        maxIter,
        seed,
        onIteration,
        ...(tol !== undefined ? { tol } : {}),
        ...(values.normalize ? { normalizeFactors: true } : {}),
        ...(values["non-negative"] ? { nonNegative: true } : {}),
      });
      result = fit.cp;
      relError = fit.errors[fit.errors.length - 1]!;
      iterations = fit.iterations;
      converged = fit.converged;
    } else if (method === "tr") {
      const r = ranks ?? rank;
      if (r === undefined) throw new CliUsageError("tr needs --ranks r0,r1,… (or --rank R)");
      const start = init === "svd" ? trSvd(x, r) : undefined;
      if (start && start.relError <= (tol ?? 1e-10)) {
        result = start.tr;
        relError = start.relError;
      } else {
        const fit = trAls(x, start ? start.tr.ranks : r, {
          maxIter,
          seed,
          onIteration,
          ...(start ? { init: start.tr } : {}),
          ...(tol !== undefined ? { tol } : {}),
        });
        result = fit.tr;
        relError = fit.errors[fit.errors.length - 1]!;
        iterations = fit.iterations;
        converged = fit.converged;
      }
    } else {
      const r = ranks ?? rank;
      if (r === undefined && tol === undefined) throw new CliUsageError("tt needs --ranks (d−1 inner ranks), --rank R or --tol T");
      const fit = ttSvd(x, { ...(r !== undefined ? { ranks: r } : {}), ...(tol !== undefined ? { tol } : {}) });
      result = fit.tt;
      relError = fit.relError;
    }
    bar.done();
    const seconds = (performance.now() - t0) / 1000;
    const outRanks = ranksOf(result);
    if (values.output !== undefined)
      await writeFileBytes(values.output, writeFactorized(result, { rel_error: String(relError), source: file }));
    const report = {
      method,
      ranks: outRanks,
      rel_error: relError,
      iterations,
      converged,
      params: result.parameterCount().toString(),
      seconds,
    };
    if (values.json) io.stdout(JSON.stringify(report) + "\n");
    else {
      io.stdout(
        `${method.toUpperCase()} of [${x.shape.join(", ")}] (‖X‖ = ${frobenius(x).toPrecision(6)}): ranks [${outRanks.join(", ")}], relative error ${relError.toExponential(3)} after ${iterations} iteration${iterations === 1 ? "" : "s"} (${converged ? "converged" : "did not converge"}), ${report.params} parameters (dense: ${x.size}), ${seconds.toFixed(2)} s\n`,
      );
      if (!converged) {
        io.stdout(
          `did not converge: the error still changed by more than the tolerance (${tol ?? "the default"}) after ${iterations} iterations; the factors are the last iterate. Raise --max-iter, loosen --tol, or try another --init or --seed\n`,
        );
      }
      if (values.output !== undefined) io.stdout(`wrote ${values.output}\n`);
    }
    return 0;
  },
};

const RECONSTRUCT_OPTIONS = { output: { type: "string", short: "o" }, json: { type: "boolean" } } as const satisfies OptionSpec;

export const reconstructCommand: CliCommand = {
  options: RECONSTRUCT_OPTIONS,
  name: "reconstruct",
  summary: "form the dense tensor of factors written by `decompose -o`",
  help: `usage: multilinear reconstruct <factors.safetensors> -o out.npy [--json]

Reads CP weights/factors or TR/TT cores and writes the dense tensor as .npy.

options:
  -o, --output FILE   the .npy file to write (required)
  --json              print {"shape", "dtype"} as JSON
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, RECONSTRUCT_OPTIONS);
    const file = positionals[0];
    if (file === undefined) throw new CliUsageError("missing the factors file");
    if (values.output === undefined) throw new CliUsageError("missing -o/--output", "name the .npy file to write");
    const t = readFactorized(await readFileBytes(file), file);
    const dense = t.toDense();
    await saveNpy(values.output, dense);
    if (values.json) io.stdout(JSON.stringify({ shape: dense.shape, dtype: dense.dtype }) + "\n");
    else io.stdout(`wrote ${values.output}: [${dense.shape.join(", ")}] ${dense.dtype}\n`);
    return 0;
  },
};
