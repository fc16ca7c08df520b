// Job dispatch and the worker loop

import {
  KIND_GEMM_F32, KIND_GEMM_F64, SLOT_DONE, SLOT_GEN, SLOT_KIND, SLOT_NEXT, SLOT_NTASKS,
  SLOT_NTHREADS, SLOT_STOP, geti, slot,
} from "./control";
import { gemmTaskF32 } from "./gemm-f32";
import { gemmTaskF64 } from "./gemm-f64";

/** Runs tasks of the current job until none are left. Thread `id` uses packing buffer `id`. */
export function runJob(id: i32): void {
  const kind = geti(SLOT_KIND);
  const n = geti(SLOT_NTASKS);
  while (true) {
    const t = atomic.add<i32>(slot(SLOT_NEXT), 1);
    if (t >= n) break;
    if (kind == KIND_GEMM_F32) gemmTaskF32(t, id);
    else if (kind == KIND_GEMM_F64) gemmTaskF64(t, id);
  }
}

/**
 * Body of a worker thread: sleeps until the generation counter moves past `seen`, runs its share of
 * the job (when its id is below the job's thread count), reports done, and sleeps again. Returns
 * when the stop flag is set.
 */
export function workerLoop(id: i32, seen: i32): void {
  while (true) {
    let gen = atomic.load<i32>(slot(SLOT_GEN));
    while (gen == seen) {
      atomic.wait<i32>(slot(SLOT_GEN), seen, -1);
      gen = atomic.load<i32>(slot(SLOT_GEN));
    }
    seen = gen;
    if (atomic.load<i32>(slot(SLOT_STOP)) != 0) return;
    if (id < atomic.load<i32>(slot(SLOT_NTHREADS))) runJob(id);
    atomic.add<i32>(slot(SLOT_DONE), 1);
    atomic.notify(slot(SLOT_DONE), 1);
  }
}
