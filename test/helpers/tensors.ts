/**
 * Test helpers that build tensors with unusual memory layouts and compare results with the oracle.
 */
import { expect } from "vitest";
import { DenseTensor, type DType } from "../../src/index.js";
import type { OracleResult } from "../oracles/naive-einsum.js";

/** Memory layouts of {@link materialize}. */
export const LAYOUTS = ["C order", "Fortran order", "strided with offset"] as const;

/**
 * A tensor of `shape` holding `data` (C order) laid out as `LAYOUTS[layout]`: contiguous, stored in
 * Fortran order (a permuted view), or every other element of a larger buffer starting at offset 1.
 */
export function materialize(shape: readonly number[], data: ArrayLike<number>, layout: number, dtype: DType = "float64"): DenseTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const c: number[] = [];
  for (let i = shape.length - 1, s = 1; i >= 0; i--) {
    c[i] = s;
    s *= shape[i]!;
  }
  const alloc = (len: number): Float32Array | Float64Array => (dtype === "float32" ? new Float32Array(len) : new Float64Array(len));
  if (layout === 1) {
    const f: number[] = [];
    for (let i = 0, s = 1; i < shape.length; i++) {
      f[i] = s;
      s *= shape[i]!;
    }
    const buf = alloc(n);
    forEachIndex(shape, (idx, flat) => {
      buf[idx.reduce((p, v, a) => p + v * f[a]!, 0)] = data[flat]!;
    });
    return new DenseTensor(buf, shape, f, 0);
  }
  if (layout === 2) {
    const buf = alloc(2 * n + 1).fill(Number.NaN);
    for (let i = 0; i < n; i++) buf[1 + 2 * i] = data[i]!;
    return new DenseTensor(
      buf,
      shape,
      c.map((s) => 2 * s),
      1,
    );
  }
  const buf = alloc(n);
  for (let i = 0; i < n; i++) buf[i] = data[i]!;
  return new DenseTensor(buf, shape);
}

/** Calls `f(index, flatCOrderPosition)` for every index of `shape`. */
export function forEachIndex(shape: readonly number[], f: (idx: readonly number[], flat: number) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    f(idx, flat);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
}

/**
 * Expects `actual` to match the oracle: same shape, and every element within
 * `rtol * (|expected| + magnitude)`, where magnitude is the sum of |terms| the oracle added (the scale
 * that summation-order rounding lives on).
 */
export function expectMatchesOracle(actual: DenseTensor, expected: OracleResult, rtol: number, context = ""): void {
  expect(actual.shape, `shape ${context}`).toEqual(expected.shape);
  const got = actual.toTypedArray();
  for (let i = 0; i < got.length; i++) {
    const v = expected.data[i]!;
    const tol = rtol * (Math.abs(v) + expected.magnitude[i]!);
    const d = Math.abs(got[i]! - v);
    if (!(d <= tol)) {
      expect.fail(`element ${i}: got ${got[i]}, oracle ${v} (|diff| ${d} > tol ${tol}) ${context}`);
    }
  }
}
