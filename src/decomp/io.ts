/**
 * Factorized tensors in `.safetensors`: CP weights and factors (`weights`, `factors.<k>`) or TR/TT
 * cores (`cores.<k>`), with the method and ranks in the metadata.
 * @module
 */
import { FileFormatError } from "../errors.js";
import { readSafetensors, writeSafetensors } from "../io/safetensors.js";
import type { DenseTensor } from "../tensor/dense.js";
import { CPTensor } from "./cp.js";
import { TRTensor, TTTensor } from "./tr.js";

/** Any factorized tensor this library stores. @category Decompositions */
export type Factorized = CPTensor | TRTensor | TTTensor;

/** The method name stored in the metadata. @category Decompositions */
export function methodOf(t: Factorized): "cp" | "tr" | "tt" {
  return t instanceof CPTensor ? "cp" : t instanceof TTTensor ? "tt" : "tr";
}

/** The ranks as the CLI reports them: `[R]` for CP, `R_0 … R_D` for TR/TT. @category Decompositions */
export function ranksOf(t: Factorized): number[] {
  return t instanceof CPTensor ? [t.rank] : t.ranks;
}

/** Serialises a factorized tensor (plus extra metadata) as safetensors bytes. @category Decompositions */
export function writeFactorized(t: Factorized, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const tensors: Record<string, DenseTensor> = {};
  if (t instanceof CPTensor) {
    tensors["weights"] = t.weights;
    t.factors.forEach((f, k) => (tensors[`factors.${k}`] = f));
  } else t.cores.forEach((c, k) => (tensors[`cores.${k}`] = c));
  return writeSafetensors(tensors, {
    format: "multilinear-factorized/v1",
    method: methodOf(t),
    ranks: JSON.stringify(ranksOf(t)),
    shape: JSON.stringify(t.shape),
    ...metadata,
  });
}

/**
 * Reads a factorized tensor written by {@link writeFactorized} (`multilinear decompose -o`).
 * @throws {@link FileFormatError} when the metadata or tensors are missing or inconsistent.
 * @category Decompositions
 */
export function readFactorized(bytes: Uint8Array, name = "<safetensors>"): Factorized {
  const f = readSafetensors(bytes, name);
  const method = f.metadata["method"];
  const list = (prefix: string): DenseTensor[] => {
    const out: DenseTensor[] = [];
    for (let k = 0; f.tensors.has(`${prefix}.${k}`); k++) out.push(f.tensors.get(`${prefix}.${k}`)!);
    if (out.length === 0) throw new FileFormatError(name, `no '${prefix}.0' tensor`, "write the file with `multilinear decompose -o`");
    return out;
  };
  try {
    if (method === "cp") return new CPTensor(f.tensors.get("weights"), list("factors"));
    if (method === "tr") return new TRTensor(list("cores"));
    if (method === "tt") return new TTTensor(list("cores"));
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(name, `the stored factors are inconsistent: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  throw new FileFormatError(
    name,
    `metadata 'method' is ${JSON.stringify(method)}, expected cp, tr or tt`,
    "write the file with `multilinear decompose -o`",
  );
}
