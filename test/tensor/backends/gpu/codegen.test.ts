/** The kernel source generators: exact index arithmetic and literal loop bounds. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as gen from "../../../../src/tensor/backends/gpu/codegen.js";
import { loadGpuJs } from "../../../../src/tensor/backends/gpu/load.js";

const arbView = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 5 }).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    strides: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: shape.length, maxLength: shape.length }),
    offset: fc.integer({ min: 0, max: 9 }),
    wobble: fc.array(fc.integer({ min: -1, max: 1 }), { minLength: 1, maxLength: 17 }),
  }),
);

describe("coordinates + divmod", () => {
  test("the flat index of every element equals offset + Σ c_k·s_k, even when every float quotient is off by one", () => {
    fc.assert(
      fc.property(arbView, ({ shape, strides, offset, wobble }) => {
        const { code, coords } = gen.coordinates("t", shape, "p");
        const expr = gen.indexExpr(coords, strides, offset);
        let call = 0;
        const fakeMath = { ...Math, floor: (v: number) => Math.floor(v) + wobble[call++ % wobble.length]! };
        const f = new Function("t", "Math", `${code}\nreturn ${expr};`) as (t: number, m: typeof Math) => number;
        const n = shape.reduce((p, d) => p * d, 1);
        for (let t = 0; t < n; t++) {
          let rest = t;
          let want = offset;
          for (let k = shape.length - 1; k >= 0; k--) {
            want += (rest % shape[k]!) * strides[k]!;
            rest = Math.floor(rest / shape[k]!);
          }
          expect(f(t, fakeMath)).toBe(want);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** Every `for` loop bound in a source. */
function loopBounds(source: string): string[] {
  return [...source.matchAll(/for \(let (\w+) = \d+; \1 < ([^;]+);/g)].map((m) => m[2]!.trim());
}

describe("loop bounds are literals (gpu.js caps other loops at 1000 iterations silently)", () => {
  test("in every generated kernel", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 3000 }), (d, rows, k) => {
        const view = { shape: [rows, d], strides: [d, 1], offset: 0 };
        const sources = [
          gen.sumKernel({ shape: [rows, 2, d], strides: [2 * d, d, 1], offset: 0 }, [1, 2]),
          gen.matmulKernel({ shape: [1, rows, k], strides: [0, k, 1], offset: 0 }, { shape: [1, k, 3], strides: [0, 3, 1], offset: 0 }),
          gen.rowMaxKernel(rows, d),
          gen.rowSumExpKernel(rows, d),
          gen.thresholdKernel("entmax15", rows, d),
          gen.thresholdKernel("sparsemax", rows, d),
          gen.rowMeanKernel(rows, d),
          gen.rowVarianceKernel(rows, d),
          gen.gatherKernel(view),
        ].map((s) => s.source);
        let loops = 0;
        for (const src of sources) {
          for (const b of loopBounds(src)) {
            expect(b).toMatch(/^\d+$/);
            loops++;
          }
        }
        expect(loops).toBeGreaterThanOrEqual(10);
      }),
      { numRuns: 30 },
    );
  });

  test("why: gpu.js runs a loop bounded by an argument only 1000 times, one bounded by a literal fully", async () => {
    const { GPU } = await loadGpuJs();
    const gpu = new GPU({ mode: "cpu" });
    const ones = new Float32Array(3000).fill(1);
    const dynamic = gpu.createKernel("function (x, n) {\nlet s = 0.0;\nfor (let i = 0; i < n; i++) {\ns = s + x[i];\n}\nreturn s;\n}", {
      output: [1],
    });
    const literal = gpu.createKernel(gen.rowMeanKernel(1, 3000).source, { output: [1] });
    expect((dynamic(ones, 3000) as Float32Array)[0]).toBe(1000);
    expect((literal(ones) as Float32Array)[0]).toBe(1);
    gpu.destroy();
  });
});

describe("floatLit", () => {
  test("always has a decimal point or an exponent", () => {
    expect(gen.floatLit(1)).toBe("1.0");
    expect(gen.floatLit(1e-5)).toBe("0.00001");
    expect(gen.floatLit(1e-7)).toBe("1e-7");
    expect(() => gen.floatLit(NaN)).toThrow(RangeError);
  });
});
