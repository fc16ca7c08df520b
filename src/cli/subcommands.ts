/**
 * Commands made of sub-commands (`bench gemm`, `gpu info`, …): the help listing and the dispatch.
 * @module
 */
import { CliUsageError, type CliCommand, type CliIO } from "./command.js";

/** True when `--help` or `-h` is among the arguments. */
export function asksForHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/** One help line per sub-command, `  name summary`, the names padded to `width`. */
function subcommandLines(subcommands: readonly CliCommand[], width: number): string[] {
  return subcommands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`);
}

/** What a group command says when its sub-command is missing or unknown. */
export interface SubcommandErrors {
  readonly missing: string;
  readonly unknown: (name: string) => string;
}

/**
 * Runs the sub-command named by `argv[0]` with the arguments after it, or prints that sub-command's
 * help when they ask for it; a missing or unknown name is a {@link CliUsageError} listing the valid ones.
 */
export async function runSubcommand(
  subcommands: readonly CliCommand[],
  argv: readonly string[],
  io: CliIO,
  errors: SubcommandErrors,
): Promise<number> {
  const [name, ...rest] = argv;
  const sub = subcommands.find((c) => c.name === name);
  if (!sub) {
    throw new CliUsageError(
      name === undefined ? errors.missing : errors.unknown(name),
      `use one of: ${subcommands.map((c) => c.name).join(", ")}`,
    );
  }
  if (asksForHelp(rest)) {
    io.stdout(sub.help.trimEnd() + "\n");
    return 0;
  }
  return sub.run(rest, io);
}

/** A command that only dispatches to sub-commands (`bench`, `gpu`): see {@link commandGroup}. */
export interface CommandGroup extends Pick<CliCommand, "name" | "summary"> {
  /** The usage line that opens the help. */
  readonly usage: string;
  readonly subcommands: readonly CliCommand[];
  /** Width the sub-command names are padded to in the help. */
  readonly nameWidth: number;
  /** Lines after the list in the help. */
  readonly footer?: readonly string[];
  readonly errors: SubcommandErrors;
}

/** The command of a {@link CommandGroup}: help = usage, blank line, one line per sub-command, footer; run = {@link runSubcommand}. */
export function commandGroup(group: CommandGroup): CliCommand {
  return {
    name: group.name,
    summary: group.summary,
    subcommands: true,
    get help(): string {
      return [group.usage, "", ...subcommandLines(group.subcommands, group.nameWidth), ...(group.footer ?? [])].join("\n");
    },
    run: (argv, io) => runSubcommand(group.subcommands, argv, io, group.errors),
  };
}
