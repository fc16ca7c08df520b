/**
 * Small dense-matrix helpers for the linear-algebra routines (row-major float64 matrices).
 * @module
 */
import { InvalidShapeError } from "../errors.js";
import { DenseTensor } from "../tensor/dense.js";
import { defaultBackend, einsum } from "../tensor/api/einsum.js";
import type { CpuBackend } from "../tensor/backends/cpu/backend.js";

/** A 2-D tensor used as a matrix. @category Decompositions */
export type Matrix = DenseTensor;

/** Checks that `a` is a matrix and returns its sizes. */
export function dims(a: DenseTensor, what = "matrix"): [number, number] {
  if (a.ndim !== 2)
    throw new InvalidShapeError(
      `${what} must have 2 axes, got shape [${a.shape.join(", ")}]`,
      "pass a matrix (reshape or unfold tensors first)",
    );
  return [a.shape[0]!, a.shape[1]!];
}

/** Options every linear-algebra routine that multiplies matrices takes. @category Decompositions */
export interface LinalgOptions {
  /**
   * CPU backend for the matrix products and the work arrays they reuse (default: the default
   * context's backend, which uses every core); pass e.g. `new CpuBackend({ threads: 1 })` to run
   * single-threaded.
   */
  readonly backend?: CpuBackend;
}

/** The backend a linear-algebra call runs on: `options.backend`, else the default context's. */
export function linalgBackend(options: LinalgOptions): CpuBackend {
  return options.backend ?? defaultBackend();
}

/** `a · b` on `backend` through the contraction engine (fast GEMM kernels). */
export function matmul(a: Matrix, b: Matrix, backend: CpuBackend): Matrix {
  return einsum("ij,jk->ik", [a, b], { backend });
}

/** `aᵀ · b` on `backend`. */
export function matmulTN(a: Matrix, b: Matrix, backend: CpuBackend): Matrix {
  return einsum("ji,jk->ik", [a, b], { backend });
}

/** `a · bᵀ` on `backend`. */
export function matmulNT(a: Matrix, b: Matrix, backend: CpuBackend): Matrix {
  return einsum("ij,kj->ik", [a, b], { backend });
}

/** A contiguous float64 copy (row-major). */
export function f64(a: DenseTensor): Float64Array {
  const t = a.toTypedArray();
  return t instanceof Float64Array ? t : Float64Array.from(t);
}

/** Wraps a row-major float64 array. */
export function fromRows(data: Float64Array, m: number, n: number): Matrix {
  return new DenseTensor(data, [m, n]);
}

/** Frobenius norm (scaled to avoid overflow). @category Decompositions */
export function frobenius(a: DenseTensor): number {
  let scale = 0;
  let ssq = 1;
  for (const v of a.toTypedArray()) {
    if (v === 0) continue;
    const x = Math.abs(v);
    if (scale < x) {
      ssq = 1 + ssq * (scale / x) ** 2;
      scale = x;
    } else ssq += (x / scale) ** 2;
  }
  return scale * Math.sqrt(ssq);
}

/** Throws unless every entry is finite. */
export function checkFinite(a: DenseTensor, what: string): void {
  // A contiguous matrix is read where it lies (a copy of a large one costs more than the scan).
  const d = a.isContiguous ? a.data.subarray(a.offset, a.offset + a.size) : a.toTypedArray();
  // x − x is 0 for finite x and NaN for ±∞ or NaN, so one sum over all entries tells; two sums
  // keep the additions from waiting on each other.
  let s0 = 0;
  let s1 = 0;
  const n = d.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += d[i]! - d[i]!;
    s1 += d[i + 1]! - d[i + 1]!;
  }
  if (i < n) s0 += d[i]! - d[i]!;
  if (s0 + s1 === 0) return;
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(d[j]!)) {
      throw new InvalidShapeError(`${what} has a non-finite entry (${d[j]}) at flat index ${j}`, "remove NaN/Infinity before decomposing");
    }
  }
}
