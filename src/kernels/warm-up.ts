/**
 * Runs each kernel once on small data right after instantiation. V8 first runs WebAssembly on its
 * baseline compiler and swaps in optimized code only for later calls, compiled in the background once
 * a function has run for a while; a long first GEMM would otherwise run entirely on baseline code
 * (about 2.5× slower). Costs well under a millisecond.
 * @module
 */
import { DenseTensor } from "../tensor/dense.js";
import { wasmBatchedMatmul } from "./gemm.js";
import type { KernelRuntime } from "./runtime.js";
import { wasmContiguous, wasmSumAxes } from "./strided.js";

/** Warms up the GEMM, copy and sum kernels of `rt` for both dtypes. */
export function warmUpKernels(rt: KernelRuntime): void {
  for (const data of [new Float32Array(48 * 48).fill(1), new Float64Array(48 * 48).fill(1)]) {
    const a = new DenseTensor(data, [1, 48, 48]);
    for (let i = 0; i < 3; i++) wasmBatchedMatmul(rt, a, a, 1);
    const m = new DenseTensor(data, [48, 48]);
    wasmContiguous(rt, m.transpose());
    wasmSumAxes(rt, m, new Set([0]));
  }
}
