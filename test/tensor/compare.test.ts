/**
 * allClose / difference in numpy's convention: |a - b| <= atol + rtol * |b|.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { allClose, difference, tensor, zeros } from "../../src/index.js";

/** numpy.isclose restated: infinities are close only to themselves, NaN only under equal_nan. */
function isClose(a: number, b: number, rtol: number, atol: number, equalNan: boolean): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return equalNan && Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

describe("allClose", () => {
  test("matches numpy's isclose element by element", () => {
    const special = fc.constantFrom(0, -0, 1, -1, 1e-9, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300);
    const value = fc.oneof(fc.double(), special);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(0, 1e-12, 1e-5, 0.1),
        fc.constantFrom(0, 1e-8, 1),
        fc.boolean(),
        (pairs, rtol, atol, equalNan) => {
          const a = tensor(pairs.map((p) => p[0]));
          const b = tensor(pairs.map((p) => p[1]));
          const bad = pairs.filter(([x, y]) => !isClose(x, y, rtol, atol, equalNan)).length;
          const d = difference(a, b, { rtol, atol, equalNan });
          expect(d.mismatches).toBe(bad);
          expect(allClose(a, b, { rtol, atol, equalNan })).toBe(bad === 0);
          expect(d.firstMismatch).toBe(pairs.findIndex(([x, y]) => !isClose(x, y, rtol, atol, equalNan)));
        },
      ),
      { numRuns: 500 },
    );
  });

  test("defaults are numpy's (rtol 1e-5, atol 1e-8) and the relative part scales with b", () => {
    expect(allClose(tensor([1e-9]), tensor([0]))).toBe(true);
    expect(allClose(tensor([1e-7]), tensor([0]))).toBe(false);
    expect(allClose(tensor([100000]), tensor([100000.9]))).toBe(true);
    expect(allClose(tensor([100000]), tensor([100002]))).toBe(false);
    // Asymmetric like numpy: the tolerance uses |b|.
    expect(allClose(tensor([0]), tensor([1]), { rtol: 1, atol: 0 })).toBe(true);
    expect(allClose(tensor([1]), tensor([0]), { rtol: 1, atol: 0 })).toBe(false);
  });

  test("infinities are close only to themselves", () => {
    expect(allClose(tensor([Infinity]), tensor([Infinity]))).toBe(true);
    expect(allClose(tensor([Infinity]), tensor([-Infinity]))).toBe(false);
    expect(allClose(tensor([1]), tensor([Infinity]))).toBe(false);
    expect(allClose(tensor([Infinity]), tensor([1]))).toBe(false);
  });

  test("NaN", () => {
    expect(allClose(tensor([NaN]), tensor([NaN]))).toBe(false);
    expect(allClose(tensor([NaN]), tensor([NaN]), { equalNan: true })).toBe(true);
    expect(allClose(tensor([NaN]), tensor([1]), { equalNan: true })).toBe(false);
    expect(difference(tensor([NaN, 1]), tensor([1, 1])).maxAbs).toBeNaN();
  });

  test("different shapes are never close; views compare by value", () => {
    expect(allClose(zeros([2, 3]), zeros([3, 2]))).toBe(false);
    expect(difference(zeros([2, 3]), zeros([6])).sameShape).toBe(false);
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(
      allClose(
        a.transpose(),
        tensor([
          [1, 3],
          [2, 4],
        ]),
      ),
    ).toBe(true);
    expect(allClose(a.astype("float32"), a)).toBe(true);
  });
});

describe("difference", () => {
  test("reports the largest absolute and relative differences and the first failing element", () => {
    const d = difference(tensor([1, 2, 4, 0]), tensor([1, 2.5, 3, 1e-3]), { rtol: 0.2, atol: 0 });
    expect(d.sameShape).toBe(true);
    expect(d.maxAbs).toBe(1);
    expect(d.maxRel).toBe(1);
    expect(d.mismatches).toBe(2);
    expect(d.firstMismatch).toBe(2);
    expect(difference(tensor([1]), tensor([1]))).toEqual({ sameShape: true, maxAbs: 0, maxRel: 0, mismatches: 0, firstMismatch: -1 });
  });
});
