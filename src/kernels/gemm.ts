/**
 * Batched GEMM on the WebAssembly kernels: operands are copied into the kernel memory as they lie
 * (any strides: a permuted view is packed straight into the panels), the output tiles are spread
 * over the threads, and the result is copied back into a fresh typed array.
 * @module
 */
import { CTRL, JobKind, MICRO_TILE, Slot } from "./layout.js";
import type { KernelRuntime } from "./runtime.js";
import { viewSpan } from "./span.js";
import { allocateArray, bytesPerElement, type KernelArray, type KernelDType, type StridedView } from "./view.js";

/** Cache blocking per dtype: K panel depth, largest M block, largest N block. */
const BLOCKING = {
  float32: { kc: 256, mcMax: 144, ncMax: 512 },
  float64: { kc: 256, mcMax: 144, ncMax: 256 },
} as const;

/**
 * Bytes of packing buffers per thread: the largest A block (mcMax × kc), B block (kc × ncMax) and
 * one scratch tile, over both dtypes, rounded up to 4 KiB.
 */
const PACK_BYTES_PER_THREAD =
  Math.ceil(
    Math.max(
      ...(["float32", "float64"] as const).map((d) => {
        const { kc, mcMax, ncMax } = BLOCKING[d];
        return (mcMax * kc + kc * ncMax + MICRO_TILE[d].mr * MICRO_TILE[d].nr) * bytesPerElement(d);
      }),
    ) / 4096,
  ) * 4096;

/** Below this many multiply-adds the pool's wake-up costs more than it saves. */
const PARALLEL_MIN_MACS = 1 << 18;

/** How the output of one GEMM call is cut into tasks. */
export interface GemmTiling {
  readonly mc: number;
  readonly nc: number;
  readonly kc: number;
  readonly tilesM: number;
  readonly tilesN: number;
}

/**
 * Picks the tiling: M blocks balanced to at most `mcMax` rows, N blocks of at most `ncMax` columns,
 * narrowed when there are too few tasks to keep `threads` busy. Only speed depends on it: every
 * output element is a sequential sum over k whatever the tiling.
 */
export function chooseTiling(dtype: KernelDType, batch: number, m: number, n: number, threads: number): GemmTiling {
  const { mr, nr } = MICRO_TILE[dtype];
  const { kc, mcMax, ncMax } = BLOCKING[dtype];
  const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;
  let tilesM = Math.ceil(m / mcMax);
  let mc = roundUp(Math.ceil(m / tilesM), mr);
  tilesM = Math.ceil(m / mc);
  let nc = Math.min(ncMax, roundUp(n, nr));
  const want = threads > 1 ? 4 * threads : 1;
  while (batch * tilesM * Math.ceil(n / nc) < want && nc > 64) nc = roundUp(nc / 2, nr);
  while (batch * tilesM * Math.ceil(n / nc) < want && mc > 4 * mr) {
    mc = roundUp(mc / 2, mr);
    tilesM = Math.ceil(m / mc);
  }
  return { mc, nc, kc, tilesM, tilesN: Math.ceil(n / nc) };
}

/**
 * Byte address of the span of `x` when its data is a view of the kernel memory (a pinned block),
 * else −1.
 */
function residentAt(rt: KernelRuntime, x: StridedView, span: { start: number; length: number }, es: number): number {
  return x.data.buffer === rt.memory.buffer ? x.data.byteOffset + span.start * es : -1;
}

/** Where one GEMM call lays out its operands, result and packing buffers in the arena from `base`. */
function gemmLayout(
  base: number,
  es: number,
  aLen: number,
  bLen: number,
  outLen: number,
  threads: number,
): { aPtr: number; bPtr: number; cPtr: number; packPtr: number; end: number } {
  const align = (x: number): number => Math.ceil(x / 64) * 64;
  const aPtr = base;
  // Odd offsets between the regions keep them from aliasing in the caches at power-of-two sizes.
  const bPtr = align(aPtr + aLen * es) + 576;
  const cPtr = align(bPtr + bLen * es) + 1152;
  const packPtr = align(cPtr + outLen * es) + 1728;
  return { aPtr, bPtr, cPtr, packPtr, end: packPtr + threads * PACK_BYTES_PER_THREAD };
}

/** Widest float64 product whose A is read in place by the micro-kernels rather than packed. */
const DIRECT_A_MAX_N = 16;
/** Tallest float64 product whose B is read in place by the micro-kernels rather than packed. */
const DIRECT_B_MAX_M = 96;

