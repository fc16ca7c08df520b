import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { entmax15, entmaxBisect, softmax, sparsemax, tensor, randn, allClose, type DenseTensor } from "../../src/index.js";
import { layerNormRows } from "../../src/tensor/activations.js";
import { activate, normalizeLogits } from "../../src/moe/gate.js";

const row = (x: DenseTensor): number[] => [...x.toTypedArray()];

describe("entmax-1.5 (spec §3.1 closed forms and properties)", () => {
  test("two-element closed form: p₁ = (t/4 + √(1/2 − t²/16))² for |t| ≤ 2", () => {
    for (const t of [-1.9, -1, -0.3, 0, 0.25, 1, 1.7, 1.99]) {
      const p = row(entmax15(tensor([t, 0])));
      const want = (t / 4 + Math.sqrt(0.5 - (t * t) / 16)) ** 2;
      expect(p[0]).toBeCloseTo(want, 14);
      expect(p[1]).toBeCloseTo(1 - want, 14);
    }
    expect(row(entmax15(tensor([2.5, 0])))).toEqual([1, 0]);
    expect(row(entmax15(tensor([-3, 0])))).toEqual([0, 1]);
  });
  test("sort-based equals bisection (α = 1.5, 50 iterations)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.nat(), fc.constantFrom(0.1, 1, 5), (n, seed, s) => {
        const x = randn([3, n], { seed });
        for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! * s;
        return allClose(entmax15(x), entmaxBisect(x, { alpha: 1.5 }), { atol: 1e-9, rtol: 0 });
      }),
      { numRuns: 200 },
    );
  });
  test("shift invariance, permutation equivariance, f(0) = 1/d", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.nat(), fc.double({ min: -50, max: 50, noNaN: true }), (n, seed, c) => {
        const x = randn([n], { seed });
        const shifted = tensor([...x.toTypedArray()].map((v) => v + c));
        if (!allClose(entmax15(x), entmax15(shifted), { atol: 1e-12 })) return false;
        const perm = [...Array(n).keys()].reverse();
        const px = tensor(perm.map((i) => x.get(i)));
        const p = entmax15(x);
        return allClose(entmax15(px), tensor(perm.map((i) => p.get(i))), { atol: 1e-14, rtol: 0 });
      }),
    );
    for (const p of row(entmax15(tensor([0, 0, 0, 0, 0])))) expect(p).toBeCloseTo(0.2, 15);
  });
  test("large scale gives one-hot, tiny scale gives uniform", () => {
    const x = tensor([0.3, -0.1, 0.9, 0.2]);
    const big = tensor([...x.toTypedArray()].map((v) => v * 1e3));
    expect(row(entmax15(big))).toEqual([0, 0, 1, 0]);
    const small = tensor([...x.toTypedArray()].map((v) => v * 1e-9));
    for (const p of row(entmax15(small))) expect(p).toBeCloseTo(0.25, 8);
  });
});

describe("sparsemax and bisection", () => {
  test("two-element closed form p₁ = (1+t)/2", () => {
    for (const t of [-0.9, -0.2, 0, 0.4, 0.99]) expect(row(sparsemax(tensor([t, 0])))[0]).toBeCloseTo((1 + t) / 2, 14);
  });
  test("sparsemax equals bisection with α = 2", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.nat(), (n, seed) => {
        const x = randn([2, n], { seed });
        return allClose(sparsemax(x), entmaxBisect(x, { alpha: 2 }), { atol: 1e-9, rtol: 0 });
      }),
    );
  });
  test("bisection with α → 1 approaches softmax (loose)", () => {
    const x = randn([4, 6], { seed: 3 });
    expect(allClose(entmaxBisect(x, { alpha: 1.001 }), softmax(x), { atol: 1e-2, rtol: 0 })).toBe(true);
  });
  test("α ≤ 1 is refused", () => {
    expect(() => entmaxBisect(tensor([1, 2]), { alpha: 1 })).toThrow(/α > 1/);
  });
  test("softmax two-element closed form", () => {
    expect(row(softmax(tensor([0.7, 0])))[0]).toBeCloseTo(1 / (1 + Math.exp(-0.7)), 15);
  });
  test("NaN propagates to the whole row", () => {
    const p = entmax15(
      tensor([
        [1, NaN, 0],
        [1, 2, 3],
      ]),
    );
    expect(row(p).slice(0, 3).every(Number.isNaN)).toBe(true);
    expect(row(p).slice(3).some(Number.isNaN)).toBe(false);
  });
});

describe("gate normalisation and top-k", () => {
  test("LayerNorm across experts: mean 0, variance 1 (biased), ε = 1e-5", () => {
    const y = layerNormRows(randn([5, 7], { seed: 1 }));
    for (let r = 0; r < 5; r++) {
      const v = row(y).slice(r * 7, r * 7 + 7);
      const m = v.reduce((a, b) => a + b) / 7;
      const s = v.reduce((a, b) => a + (b - m) ** 2, 0) / 7;
      expect(Math.abs(m)).toBeLessThan(1e-15);
      expect(s).toBeCloseTo(1, 4);
    }
  });
  test("BatchNorm in eval mode uses the running statistics", () => {
    const logits = tensor([
      [1, 2],
      [3, 4],
    ]);
    const out = normalizeLogits(logits, "bn", { runningMean: tensor([1, 1]), runningVar: tensor([4, 1]) });
    expect(row(out)[0]).toBeCloseTo(0, 15);
    expect(row(out)[1]).toBeCloseTo(1 / Math.sqrt(1 + 1e-5), 15);
    expect(row(out)[2]).toBeCloseTo(2 / Math.sqrt(4 + 1e-5), 15);
    expect(() => normalizeLogits(logits, "bn")).toThrow(/running statistics/);
  });
  test("top-k keeps k non-zeros per row and renormalises", () => {
    const a = activate(tensor([[1, 5, 3, 2]]), "softmax", 2);
    const p = row(a);
    expect(p.filter((v) => v > 0).length).toBe(2);
    expect(p[1]! + p[2]!).toBeCloseTo(1, 15);
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
  });
});
