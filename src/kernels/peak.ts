/**
 * Measures the rate of the GEMM micro-kernel alone, on panels that stay in L1 cache: the ceiling a
 * full GEMM on these kernels can approach on this machine (one thread).
 * @module
 */
import { MICRO_TILE } from "./layout.js";
import type { KernelRuntime } from "./runtime.js";
import { bytesPerElement, type KernelDType } from "./view.js";

/**
 * GFLOP/s of the `dtype` micro-kernel on L1-resident panels (best of `trials` runs of about
 * `ms` milliseconds each), counting a multiply-add as 2 flops.
 */
export function microKernelPeak(rt: KernelRuntime, dtype: KernelDType, ms = 100, trials = 9): number {
  const { mr, nr } = MICRO_TILE[dtype];
  const es = bytesPerElement(dtype);
  const kc = 128;
  const pa = rt.dataBase;
  const pb = pa + mr * kc * es;
  const pc = pb + nr * kc * es;
  rt.reserve(pc + mr * nr * es);
  const Arr = dtype === "float32" ? Float32Array : Float64Array;
  new Arr(rt.memory.buffer, pa, mr * kc).fill(1e-3);
  new Arr(rt.memory.buffer, pb, nr * kc).fill(1e-3);
  new Arr(rt.memory.buffer, pc, mr * nr).fill(0);
  const shift = es === 4 ? 2 : 3;
  let reps = 64;
  for (;;) {
    const t0 = performance.now();
    rt.exports.kernelPeak(shift, reps, kc, pa, pb, pc);
    if (performance.now() - t0 > ms / 4) break;
    reps *= 2;
  }
  let best = 0;
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    rt.exports.kernelPeak(shift, reps, kc, pa, pb, pc);
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, (2 * mr * nr * kc * reps) / s / 1e9);
  }
  return best;
}
