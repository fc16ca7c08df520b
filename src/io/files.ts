/**
 * File helpers for Node. `node:fs` is imported lazily so that browser bundles of the library never
 * touch it unless these functions are called.
 * @module
 */
import { FileFormatError } from "../errors.js";
import type { DenseTensor } from "../tensor/dense.js";
import { readNpy, writeNpy } from "./npy.js";
import { readSafetensors, writeSafetensors, type SafetensorsFile, type SafetensorsWriteEntry } from "./safetensors.js";

/**
 * Reads a whole file (Node only).
 * @throws {@link FileFormatError} when the file does not exist or cannot be read.
 * @category I/O
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const fs = await import("node:fs/promises");
  try {
    const b = await fs.readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new FileFormatError(path, code === "ENOENT" ? "no such file" : `cannot be read (${code ?? String(e)})`, "check the path");
  }
}

/**
 * Writes a whole file (Node only).
 * @throws {@link FileFormatError} when the file cannot be written (missing directory, no permission…).
 * @category I/O
 */
export async function writeFileBytes(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import("node:fs/promises");
  try {
    await fs.writeFile(path, bytes);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new FileFormatError(path, `cannot be written (${code ?? String(e)})`, "check that the directory exists and is writable");
  }
}

/** Loads a `.npy` file. @category I/O */
export async function loadNpy(path: string): Promise<DenseTensor> {
  return readNpy(await readFileBytes(path), path);
}

/** Saves a tensor as `.npy`. @category I/O */
export async function saveNpy(path: string, x: DenseTensor): Promise<void> {
  await writeFileBytes(path, writeNpy(x));
}

/** Loads a `.safetensors` file. @category I/O */
export async function loadSafetensors(path: string): Promise<SafetensorsFile> {
  return readSafetensors(await readFileBytes(path), path);
}

/** Saves tensors as `.safetensors`. @category I/O */
export async function saveSafetensors(
  path: string,
  tensors: Readonly<Record<string, DenseTensor | SafetensorsWriteEntry>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileBytes(path, writeSafetensors(tensors, metadata));
}
