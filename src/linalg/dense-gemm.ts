/**
 * Float64 GEMM on raw row-major arrays for the factorisations: straight to a CPU backend's batched
 * matmul (WebAssembly kernels when available), skipping einsum's parse/plan and the copy that
 * `toTypedArray` makes of the result. The backend is always the caller's: the public entry points
 * resolve it once and pass it down.
 * @module
 */
import type { CpuBackend } from "../tensor/backends/cpu/backend.js";
import { DenseTensor } from "../tensor/dense.js";

/** A row-major float64 operand: `rows×cols`, read transposed when `t` is set (then it is `cols×rows` in memory). */
export interface GemmOperand {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly t?: boolean;
}

/**
 * `op(a) · op(b)` on `backend`, row-major `a.rows × b.cols`: a fresh array, or the first
 * `a.rows·b.cols` entries of `out` (returned as that subarray) — reusing `out` across calls spares
 * the allocation.
 */
export function gemm(backend: CpuBackend, a: GemmOperand, b: GemmOperand, out?: Float64Array): Float64Array {
  return backend.batchedMatmul(view(a), view(b), out?.subarray(0, a.rows * b.cols)).data as Float64Array;
}

/**
 * `out += op(a) · op(b)` on `backend`, the result's rows `ld` entries apart in `out` (default
 * `b.cols`, i.e. contiguous), so it can update a block of a larger row-major matrix. When `out` is a
 * view of pinned kernel memory the product is added there in place; the returned array views the
 * result (afresh: a GEMM may grow, and so detach, unshared kernel memory).
 */
export function gemmAdd(backend: CpuBackend, a: GemmOperand, b: GemmOperand, out: Float64Array, ld = b.cols): Float64Array {
  const span = a.rows === 0 ? 0 : (a.rows - 1) * ld + b.cols;
  return backend.batchedMatmul(view(a), view(b), out.subarray(0, span), { accumulate: true, rowStride: ld }).data as Float64Array;
}

function view({ data, rows, cols, t }: GemmOperand): DenseTensor<"float64"> {
  return t ? new DenseTensor(data, [1, rows, cols], [0, 1, rows]) : new DenseTensor(data, [1, rows, cols], [0, cols, 1]);
}
