/**
 * The `multilinear` command line.
 * @module
 */
import { MultilinearError } from "../errors.js";
import type { CliCommandEntry, CliIO } from "./command.js";
import { commands } from "./commands/index.js";
import { cliWording } from "./hints.js";
import { asksForHelp } from "./subcommands.js";

const USAGE = (list: readonly CliCommandEntry[]): string =>
  [
    "usage: multilinear <command> [options]   (multilinear help <command>, or <command> --help, for details)",
    "",
    "commands:",
    ...list.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
  ].join("\n");

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = argv;
  // `multilinear help <command> [<sub-command>]` is `multilinear <command> [<sub-command>] --help`.
  if (verb === "help" && rest.length > 0) return main([...rest, "--help"], io);
  if (verb === undefined || verb === "--help" || verb === "-h" || verb === "help") {
    io.stdout(USAGE(commands) + "\n");
    return verb === undefined ? 2 : 0;
  }
  if (verb === "--version") {
    io.stdout("multilinear 0.1.0\n");
    return 0;
  }
  const entry = commands.find((c) => c.name === verb);
  if (!entry) {
    io.stderr(`multilinear: unknown command '${verb}'; commands: ${commands.map((c) => c.name).join(", ")}\n`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest[0] === "--help" || rest[0] === "-h" || (!cmd.subcommands && asksForHelp(rest))) {
    io.stdout(cmd.help.trimEnd() + "\n");
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof MultilinearError) {
      io.stderr(`multilinear ${verb}: ${cliWording(e.what).split("\n").join("\n  ")} (fix: ${cliWording(e.hint)})\n`);
      return 2;
    }
    throw e;
  }
}
