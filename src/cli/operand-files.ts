/**
 * Operand files of the CLI: `x.npy`, or a tensor of a safetensors file as `file.safetensors:name`
 * (the name may be left out when the file holds one tensor).
 * @module
 */
import { readFileBytes } from "../io/files.js";
import { readNpy } from "../io/npy.js";
import { readSafetensors } from "../io/safetensors.js";
import type { DenseTensor } from "../tensor/dense.js";
import { CliUsageError } from "./command.js";

/** True when the bytes start with the .npy magic. */
function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === "NUMPY";
}

/** Loads one operand argument; the format is found from the file's first bytes (or a .npy name). */
export async function loadOperand(arg: string): Promise<DenseTensor> {
  const named = /^(.*\.safetensors):([^:/\\]+)$/i.exec(arg);
  const file = named ? named[1]! : arg;
  const bytes = await readFileBytes(file);
  if (!named && (isNpy(bytes) || /\.npy$/i.test(file))) return readNpy(bytes, file);
  const st = readSafetensors(bytes, file);
  const names = [...st.tensors.keys()].sort();
  const name = named ? named[2]! : names.length === 1 ? names[0]! : undefined;
  if (name === undefined) {
    throw new CliUsageError(
      `${file} holds ${names.length} tensors; which one?`,
      `name it after a colon, e.g. ${file}:${names[0] ?? "weight"} (tensors: ${names.join(", ") || "none"})`,
    );
  }
  const x = st.tensors.get(name);
  if (!x)
    throw new CliUsageError(
      `${file} has no tensor '${name}'`,
      `use one of: ${names.join(", ") || "(none)"} (multilinear info ${file} lists them)`,
    );
  return x;
}
