/**
 * `--memory-limit BYTES|max_input`: the largest intermediate allowed, in bytes (with an optional
 * k/M/G/T and i suffix, e.g. `64MiB`), or `max_input` for the size of the largest input (opt_einsum's
 * meaning). The library's limit is in elements; the element size of the dtype converts.
 * @module
 */
import { itemSize, type DType } from "../tensor/dtype.js";
import { CliUsageError } from "./command.js";

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/**
 * The limit in elements for `--memory-limit`, or undefined when the flag is absent.
 * @param inputSizes - element counts of the operands (for `max_input`).
 */
export function memoryLimitElements(value: string | undefined, inputSizes: readonly number[], dtype: DType): number | undefined {
  if (value === undefined) return undefined;
  if (value === "max_input") return Math.max(1, ...inputSizes);
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]i?)?b?$/i.exec(value.trim());
  if (!m)
    throw new CliUsageError(
      `--memory-limit must be a byte count or max_input, got '${value}'`,
      "e.g. --memory-limit 64MiB, --memory-limit 1e9 or --memory-limit max_input",
    );
  const bytes = Number(m[1]) * UNITS[(m[2] ?? "").toLowerCase()]!;
  const elements = Math.floor(bytes / itemSize(dtype));
  if (!(elements >= 1))
    throw new CliUsageError(`--memory-limit ${value} is less than one ${dtype} element`, "give at least a few bytes, or max_input");
  return elements;
}
