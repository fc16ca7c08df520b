// AssemblyScript source of the WebAssembly SIMD128 kernels (compiled by scripts/build-kernels.mjs).
//
// Memory layout (all addresses in bytes, strides in elements):
//   [0, 1024)        unused
//   [1024, 2048)     control block: i32 slots, see the SLOT_* constants (mirrored in src/kernels/layout.ts)
//   [65536, ...)     arena managed from JavaScript: per-thread packing buffers, operands, results
//
// A job is described in the control block; `runJob(id)` takes tasks from a shared counter until none
// are left, so the main thread and any number of workers can run the same job. Every output element
// is owned by exactly one task and is a sequential sum over k in increasing order, so the result
// does not depend on how tasks are spread over threads.
//
// This file is the module's entry: it re-exports the functions the JavaScript side calls (see
// KernelExports in src/kernels/runtime.ts). The kernels live one topic a file: control.ts (control
// block slots), jobs.ts (dispatch, worker loop), madd.ts, gemm-f32.ts, gemm-f64.ts, peak.ts,
// copy.ts, reduce.ts, gemv.ts, secular.ts.

export { runJob, workerLoop } from "./jobs";
export { kernelPeak } from "./peak";
export { copyStrided } from "./copy";
export { sumStrided, demoteF64 } from "./reduce";
export { gemvT64, gemvN64, gemvT32, gemvN32 } from "./gemv";
export { secularSums, secularMid, lownerUpdate } from "./secular";
