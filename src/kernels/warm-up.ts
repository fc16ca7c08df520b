/**
 * Runs each kernel once on small data right after instantiation. V8 first runs WebAssembly on its
 * baseline compiler and swaps in optimized code only for later calls, compiled in the background once
 * a function has run for a while; a long first GEMM would otherwise run entirely on baseline code
 * (about 2.5× slower). Costs well under a millisecond. Whoever creates a runtime for real work calls
 * it (the CPU backend does, right after {@link KernelRuntime.create}).
 * @module
 */
import { wasmBatchedMatmul } from "./gemm.js";
import type { KernelRuntime } from "./runtime.js";
import { wasmContiguous, wasmSumAxes } from "./strided.js";
import type { StridedView } from "./view.js";

/** Warms up the GEMM, copy and sum kernels of `rt` for both dtypes. */
export function warmUpKernels(rt: KernelRuntime): void {
  for (const data of [new Float32Array(48 * 48).fill(1), new Float64Array(48 * 48).fill(1)]) {
    const dtype = data instanceof Float32Array ? "float32" : "float64";
    const a: StridedView = { dtype, data, shape: [1, 48, 48], strides: [48 * 48, 48, 1], offset: 0 };
    for (let i = 0; i < 3; i++) wasmBatchedMatmul(rt, a, a, 1);
    const m: StridedView = { dtype, data, shape: [48, 48], strides: [48, 1], offset: 0 };
    wasmContiguous(rt, { ...m, strides: [1, 48] });
    wasmSumAxes(rt, m, new Set([0]));
  }
}
