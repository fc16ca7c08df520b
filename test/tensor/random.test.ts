/**
 * Seeded random numbers: the generator against a BigInt reference, pinned values (so drift across
 * platforms or refactors shows), and distribution sanity.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Rng, rand, randn } from "../../src/index.js";
import { seedState, xoshiro128ss } from "../oracles/xoshiro.js";

describe("Rng", () => {
  test("nextUint32 is xoshiro128** seeded as documented (BigInt reference)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer(),
          fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
          fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
        ),
        (seed) => {
          const r = new Rng(seed);
          const want = xoshiro128ss(seedState(seed), 20);
          expect(Array.from({ length: 20 }, () => r.nextUint32())).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("uniform takes 27 + 26 bits of two outputs; normal is Box–Muller used in pairs", () => {
    const state = seedState(9);
    const words = xoshiro128ss(state, 8);
    const r = new Rng(9);
    const u0 = ((words[0]! >>> 5) * 2 ** 26 + (words[1]! >>> 6)) / 2 ** 53;
    expect(r.uniform()).toBe(u0);
    const u = ((words[2]! >>> 5) * 2 ** 26 + (words[3]! >>> 6)) / 2 ** 53;
    const v = ((words[4]! >>> 5) * 2 ** 26 + (words[5]! >>> 6)) / 2 ** 53;
    const rad = Math.sqrt(-2 * Math.log(u));
    expect(r.normal()).toBe(rad * Math.cos(2 * Math.PI * v));
    expect(r.normal()).toBe(rad * Math.sin(2 * Math.PI * v));
  });

  test("pinned values: a change here changes every seeded result downstream", () => {
    const r = new Rng(42);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([2837322924, 544945897, 479756282]);
    const s = new Rng(42);
    expect([s.uniform(), s.uniform()]).toEqual([0.6606157208001621, 0.1117019639532224]);
    expect([s.normal(), s.normal(), s.normal()]).toEqual([2.242263762064122, 0.2149308925848208, 0.20491667605004257]);
    expect(Array.from(randn([4], { seed: 2024 }).data)).toEqual([
      -0.2720754094197253, 1.036048497808388, 0.9873189988775735, 0.15181966561440202,
    ]);
    expect(Array.from(rand([3], { seed: 2024 }).data)).toEqual([0.5634307987810339, 0.2908725928523831, 0.6071836329592579]);
  });

  test("same seed, same numbers; different seeds differ; float32 is the rounded float64 stream", () => {
    expect(randn([50], { seed: 5 }).toArray()).toEqual(randn([50], { seed: 5 }).toArray());
    expect(randn([50], { seed: 5 }).toArray()).not.toEqual(randn([50], { seed: 6 }).toArray());
    expect(Array.from(randn([50], { seed: 5, dtype: "float32" }).data)).toEqual(Array.from(randn([50], { seed: 5 }).data, Math.fround));
    expect(randn([2, 3], { seed: 5 }).shape).toEqual([2, 3]);
    expect(randn([], { seed: 5 }).item()).toBe(randn([1], { seed: 5 }).get(0));
  });

  test("int(n) is uniform over [0, n)", () => {
    const r = new Rng(3);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70000; i++) counts[r.int(7)]!++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
  });
});

describe("distributions", () => {
  const n = 100_000;

  test("uniform: range, moments and Kolmogorov–Smirnov distance", () => {
    const x = Array.from(rand([n], { seed: 11 }).data).sort((a, b) => a - b);
    expect(x[0]!).toBeGreaterThanOrEqual(0);
    expect(x[n - 1]!).toBeLessThan(1);
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    let ks = 0;
    x.forEach((v, i) => (ks = Math.max(ks, Math.abs(v - i / n), Math.abs(v - (i + 1) / n))));
    expect(ks).toBeLessThan(1.36 / Math.sqrt(n));
  });

  test("uniform on [low, high)", () => {
    const x = rand([10000], { seed: 12, low: -3, high: 5 }).data;
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...x)).toBeLessThan(5);
    expect(Math.abs(x.reduce((a, b) => a + b, 0) / x.length - 1)).toBeLessThan(0.1);
  });

  test("normal: moments and the share within 1, 2 and 3 standard deviations", () => {
    const x = randn([n], { seed: 13 }).data;
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    const kurtosis = x.reduce((a, b) => a + (b - mean) ** 4, 0) / n / variance ** 2;
    expect(Math.abs(mean)).toBeLessThan(0.015);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(Math.abs(kurtosis - 3)).toBeLessThan(0.1);
    const within = (k: number): number => x.filter((v) => Math.abs(v) < k).length / n;
    expect(Math.abs(within(1) - 0.682689)).toBeLessThan(0.005);
    expect(Math.abs(within(2) - 0.9545)).toBeLessThan(0.003);
    expect(Math.abs(within(3) - 0.9973)).toBeLessThan(0.001);
  });
});
