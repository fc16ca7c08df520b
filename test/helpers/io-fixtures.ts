/**
 * Loader for the I/O fixtures written by scripts/golden_io.py.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Folder of the I/O fixtures. */
export const IO_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "io");

/** A number as JSON carries it: NaN, ±Infinity and -0 are spelled as strings. */
export type JsonNumber = number | "NaN" | "Infinity" | "-Infinity" | "-0";

/** One .npy fixture. */
export interface NpyFixture {
  readonly file: string;
  readonly version: [number, number];
  readonly descr: string;
  readonly fortran: boolean;
  readonly shape: number[];
  readonly values: JsonNumber[];
}

/** One .safetensors fixture. */
export interface SafetensorsFixture {
  readonly file: string;
  readonly metadata: Record<string, string>;
  readonly tensors: { name: string; dtype: string; shape: number[]; values: JsonNumber[] }[];
}

/** The manifest. */
export interface IoManifest {
  readonly npy: NpyFixture[];
  readonly safetensors: SafetensorsFixture[];
  readonly halfRounding: { value: JsonNumber; bits: number }[];
}

/** Reads the manifest. */
export function ioManifest(): IoManifest {
  return JSON.parse(readFileSync(join(IO_FIXTURES, "manifest.json"), "utf8")) as IoManifest;
}

/** Bytes of a fixture file. */
export function ioBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(IO_FIXTURES, file)));
}

/** Decodes a {@link JsonNumber}. */
export function jsonNumber(v: JsonNumber): number {
  if (typeof v === "number") return v;
  return v === "NaN" ? Number.NaN : v === "Infinity" ? Number.POSITIVE_INFINITY : v === "-Infinity" ? Number.NEGATIVE_INFINITY : -0;
}
