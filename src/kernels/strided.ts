/**
 * Memory-bound kernels on the WebAssembly module: materializing a strided view (permute, diagonal,
 * broadcast) in C order with cache-blocked transposes, and sums over axes.
 * @module
 */
import { CTRL, MAX_KERNEL_AXES, Slot } from "./layout.js";
import type { KernelRuntime } from "./runtime.js";
import { viewSpan } from "./span.js";
import { allocateArray, bytesPerElement, type KernelArray, type KernelDType, type StridedView } from "./view.js";

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

function copyIn(rt: KernelRuntime, x: StridedView, at: number): void {
  const sp = viewSpan(x);
  const Arr = x.dtype === "float32" ? Float32Array : Float64Array;
  new Arr(rt.memory.buffer, at, sp.length).set(x.data.subarray(sp.start, sp.start + sp.length));
}

const align = (x: number): number => Math.ceil(x / 64) * 64;

/** Elements of a view. */
const sizeOf = (x: StridedView): number => x.shape.reduce((p, d) => p * d, 1);

/**
 * The elements of `x` in C order, copied by the kernels; undefined when the kernels cannot take it
 * (too many axes after merging, or too large for their memory).
 */
export function wasmContiguous<D extends KernelDType>(rt: KernelRuntime, x: StridedView<D>): KernelArray<D> | undefined {
  const n = sizeOf(x);
  if (n === 0) return allocateArray(x.dtype, 0);
  const es = bytesPerElement(x.dtype);
  const ndim = x.shape.length;
  let stride = 1;
  const dst: number[] = new Array<number>(ndim);
  for (let i = ndim - 1; i >= 0; i--) {
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
  return new Arr(rt.memory.buffer, dstPtr, n).slice() as KernelArray<D>;
}

/**
 * Sums `x` over the axes marked in `drop`, accumulating in float64, walking the input in memory
 * order; returns the result in C order of the kept axes, or undefined when the kernels cannot take it.
 */
export function wasmSumAxes<D extends KernelDType>(
  rt: KernelRuntime,
  x: StridedView<D>,
  drop: ReadonlySet<number>,
): KernelArray<D> | undefined {
  const es = bytesPerElement(x.dtype);
  const ndim = x.shape.length;
  const outShape = x.shape.filter((_, i) => !drop.has(i));
  const outLen = outShape.reduce((p, d) => p * d, 1);
  if (outLen === 0 || sizeOf(x) === 0) return allocateArray(x.dtype, outLen);
  const outStrides: number[] = new Array<number>(ndim).fill(0);
  let stride = 1;
  for (let i = ndim - 1; i >= 0; i--) {
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
  if (x.dtype === "float64") return new Float64Array(rt.memory.buffer, accPtr, outLen).slice() as KernelArray<D>;
  rt.exports.demoteF64(accPtr, outPtr, outLen);
  return new Float32Array(rt.memory.buffer, outPtr, outLen).slice() as KernelArray<D>;
}
