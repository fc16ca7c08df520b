/**
 * `multilinear bench <what> …`: quick measurements. Each sub-command lives in its own file and is
 * registered in `subcommands` below.
 * @module
 */
import { benchPathsCommand } from "./bench-paths.js";
import type { CliCommand } from "../command.js";
import { commandGroup } from "../subcommands.js";
import { benchEinsumCommand } from "./bench-einsum.js";
import { benchGemmCommand } from "./bench-gemm.js";

/** Sub-commands of `bench`, e.g. `gemm`, `einsum`, `paths`. */
export const benchSubcommands: readonly CliCommand[] = [benchGemmCommand, benchEinsumCommand, benchPathsCommand];

export const benchCommand: CliCommand = commandGroup({
  name: "bench",
  summary: "quick measurements (see multilinear bench --help)",
  usage: "usage: multilinear bench <what> [options]   (multilinear bench <what> --help for details)",
  subcommands: benchSubcommands,
  nameWidth: 10,
  errors: { missing: "missing what to benchmark", unknown: (what) => `unknown benchmark '${what}'` },
});
