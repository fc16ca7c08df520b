/**
 * MACs derived from the contraction-path machinery on the layers' real einsum expressions equal the
 * closed formulas: the official order and the naive order always, the optimizer's path where the
 * official order is optimal (checked against an exhaustive oracle independent of src/).
 * Sized for `npm test`: many one- and two-level layers and a few three-level ones of each kind;
 * paths.long.test.ts runs the same properties at full size in `npm run test:long`.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { derivedMacs, fastOrderOptimizer, triplesFromRing } from "../../../src/index.js";
import type { MuMoEConfig } from "../../../src/moe/config.js";
import { arbMuMoE } from "../../arbitraries/budget.js";
import { minContractionCost } from "../../oracles/min-contraction-cost.js";
import {
  checkCpOfficialOptimal,
  checkOfficialAndNaive,
  checkTrOfficialOptimal,
  closedPerLayer,
  hasOptimal,
  oraclePerLayer,
  realisticTr,
  withLevels,
} from "./paths-properties.js";

describe("the exhaustive oracle", () => {
  test("finds the best matrix-chain order", () => {
    // (AB)C = 10·100·5 + 10·5·50 = 7500 beats A(BC) = 100·5·50 + 10·100·50 = 75000.
    const sizes = new Map([
      ["i", 10],
      ["j", 100],
      ["k", 5],
      ["l", 50],
    ]);
    expect(
      minContractionCost(
        [
          ["i", "j"],
          ["j", "k"],
          ["k", "l"],
        ],
        ["i", "l"],
        sizes,
      ),
    ).toBe(7500n);
  });
});

describe("derived MACs equal the closed formulas", () => {
  test("official and naive orders, every CP/TR configuration (property)", () => {
    fc.assert(fc.property(arbMuMoE({ maxLevels: 2 }), checkOfficialAndNaive), { numRuns: 60 });
    // Three expert levels (nine operands) are the slow case: a few of each kind.
    fc.assert(fc.property(withLevels(arbMuMoE(), 3, "cp"), checkOfficialAndNaive), { numRuns: 2 });
    fc.assert(fc.property(withLevels(arbMuMoE(), 3, "tr"), checkOfficialAndNaive), { numRuns: 5 });
  });

  test("CP, every size ≥ 2: the official order is optimal and the optimizer finds it (property)", () => {
    const cp = arbMuMoE({ minSize: 2, maxDim: 64 }).filter((c) => c.kind === "cp");
    fc.assert(
      fc.property(
        cp.filter((c) => c.expertDims.length <= 2),
        checkCpOfficialOptimal,
      ),
      { numRuns: 40 },
    );
    fc.assert(fc.property(withLevels(cp, 3), checkCpOfficialOptimal), { numRuns: 2 });
  });

  test(`one-level TR at realistic sizes: the official order is optimal${hasOptimal ? " and 'optimal' finds it" : ""} (property)`, () => {
    fc.assert(fc.property(realisticTr, checkTrOfficialOptimal), { numRuns: 150 });
  });

  test("the spec's example layers", () => {
    const clipCp: MuMoEConfig = { kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: 165 };
    const clipTr: MuMoEConfig = { kind: "tr", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: triplesFromRing([4, 4, 52]) };
    const cp = derivedMacs(clipCp);
    expect([cp.fast, cp.official, cp.naive]).toEqual([769_746n, 769_746n, cp.closedNaive]);
    expect(cp.equations).toEqual(["a,b,ad,bd,cd->c"]);
    const tr = derivedMacs(clipTr);
    expect(tr.official).toBe(393_216n + 376_976n);
    expect(oraclePerLayer(clipTr)).toEqual([376_976n]);
    if (fastOrderOptimizer() === "optimal") expect(tr.fast).toBe(tr.official);
    else expect(tr.fast > tr.official).toBe(true); // greedy contracts the output core too early here
  });

  test("two-level TR: the official chain order is not always optimal (the optimum can be cheaper)", () => {
    // Ring (5, 2, 5, 73): (A1·A2)·Z costs 5·2·5 + 5·5·73 = 1875; A1·(A2·Z) costs 2·5·73 + 5·2·73 = 1460.
    const config: MuMoEConfig = {
      kind: "tr",
      inputDim: 938,
      outputDim: 52,
      expertDims: [982, 231],
      ranks: triplesFromRing([5, 2, 5, 73]),
      useBias: false,
    };
    const [best] = oraclePerLayer(config);
    const [closed] = closedPerLayer(config, "macsBreakdown");
    expect(closed! - best!).toBe(1875n - 1460n);
  });
});
