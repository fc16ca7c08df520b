/**
 * einsum's plan cache: a repeated call reuses its plan, and no cached plan is ever used for a call it
 * does not fit (other shapes, dtype, optimizer, limits, backend). Results are checked against the
 * naive oracle, so a stale plan would fail here.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  CpuBackend,
  MemoryLimitError,
  PLAN_CACHE_SIZE,
  clearPlanCache,
  einsum,
  randn,
  referenceEinsum,
  allClose,
} from "../../src/index.js";
import { einsumCaseArb } from "../arbitraries/einsum.js";
import { naiveEinsum } from "../oracles/naive-einsum.js";
import { expectMatchesOracle, materialize } from "../helpers/tensors.js";

describe("einsum plan cache", () => {
  test("cached, uncached and repeated calls all equal the oracle (property; layouts vary between calls)", () => {
    fc.assert(
      fc.property(
        einsumCaseArb.filter((c) => c.form === "string"),
        fc.nat(2),
        (c, other) => {
          const expected = naiveEinsum(c.oracle, c.data);
          const xs = c.shapes.map((s, k) => materialize(s, c.data[k]!, c.layouts[k]!, "float64"));
          const ys = c.shapes.map((s, k) => materialize(s, c.data[k]!, (c.layouts[k]! + other) % 3, "float64"));
          expectMatchesOracle(einsum(c.equation, xs), expected, 1e-12, `${c.equation} first call`);
          expectMatchesOracle(einsum(c.equation, ys), expected, 1e-12, `${c.equation} cached, other layouts`);
          expectMatchesOracle(einsum(c.equation, xs, { cachePlan: false }), expected, 1e-12, `${c.equation} uncached`);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("same equation, other shapes or dtype: a fresh plan", () => {
    const eq = "ij,jk->ik";
    const pairs = [
      [randn([2, 3], { seed: 1 }), randn([3, 4], { seed: 2 })],
      [randn([5, 3], { seed: 3 }), randn([3, 2], { seed: 4 })],
      [randn([5, 3], { seed: 3, dtype: "float32" }), randn([3, 2], { seed: 4, dtype: "float32" })],
    ];
    for (let round = 0; round < 2; round++) {
      for (const xs of pairs) {
        const y = einsum(eq, xs);
        expect(y.shape).toEqual([xs[0]!.shape[0], xs[1]!.shape[1]]);
        expect(y.dtype).toBe(xs[0]!.dtype);
        expect(allClose(y, referenceEinsum(eq, xs).astype(y.dtype), { rtol: 1e-5 })).toBe(true);
      }
    }
  });

  test("limits are part of the key: a plan cached without a limit never bypasses one", () => {
    const a = randn([8, 8], { seed: 1 });
    einsum("ij,kl->ijkl", [a, a]);
    expect(() => einsum("ij,kl->ijkl", [a, a], { memoryLimit: 1000 })).toThrow(MemoryLimitError);
    expect(() => einsum("ij,kl->ijkl", [a, a], { memoryLimit: 1000 })).toThrow(MemoryLimitError);
    expect(() => einsum("ij,kl->ijkl", [a, a], { maxBytes: 1024 })).toThrow(MemoryLimitError);
    expect(einsum("ij,kl->ijkl", [a, a]).shape).toEqual([8, 8, 8, 8]);
  });

  test("per backend, bounded, and clearable", () => {
    const xs = [randn([3, 4], { seed: 1 }), randn([4, 5], { seed: 2 }), randn([5, 2], { seed: 3 })];
    const ref = referenceEinsum("ab,bc,cd->ad", xs);
    const other = new CpuBackend({ kernels: "ts" });
    expect(allClose(einsum("ab,bc,cd->ad", xs), ref, { rtol: 1e-12 })).toBe(true);
    expect(allClose(einsum("ab,bc,cd->ad", xs, { backend: other }), ref, { rtol: 1e-12 })).toBe(true);
    // More distinct calls than the cache holds: the oldest plans are dropped, results stay right.
    for (let n = 1; n <= PLAN_CACHE_SIZE + 10; n++) einsum("i->", [randn([n], { seed: n })]);
    expect(allClose(einsum("ab,bc,cd->ad", xs), ref, { rtol: 1e-12 })).toBe(true);
    clearPlanCache();
    expect(allClose(einsum("ab,bc,cd->ad", xs), ref, { rtol: 1e-12 })).toBe(true);
    other.dispose();
  });
});
