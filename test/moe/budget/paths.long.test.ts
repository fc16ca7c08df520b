/**
 * `npm run test:long`: the properties of paths.test.ts at full size (150 runs each over 1–3 expert
 * levels; three-level CP layers are the slow case, ~0.5 s each in the 'optimal' optimizer).
 */
import fc from "fast-check";
import { describe, test } from "vitest";
import { arbMuMoE } from "../../arbitraries/budget.js";
import { checkCpOfficialOptimal, checkOfficialAndNaive, checkTrOfficialOptimal, hasOptimal, realisticTr } from "./paths-properties.js";

describe("derived MACs equal the closed formulas (full size)", () => {
  test("official and naive orders, every CP/TR configuration (property)", () => {
    fc.assert(fc.property(arbMuMoE(), checkOfficialAndNaive), { numRuns: 150 });
  });

  test("CP, every size ≥ 2: the official order is optimal and the optimizer finds it (property)", () => {
    fc.assert(
      fc.property(
        arbMuMoE({ minSize: 2, maxDim: 64 }).filter((c) => c.kind === "cp"),
        checkCpOfficialOptimal,
      ),
      { numRuns: 150 },
    );
  });

  test(`one-level TR at realistic sizes: the official order is optimal${hasOptimal ? " and 'optimal' finds it" : ""} (property)`, () => {
    fc.assert(fc.property(realisticTr, checkTrOfficialOptimal), { numRuns: 1000 });
  });
});
