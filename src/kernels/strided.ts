/**
 * Memory-bound kernels on the WebAssembly module: materializing a strided view (permute, diagonal,
 * broadcast) in C order with cache-blocked transposes, and sums over axes.
 * @module
 */
import type { DenseTensor } from "../tensor/dense.js";
import { allocate, itemSize, type DataOf, type DType } from "../tensor/dtype.js";
import { CTRL, MAX_KERNEL_AXES, Slot } from "./layout.js";
import type { KernelRuntime } from "./runtime.js";
import { viewSpan } from "./span.js";

interface Axis {
  n: number;
  s: number;
  d: number;
}

/** Drops size-1 axes and merges neighbours that are contiguous in both the source and destination. */
function mergeAxes(axes: readonly Axis[]): Axis[] {
  const out: Axis[] = [];
  for (const ax of axes) {
    if (ax.n === 1) continue;
    const prev = out[out.length - 1];
    if (prev && prev.s === ax.s * ax.n && prev.d === ax.d * ax.n) {
      prev.n *= ax.n;
      prev.s = ax.s;
      prev.d = ax.d;
    } else {
      out.push({ ...ax });
    }
  }
  return out;
}

function writeAxes(rt: KernelRuntime, axes: readonly Axis[], src: number, dst: number): void {
  const ctl = rt.i32();
  const u32 = new Uint32Array(rt.memory.buffer);
  const s = CTRL / 4;
  ctl[s + Slot.ndim] = axes.length;
  u32[s + Slot.src] = src;
  u32[s + Slot.dst] = dst;
  axes.forEach((ax, i) => {
    ctl[s + Slot.shape + i] = ax.n;
    ctl[s + Slot.srcStrides + i] = ax.s;
    ctl[s + Slot.dstStrides + i] = ax.d;
  });
}

function copyIn(rt: KernelRuntime, x: DenseTensor, at: number): void {
  const sp = viewSpan(x);
  const Arr = x.dtype === "float32" ? Float32Array : Float64Array;
  new Arr(rt.memory.buffer, at, sp.length).set(x.data.subarray(sp.start, sp.start + sp.length));
}

const align = (x: number): number => Math.ceil(x / 64) * 64;

/**
 * The elements of `x` in C order, copied by the kernels; undefined when the kernels cannot take it
 * (too many axes after merging, or too large for their memory).
 */
export function wasmContiguous<D extends DType>(rt: KernelRuntime, x: DenseTensor<D>): DataOf<D> | undefined {
  const n = x.size;
  if (n === 0) return allocate(x.dtype, 0);
  const es = itemSize(x.dtype);
  let stride = 1;
  const dst: number[] = new Array<number>(x.ndim);
  for (let i = x.ndim - 1; i >= 0; i--) {
    dst[i] = stride;
    stride *= x.shape[i]!;
  }
  const axes = mergeAxes(x.shape.map((size, i) => ({ n: size, s: x.strides[i]!, d: dst[i]! })));
  if (axes.length === 0) axes.push({ n: 1, s: 1, d: 1 });
  if (axes.length > MAX_KERNEL_AXES) return undefined;
  const sp = viewSpan(x);
  const srcPtr = rt.dataBase;
  const dstPtr = align(srcPtr + sp.length * es);
  if (!rt.reserve(dstPtr + n * es)) return undefined;
  copyIn(rt, x, srcPtr);
  writeAxes(rt, axes, srcPtr, dstPtr);
  // Block the plane of the output's last axis and the axis the source walks fastest.
  const last = axes.length - 1;
  let p = last;
  for (let i = 0; i < axes.length; i++) if (axes[i]!.s < axes[p]!.s) p = i;
  rt.exports.copyStrided(es === 4 ? 2 : 3, p);
  const Arr = x.dtype === "float32" ? Float32Array : Float64Array;
  return new Arr(rt.memory.buffer, dstPtr, n).slice() as DataOf<D>;
}

/**
 * Sums `x` over the axes marked in `drop`, accumulating in float64, walking the input in memory
 * order; returns the result in C order of the kept axes, or undefined when the kernels cannot take it.
 */
export function wasmSumAxes<D extends DType>(rt: KernelRuntime, x: DenseTensor<D>, drop: ReadonlySet<number>): DataOf<D> | undefined {
  const es = itemSize(x.dtype);
  const outShape = x.shape.filter((_, i) => !drop.has(i));
  const outLen = outShape.reduce((p, d) => p * d, 1);
  if (x.size === 0 || outLen === 0) return allocate(x.dtype, outLen);
  const outStrides: number[] = new Array<number>(x.ndim).fill(0);
  let stride = 1;
  for (let i = x.ndim - 1; i >= 0; i--) {
    if (drop.has(i)) continue;
    outStrides[i] = stride;
    stride *= x.shape[i]!;
  }
  // Loop order: largest input stride outermost, so the innermost loop is the densest.
  const order = [...x.shape.keys()].sort((i, j) => x.strides[j]! - x.strides[i]! || i - j);
  const axes = mergeAxes(order.map((i) => ({ n: x.shape[i]!, s: x.strides[i]!, d: outStrides[i]! })));
  if (axes.length === 0) axes.push({ n: 1, s: 1, d: 0 });
  if (axes.length > MAX_KERNEL_AXES) return undefined;
  const sp = viewSpan(x);
  const srcPtr = rt.dataBase;
  const accPtr = align(srcPtr + sp.length * es);
  const outPtr = align(accPtr + outLen * 8);
  if (!rt.reserve(outPtr + outLen * es)) return undefined;
  copyIn(rt, x, srcPtr);
  new Float64Array(rt.memory.buffer, accPtr, outLen).fill(0);
  writeAxes(rt, axes, srcPtr, accPtr);
  rt.exports.sumStrided(es === 4 ? 2 : 3);
  if (x.dtype === "float64") return new Float64Array(rt.memory.buffer, accPtr, outLen).slice() as DataOf<D>;
  rt.exports.demoteF64(accPtr, outPtr, outLen);
  return new Float32Array(rt.memory.buffer, outPtr, outLen).slice() as DataOf<D>;
}
