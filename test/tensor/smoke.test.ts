import { describe, expect, test } from "vitest";
import { einsum, referenceEinsum, randn, allClose } from "../../src/index.js";

describe("einsum smoke", () => {
  test.each([
    [
      "ij,jk->ik",
      [
        [3, 4],
        [4, 5],
      ],
    ],
    ["ii->i", [[4, 4]]],
    [
      "...ij,...jk",
      [
        [2, 1, 3, 4],
        [5, 4, 6],
      ],
    ],
  ] as const)("%s equals the reference", (eq, shapes) => {
    const xs = shapes.map((s, i) => randn(s, { seed: i + 1 }));
    expect(allClose(einsum(eq, xs), referenceEinsum(eq, xs), { rtol: 1e-12 })).toBe(true);
  });
});
