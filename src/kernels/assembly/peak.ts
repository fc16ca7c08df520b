// Ceiling probe: the micro-kernel alone on panels that stay in L1, so the benchmark can report the
// fraction of the reachable WebAssembly SIMD rate a GEMM attains.

import { NR32, kernelF32 } from "./gemm-f32";
import { NR64, kernelF64 } from "./gemm-f64";

/** Runs the float32 (`shift` = 2) or float64 (`shift` = 3) micro-kernel `reps` times over `kc` steps. */
export function kernelPeak(shift: i32, reps: i32, kc: i32, pa: usize, pb: usize, pc: usize): void {
  if (shift == 2) {
    for (let r = 0; r < reps; r++) kernelF32(kc, pa, pb, pc, NR32 << 2, false);
  } else {
    for (let r = 0; r < reps; r++) kernelF64(kc, pa, 8, 32, pb, 32, pc, NR64 << 3, false);
  }
}
