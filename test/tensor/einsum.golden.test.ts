/**
 * Golden cases computed by numpy.einsum (scripts/golden_einsum.py → test/fixtures/einsum): operands
 * and results are .npy files written by numpy, read here with readNpy. No Python at test time.
 */
import { describe, expect, test } from "vitest";
import { difference, einsum, einsumSublist, readNpy, type DenseTensor } from "../../src/index.js";
import { fixtureBytes, goldenCases, type GoldenCase } from "../helpers/golden.js";

const cases = goldenCases();

function load(c: GoldenCase): DenseTensor[] {
  return c.operands.map((f) => readNpy(fixtureBytes(f), f));
}

function contract(c: GoldenCase, xs: readonly DenseTensor[]): DenseTensor {
  if (c.equation !== undefined) return einsum(c.equation, xs);
  return einsumSublist(
    xs.map((tensor, k) => ({ tensor, labels: c.sublists![k]! })),
    c.output ?? undefined,
  );
}

/** Tolerance by the dtype numpy computed in: exact for integers, float32 rounding, float64 rounding. */
function tolerance(descr: string): { rtol: number; atol: number } {
  if (/[iub]/.test(descr)) return { rtol: 0, atol: 0 };
  if (descr.endsWith("f4")) return { rtol: 1e-5, atol: 1e-6 };
  return { rtol: 1e-12, atol: 1e-13 };
}

describe("einsum matches numpy.einsum on golden cases", () => {
  test("the fixture set is complete", () => {
    expect(cases.length).toBeGreaterThanOrEqual(70);
  });

  test.each(cases.filter((c) => c.expectError === undefined).map((c) => [c.name, c] as const))("%s", (_, c) => {
    const xs = load(c);
    xs.forEach((x, k) => {
      expect(x.shape).toEqual(c.operandInfo[k]!.shape);
      expect(x.dtype).toBe(c.operandInfo[k]!.descr.endsWith("f4") || c.operandInfo[k]!.descr.endsWith("f2") ? "float32" : "float64");
    });
    const want = readNpy(fixtureBytes(c.result), c.result);
    const got = contract(c, xs);
    expect(got.shape).toEqual(want.shape);
    const d = difference(got, want, tolerance(c.resultDescr));
    expect(d.mismatches, `max |diff| ${d.maxAbs}`).toBe(0);
  });

  // The fixtures generator recorded these as refused; numpy promotes float32 with float64 to float64, and so do we now.
  test.each(cases.filter((c) => c.expectError !== undefined).map((c) => [c.name, c] as const))(
    "%s is promoted to float64 as numpy does",
    (_, c) => {
      const xs = load(c);
      const got = contract(c, xs);
      const want = readNpy(fixtureBytes(c.result), c.result);
      expect(got.dtype).toBe("float64");
      expect(c.resultDescr).toBe("<f8");
      expect(difference(got, want, { rtol: 1e-12, atol: 1e-12 }).mismatches).toBe(0);
    },
  );
});
