import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { CpuBackend, type DenseTensor, randn, type DType } from "../../src/index.js";
import { firstDifference, stridedRandom } from "./helpers.js";

const wasm = new CpuBackend({ kernels: "wasm", threads: 1 });
const ts = new CpuBackend({ kernels: "ts" });
afterAll(() => wasm.dispose());

/** Elements of a view in C order, read one by one through `get` (independent of every copy kernel). */
function naiveElements(x: DenseTensor): number[] {
  const out: number[] = [];
  const idx = new Array<number>(x.ndim).fill(0);
  for (let n = 0; n < x.size; n++) {
    out.push(x.get(...idx));
    for (let ax = x.ndim - 1; ax >= 0; ax--) {
      if (++idx[ax]! < x.shape[ax]!) break;
      idx[ax] = 0;
    }
  }
  return out;
}

/** Sum over `axes` by brute force in float64. */
function naiveSum(x: DenseTensor, axes: readonly number[]): { shape: number[]; values: Float64Array } {
  const keep = [...x.shape.keys()].filter((a) => !axes.includes(a));
  const shape = keep.map((a) => x.shape[a]!);
  const values = new Float64Array(shape.reduce((p, d) => p * d, 1));
  const idx = new Array<number>(x.ndim).fill(0);
  for (let n = 0; n < x.size; n++) {
    let o = 0;
    for (const a of keep) o = o * x.shape[a]! + idx[a]!;
    values[o] = values[o]! + x.get(...idx);
    for (let ax = x.ndim - 1; ax >= 0; ax--) {
      if (++idx[ax]! < x.shape[ax]!) break;
      idx[ax] = 0;
    }
  }
  return { shape, values };
}

const shapeArb = fc
  .array(fc.oneof(fc.constantFrom(1, 3, 4, 5, 7, 8, 33), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 5 })
  .filter((s) => s.reduce((p, d) => p * d, 1) <= 60_000);
const viewArb = shapeArb.chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    order: fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }),
    gaps: fc.boolean(),
    dtype: fc.constantFrom<DType>("float32", "float64"),
  }),
);

describe("WebAssembly memory-bound kernels", () => {
  test("materializing a permuted, gapped view gives the elements in C order", () => {
    fc.assert(
      fc.property(viewArb, ({ shape, order, gaps, dtype }) => {
        const x = stridedRandom(shape, order, gaps, 7, dtype);
        const y = wasm.download(x);
        expect(y.isContiguous).toBe(true);
        expect(y.shape).toEqual(shape);
        expect(Array.from(y.data.subarray(y.offset, y.offset + y.size))).toEqual(naiveElements(x));
      }),
      { numRuns: 80 },
    );
  });

  test("large transposes (float32 SIMD path with ragged edges, float64 blocked path) and a diagonal", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const [r, c] of [
        [515, 259],
        [64, 4096],
        [3, 1001],
      ] as const) {
        const x = randn([r, c], { seed: 3, dtype }).transpose();
        const y = wasm.download(x);
        const z = ts.download(x);
        expect(firstDifference(y.data, z.data)).toBe(-1);
        expect(y.get(5 % c, 2)).toBe(x.get(5 % c, 2));
      }
      const cube = randn([60, 7, 60], { seed: 4, dtype });
      const d = wasm.download(wasm.diagonal(cube, 0, 2));
      expect(d.shape).toEqual([7, 60]);
      expect(Array.from(d.data)).toEqual(naiveElements(cube.diagonal(0, 2)));
      const r = wasm.reshape(cube.permute([2, 0, 1]), [3600, 7]);
      expect(Array.from(r.data.subarray(r.offset, r.offset + r.size))).toEqual(naiveElements(cube.permute([2, 0, 1])));
    }
  });

  test("sums over any axes match a brute-force float64 sum", () => {
    fc.assert(
      fc.property(viewArb, fc.array(fc.nat(4), { maxLength: 4 }), ({ shape, order, gaps, dtype }, pick) => {
        const x = stridedRandom(shape, order, gaps, 9, dtype);
        const axes = [...new Set(pick.filter((a) => a < shape.length))];
        const y = wasm.sumAxes(x, axes);
        const ref = naiveSum(x, axes);
        expect(y.shape).toEqual(ref.shape);
        expect(y.dtype).toBe(dtype);
        const tol = dtype === "float32" ? 1e-6 : 1e-12;
        for (let i = 0; i < ref.values.length; i++) {
          const want = dtype === "float32" ? Math.fround(ref.values[i]!) : ref.values[i]!;
          expect(Math.abs(y.data[i]! - want)).toBeLessThanOrEqual(tol * (1 + Math.abs(want)) * Math.sqrt(x.size));
        }
      }),
      { numRuns: 80 },
    );
  });
});
