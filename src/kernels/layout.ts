/**
 * Addresses and control-block slots shared with the AssemblyScript kernels
 * (src/kernels/assembly/control.ts defines the same numbers).
 * @module
 */

/** Byte address of the control block (an array of i32 slots). */
export const CTRL = 1024;
/** First byte the JavaScript side may use for its arena (the AssemblyScript memoryBase). */
export const ARENA_BASE = 65536;

/** Control-block slot indices (i32). */
export const Slot = {
  gen: 0,
  stop: 1,
  done: 2,
  next: 3,
  kind: 4,
  nThreads: 5,
  nTasks: 6,
  // GEMM parameters
  batch: 16,
  m: 17,
  n: 18,
  k: 19,
  a: 20,
  aBatchStride: 21,
  aRowStride: 22,
  aColStride: 23,
  b: 24,
  bBatchStride: 25,
  bRowStride: 26,
  bColStride: 27,
  c: 28,
  mc: 29,
  nc: 30,
  kc: 31,
  tilesM: 32,
  tilesN: 33,
  pack: 34,
  packStride: 35,
  /** Nonzero: C += A·B. */
  accumulate: 36,
  /** Nonzero (float64): the micro-kernels read A in place instead of from packed panels. */
  directA: 37,
  /** Elements between rows of C. */
  ldc: 38,
  /** Nonzero (float64): the micro-kernels read B's rows in place instead of from packed panels. */
  directB: 39,
  // strided copy / reduction parameters
  ndim: 16,
  src: 17,
  dst: 18,
  shape: 24,
  srcStrides: 32,
  dstStrides: 40,
} as const;

/** Job kinds understood by `runJob`. */
export const JobKind = { gemmF32: 1, gemmF64: 2 } as const;

/** Most axes the strided copy and reduction kernels take (after merging). */
export const MAX_KERNEL_AXES = 8;

/** Register tile (rows × columns) of the micro-kernels. */
export const MICRO_TILE = { float32: { mr: 4, nr: 8 }, float64: { mr: 4, nr: 4 } } as const;
