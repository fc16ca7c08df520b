/**
 * Loader for the numpy golden einsum cases written by scripts/golden_einsum.py.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** Folder of the einsum fixtures. */
export const EINSUM_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "einsum");

/** One case of cases.json. */
export interface GoldenCase {
  readonly name: string;
  readonly equation?: string;
  readonly sublists?: (number | string)[][];
  readonly output?: (number | string)[] | null;
  /** Paths relative to {@link EINSUM_FIXTURES}. */
  readonly operands: string[];
  readonly operandInfo: { shape: number[]; descr: string; fortran: boolean }[];
  readonly result: string;
  readonly resultDescr: string;
  readonly expectError?: string;
}

/** All golden cases. */
export function goldenCases(): GoldenCase[] {
  const manifest = JSON.parse(readFileSync(join(EINSUM_FIXTURES, "cases.json"), "utf8")) as { cases: GoldenCase[] };
  return manifest.cases;
}

/** Bytes of a fixture file. */
export function fixtureBytes(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(join(EINSUM_FIXTURES, relative)));
}
