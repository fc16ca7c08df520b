/**
 * Reductions over strided tensors.
 * @module
 */
import { DenseTensor } from "../../dense.js";
import { allocate, type DType } from "../../dtype.js";
import { contiguousStrides, normalizeAxis, shapeSize } from "../../shape.js";

/**
 * Sums `x` over `axes` (removed from the result). Walks `x` once in its memory order and accumulates
 * in float64.
 */
export function sumAxes<D extends DType>(x: DenseTensor<D>, axes: readonly number[]): DenseTensor<D> {
  const nd = x.ndim;
  const drop = new Set(axes.map((a) => normalizeAxis(a, nd)));
  const outShape = x.shape.filter((_, i) => !drop.has(i));
  const outContig = contiguousStrides(outShape);
  const outStrides: number[] = [];
  let k = 0;
  for (let i = 0; i < nd; i++) outStrides.push(drop.has(i) ? 0 : outContig[k++]!);
  const acc = new Float64Array(shapeSize(outShape));
  if (x.size > 0) {
    // Visit axes from largest to smallest input stride so the innermost loop is the densest.
    const order = [...Array(nd).keys()].filter((i) => x.shape[i]! > 1).sort((a, b) => x.strides[b]! - x.strides[a]! || a - b);
    accumulate(x, order, outStrides, acc);
  }
  const out = allocate(x.dtype, acc.length);
  out.set(acc);
  return new DenseTensor(out, outShape);
}

function accumulate(x: DenseTensor, order: readonly number[], outStrides: readonly number[], acc: Float64Array): void {
  const data = x.data;
  const m = order.length;
  if (m === 0) {
    acc[0] = acc[0]! + data[x.offset]!;
    return;
  }
  const shape = order.map((a) => x.shape[a]!);
  const inS = order.map((a) => x.strides[a]!);
  const outS = order.map((a) => outStrides[a]!);
  const inner = shape[m - 1]!;
  const innerIn = inS[m - 1]!;
  const innerOut = outS[m - 1]!;
  const idx = new Array<number>(m).fill(0);
  let pin = x.offset;
  let pout = 0;
  for (;;) {
    if (innerOut === 0) {
      let s = 0;
      let p = pin;
      for (let i = 0; i < inner; i++) {
        s += data[p]!;
        p += innerIn;
      }
      acc[pout] = acc[pout]! + s;
    } else {
      let p = pin;
      let q = pout;
      for (let i = 0; i < inner; i++) {
        acc[q] = acc[q]! + data[p]!;
        p += innerIn;
        q += innerOut;
      }
    }
    let ax = m - 2;
    while (ax >= 0) {
      idx[ax]!++;
      pin += inS[ax]!;
      pout += outS[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      pin -= idx[ax]! * inS[ax]!;
      pout -= idx[ax]! * outS[ax]!;
      idx[ax] = 0;
      ax--;
    }
    if (ax < 0) return;
  }
}