/**
 * `[B,M,K]·[B,K,N] → [B,M,N]` on the kernels, or undefined when the operands do not fit in the
 * kernel memory (the caller then uses the TypeScript GEMM). Strides may be anything non-negative,
 * including 0 (broadcast). With `out` the result is written there (rows `ld` elements apart) instead
 * of into a fresh array, and with `accumulate` it is added to what `out` holds. An operand or `out`
 * that already lives in kernel memory (a pinned block) is used in place; the returned array is then
 * a view of that memory, taken after any growth (earlier views of unshared memory may be detached).
 */
export function wasmBatchedMatmul<D extends KernelDType>(
  rt: KernelRuntime,
  a: StridedView<D>,
  b: StridedView<D>,
  threads: number,
  out?: KernelArray<D>,
  accumulate = false,
  ld = b.shape[2]!,
): KernelArray<D> | undefined {
  const dtype = a.dtype;
  const [B, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const es = bytesPerElement(dtype);
  const rows = B * M;
  const outLen = B * M * N;
  // Entries of `out` the result spans (rows `ld` apart).
  const span = rows === 0 ? 0 : (rows - 1) * ld + N;
  if (outLen === 0 || K === 0) {
    if (!out) return allocateArray(dtype, outLen);
    if (!accumulate) for (let r = 0; r < rows; r++) out.fill(0, r * ld, r * ld + N);
    return out;
  }
  const sa = viewSpan(a);
  const sb = viewSpan(b);
  const macs = B * M * N * K;
  const t = macs < PARALLEL_MIN_MACS ? 1 : Math.max(1, Math.min(threads, rt.activeThreads));
  // An operand (or the output) that already lives in kernel memory, clear of this call's arena, is used in place.
  let aRes = residentAt(rt, a, sa, es);
  let bRes = residentAt(rt, b, sb, es);
  let cRes = out && out.buffer === rt.memory.buffer ? out.byteOffset : -1;
  // Writing C where A or B is read would change them mid-product.
  const overlaps = (x: number, xLen: number): boolean => x >= 0 && cRes >= 0 && x < cRes + span * es && cRes < x + xLen * es;
  if (overlaps(aRes, sa.length) || overlaps(bRes, sb.length)) cRes = -1;
  const planFrom = (): ReturnType<typeof gemmLayout> =>
    gemmLayout(rt.dataBase, es, aRes < 0 ? sa.length : 0, bRes < 0 ? sb.length : 0, cRes < 0 ? outLen : 0, t);
  let layout = planFrom();
  const clash = (at: number, len: number): boolean => at >= 0 && at < layout.end && at + len * es > rt.dataBase;
  if (clash(aRes, sa.length) || clash(bRes, sb.length) || clash(cRes, span)) {
    aRes = bRes = cRes = -1;
    layout = planFrom();
  }
  const { aPtr, bPtr, packPtr, end } = layout;
  const inPlace = cRes >= 0;
  const cPtr = inPlace ? cRes : layout.cPtr;
  const ldc = inPlace ? ld : N;
  // Read what accumulates before a growth can detach `out` (a view of unshared kernel memory).
  const start = accumulate && out && !inPlace ? gatherRows(out, rows, N, ld) : undefined;
  if (!rt.reserve(end)) return undefined;
  const buf = rt.memory.buffer;
  const Arr = dtype === "float32" ? Float32Array : Float64Array;
  if (aRes < 0) new Arr(buf, aPtr, sa.length).set(a.data.subarray(sa.start, sa.start + sa.length));
  if (bRes < 0) new Arr(buf, bPtr, sb.length).set(b.data.subarray(sb.start, sb.start + sb.length));
  if (start) new Arr(buf, cPtr, outLen).set(start);
  const aBase = (aRes < 0 ? aPtr : aRes) + (a.offset - sa.start) * es;
  const bBase = (bRes < 0 ? bPtr : bRes) + (b.offset - sb.start) * es;
  const placed: Placed = { a, b, aBase, bBase, cPtr, ldc, accumulate: accumulate && out !== undefined };
  if (!runGemv(rt, placed)) runGemm(rt, placed, packPtr, t);
  if (inPlace) return new Arr(rt.memory.buffer, cPtr, span) as KernelArray<D>;
  const result = new Arr(rt.memory.buffer, cPtr, outLen);
  if (!out) return result.slice() as KernelArray<D>;
  if (ld === N) out.set(result);
  else for (let r = 0; r < rows; r++) out.set(result.subarray(r * N, r * N + N), r * ld);
  return out;
}

/**
 * One-row (M = 1, B's rows contiguous) and one-column (N = 1, A's rows and B's column contiguous)
 * products run as matrix–vector kernels on the calling thread, reading both operands where they lie:
 * the GEMM would pack them and then fill micro-tiles that are mostly padding. Returns false for any
 * other shape.
 */
function runGemv(rt: KernelRuntime, { a, b, aBase, bBase, cPtr, ldc, accumulate }: Placed): boolean {
  const [B, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const f32 = a.dtype === "float32";
  const es = f32 ? 4 : 8;
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk, sbn] = b.strides as [number, number, number];
  const ex = rt.exports;
  if (M === 1 && sbn === 1) {
    for (let i = 0; i < B; i++) {
      const y = cPtr + i * ldc * es;
      if (!accumulate) (f32 ? new Float32Array(rt.memory.buffer, y, N) : new Float64Array(rt.memory.buffer, y, N)).fill(0);
      (f32 ? ex.gemvT32 : ex.gemvT64)(bBase + i * sbb * es, sbk, K, N, aBase + i * sab * es, sak, y);
    }
    return true;
  }
  if (N === 1 && sak === 1 && sbk === 1 && ldc === 1 && !accumulate) {
    for (let i = 0; i < B; i++) (f32 ? ex.gemvN32 : ex.gemvN64)(aBase + i * sab * es, sam, M, K, bBase + i * sbb * es, cPtr + i * M * es);
    return true;
  }
  return false;
}

/** Operands placed in kernel memory (addresses in bytes) and where the product goes. */
interface Placed {
  readonly a: StridedView;
  readonly b: StridedView;
  readonly aBase: number;
  readonly bBase: number;
  readonly cPtr: number;
  /** Elements between output rows. */
  readonly ldc: number;
  /** Add into C instead of overwriting it. */
  readonly accumulate: boolean;
}

/** Runs the blocked GEMM job (on `t` threads) for operands already in kernel memory. */
function runGemm(rt: KernelRuntime, { a, b, aBase, bBase, cPtr, ldc, accumulate }: Placed, packPtr: number, t: number): void {
  const dtype = a.dtype;
  const [B, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const buf = rt.memory.buffer;
  const tiling = chooseTiling(dtype, B, M, N, t);
  const ctl = rt.i32();
  const u32 = new Uint32Array(buf);
  const s = CTRL / 4;
  ctl[s + Slot.kind] = dtype === "float32" ? JobKind.gemmF32 : JobKind.gemmF64;
  ctl[s + Slot.nTasks] = B * tiling.tilesM * tiling.tilesN;
  ctl[s + Slot.batch] = B;
  ctl[s + Slot.m] = M;
  ctl[s + Slot.n] = N;
  ctl[s + Slot.k] = K;
  u32[s + Slot.a] = aBase;
  ctl[s + Slot.aBatchStride] = a.strides[0]!;
  ctl[s + Slot.aRowStride] = a.strides[1]!;
  ctl[s + Slot.aColStride] = a.strides[2]!;
  u32[s + Slot.b] = bBase;
  ctl[s + Slot.bBatchStride] = b.strides[0]!;
  ctl[s + Slot.bRowStride] = b.strides[1]!;
  ctl[s + Slot.bColStride] = b.strides[2]!;
  u32[s + Slot.c] = cPtr;
  ctl[s + Slot.ldc] = ldc;
  ctl[s + Slot.mc] = tiling.mc;
  ctl[s + Slot.nc] = tiling.nc;
  ctl[s + Slot.kc] = tiling.kc;
  ctl[s + Slot.tilesM] = tiling.tilesM;
  ctl[s + Slot.tilesN] = tiling.tilesN;
  u32[s + Slot.pack] = packPtr;
  u32[s + Slot.packStride] = PACK_BYTES_PER_THREAD;
  ctl[s + Slot.accumulate] = accumulate ? 1 : 0;
  // A narrow float64 product whose A has unit row or column stride reads A in place: packing it
  // would move every element once for only a few micro-tiles of reuse.
  const aUnit = a.strides[2] === 1 || a.strides[1] === 1;
  const directA = dtype === "float64" && N <= DIRECT_A_MAX_N && aUnit;
  ctl[s + Slot.directA] = directA ? 1 : 0;
  // Likewise a short float64 product whose B has unit column stride reads B's rows in place (B's
  // panels would each serve only a few row blocks of A).
  ctl[s + Slot.directB] = dtype === "float64" && !directA && M <= DIRECT_B_MAX_M && b.strides[2] === 1 ? 1 : 0;
  rt.runJob(t);
}

/** Rows `ld` apart in `x`, packed contiguously (`rows × n`). */
function gatherRows<T extends Float32Array | Float64Array>(x: T, rows: number, n: number, ld: number): T {
  if (ld === n) return x.slice(0, rows * n) as T;
  const out = new (x.constructor as new (len: number) => T)(rows * n);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * ld, r * ld + n), r * n);
  return out;
}
