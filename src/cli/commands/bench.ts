/**
 * `multilinear bench <what> …`: quick measurements. Each sub-command lives in its own file and is
 * registered in `subcommands` below.
 * @module
 */
import { benchPathsCommand } from "./bench-paths.js";
import { CliUsageError, type CliCommand } from "../command.js";
import { benchEinsumCommand } from "./bench-einsum.js";
import { benchGemmCommand } from "./bench-gemm.js";

/** Sub-commands of `bench`, e.g. `gemm`, `einsum`, `paths`. */
export const benchSubcommands: readonly CliCommand[] = [benchGemmCommand, benchEinsumCommand, benchPathsCommand];

export const benchCommand: CliCommand = {
  name: "bench",
  summary: "quick measurements (see multilinear bench --help)",
  subcommands: true,
  get help(): string {
    return [
      "usage: multilinear bench <what> [options]   (multilinear bench <what> --help for details)",
      "",
      ...benchSubcommands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    ].join("\n");
  },
  async run(argv, io) {
    const [what, ...rest] = argv;
    const sub = benchSubcommands.find((c) => c.name === what);
    if (!sub) {
      throw new CliUsageError(
        what === undefined ? "missing what to benchmark" : `unknown benchmark '${what}'`,
        `use one of: ${benchSubcommands.map((c) => c.name).join(", ") || "(none yet)"}`,
      );
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(sub.help.trimEnd() + "\n");
      return 0;
    }
    return sub.run(rest, io);
  },
};
