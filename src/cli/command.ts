/**
 * The shape of a CLI command. Commands parse their own arguments and call the library; they hold no
 * logic the library lacks.
 * @module
 */
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors.js";

/** Where a command writes. */
export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stdout/stderr is a terminal (progress bars only then). */
  readonly isTTY: boolean;
}

/** One verb of the `multilinear` CLI. */
export interface CliCommand {
  /** Verb, e.g. `"contract"`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full help text printed by `--help`. */
  readonly help: string;
  /** True when the command has sub-commands and answers `--help` after a sub-command itself. */
  readonly subcommands?: boolean;
  /** The options it parses (its help lists each of them). */
  readonly options?: OptionSpec;
  /** Runs with the arguments after the verb; resolves to the exit code. */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/**
 * A top-level command as the command table lists it: its name and summary, and a loader that imports
 * its module when it runs, so that a command never pays for loading the others.
 */
export interface CliCommandEntry extends Pick<CliCommand, "name" | "summary"> {
  /** Imports the command's module. */
  load(): Promise<CliCommand>;
}

/** A command-line mistake: printed as one line, exit code 2. */
export class CliUsageError extends InvalidArgumentError {
  constructor(what: string, hint = "run with --help to see the usage") {
    super(what, hint);
  }
}

/** Declared options of a command, as `node:util` parseArgs takes them. */
export type OptionSpec = Readonly<
  Record<string, { readonly type: "string" | "boolean"; readonly short?: string; readonly multiple?: boolean }>
>;

/** Parsed option values for an {@link OptionSpec}. */
export type OptionValues<O extends OptionSpec> = {
  -readonly [K in keyof O]?: O[K]["type"] extends "string"
    ? O[K]["multiple"] extends true
      ? string[]
      : string
    : O[K]["multiple"] extends true
      ? boolean[]
      : boolean;
};

/** Other spellings accepted for an option: alias → option. */
export const OPTION_ALIASES: Readonly<Record<string, string>> = { optimizer: "optimize" };

/**
 * `node:util` parseArgs with strict checking, turning its errors into {@link CliUsageError}. The
 * {@link OPTION_ALIASES} of declared options are accepted too (`--optimizer` for `--optimize`).
 */
export function parseCommandArgs<const O extends OptionSpec>(
  argv: readonly string[],
  options: O,
  allowPositionals = true,
): { values: OptionValues<O>; positionals: string[] } {
  const aliases = Object.entries(OPTION_ALIASES).filter(([alias, name]) => name in options && !(alias in options));
  const spec: Record<string, OptionSpec[string]> = { ...options, help: { type: "boolean", short: "h" } };
  for (const [alias, name] of aliases) spec[alias] = { type: options[name]!.type, ...(options[name]!.multiple ? { multiple: true } : {}) };
  let r: ReturnType<typeof parseArgs>;
  try {
    r = parseArgs({ args: [...argv], options: spec, allowPositionals, strict: true });
  } catch (e) {
    throw new CliUsageError(e instanceof Error ? e.message.split("\n")[0]! : String(e));
  }
  const values = r.values as Record<string, unknown>;
  for (const [alias, name] of aliases) {
    const v = values[alias];
    if (v === undefined) continue;
    if (options[name]!.multiple) values[name] = [...((values[name] as unknown[] | undefined) ?? []), ...(v as unknown[])];
    else if (values[name] !== undefined) throw new CliUsageError(`--${alias} and --${name} are the same option`, `give --${name} once`);
    else values[name] = v;
    delete values[alias];
  }
  return { values: values as OptionValues<O>, positionals: r.positionals };
}

/** Parses a positive integer option. */
export function intOption(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new CliUsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new CliUsageError(`--${name} must be an integer, got '${value}'`);
  return n;
}

/** Parses an integer option that must be at least 1. */
export function positiveIntOption(value: string | undefined, name: string, fallback?: number): number {
  const n = intOption(value, name, fallback);
  if (n < 1) throw new CliUsageError(`--${name} must be at least 1, got ${n}`);
  return n;
}

/** Parses a JSON option, naming it in the error. */
export function jsonOption(value: string, name: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new CliUsageError(`--${name} is not valid JSON: ${value}`, `quote it for the shell, e.g. --${name} '[[2,3],[3,4]]'`);
  }
}
