/**
 * MACs derived from the contraction-path machinery on the layers' real einsum expressions equal the
 * closed formulas: the official order and the naive order always, the optimizer's path where the
 * official order is optimal (checked against an exhaustive oracle independent of src/).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { derivedMacs, fastOrderOptimizer, layerBudget, layerEinsum, optimizerNames, triplesFromRing } from "../../../src/index.js";
import { resolveLayer } from "../../../src/moe/budget/spec.js";
import type { MuMoEConfig } from "../../../src/moe/config.js";
import { arbMuMoE } from "../../arbitraries/budget.js";
import { minContractionCost } from "../../oracles/min-contraction-cost.js";

const hasOptimal = optimizerNames().includes("optimal");

/** Closed-form MACs of each layer's einsum (without the gate). */
function closedPerLayer(config: MuMoEConfig, key: "macsBreakdown" | "naiveMacsBreakdown"): bigint[] {
  const b = layerBudget(config);
  const layers = (config.secondDim ?? 0) > 0 ? ["layer1", "layer2"] : ["layer1"];
  return layers.map((l) => b[key]!.filter((m) => m.name.startsWith(`${l}.`)).reduce((a, m) => a + m.macs, 0n));
}

function oraclePerLayer(config: MuMoEConfig): bigint[] {
  const layer = resolveLayer(config);
  const which: (1 | 2)[] = layer.secondDim > 0 ? [1, 2] : [1];
  return which.map((w) => {
    const p = layerEinsum(layer, w).problem;
    return minContractionCost(p.inputs, p.output, p.sizes);
  });
}

describe("the exhaustive oracle", () => {
  test("finds the best matrix-chain order", () => {
    // (AB)C = 10·100·5 + 10·5·50 = 7500 beats A(BC) = 100·5·50 + 10·100·50 = 75000.
    const sizes = new Map([["i", 10], ["j", 100], ["k", 5], ["l", 50]]);
    expect(minContractionCost([["i", "j"], ["j", "k"], ["k", "l"]], ["i", "l"], sizes)).toBe(7500n);
  });
});

describe("derived MACs equal the closed formulas", () => {
  test("official and naive orders, every CP/TR configuration (property)", () => {
    fc.assert(
      fc.property(arbMuMoE(), (config) => {
        const d = derivedMacs(config);
        expect(d.official).toBe(d.closedFast);
        expect(d.naive).toBe(d.closedNaive);
        expect(d.officialPerLayer).toEqual(closedPerLayer(config, "macsBreakdown"));
        expect(d.naivePerLayer).toEqual(closedPerLayer(config, "naiveMacsBreakdown"));
        expect(d.closedFast).toBe(layerBudget(config).macs);
        // No order beats the optimum; the optimizer never does worse than the naive order.
        const best = oraclePerLayer(config);
        d.fastPerLayer.forEach((f, k) => expect(f >= best[k]!).toBe(true));
        expect(d.fast <= d.naive).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  test("CP, every size ≥ 2: the official order is optimal and the optimizer finds it (property)", () => {
    fc.assert(
      fc.property(arbMuMoE({ minSize: 2, maxDim: 64 }).filter((c) => c.kind === "cp"), (config) => {
        expect(oraclePerLayer(config)).toEqual(closedPerLayer(config, "macsBreakdown"));
        const d = derivedMacs(config);
        expect(d.fast).toBe(d.closedFast);
      }),
      { numRuns: 150 },
    );
  });

  const realisticTr = fc
    .record({
      n: fc.integer({ min: 2, max: 1024 }),
      i: fc.integer({ min: 16, max: 1024 }),
      o: fc.integer({ min: 16, max: 1024 }),
      r1: fc.integer({ min: 2, max: 8 }),
      r2: fc.integer({ min: 2, max: 8 }),
      r3: fc.integer({ min: 2, max: 128 }),
      useBias: fc.boolean(),
    })
    .map((c): MuMoEConfig => ({ kind: "tr", inputDim: c.i, outputDim: c.o, expertDims: [c.n], ranks: triplesFromRing([c.r1, c.r2, c.r3]), useBias: c.useBias }));

  test(`one-level TR at realistic sizes: the official order is optimal${hasOptimal ? " and 'optimal' finds it" : ""} (property)`, () => {
    fc.assert(
      fc.property(realisticTr, (config) => {
        expect(oraclePerLayer(config)).toEqual(closedPerLayer(config, "macsBreakdown"));
        if (hasOptimal) expect(derivedMacs(config, "optimal").fast).toBe(layerBudget(config).macs);
      }),
      { numRuns: 150 },
    );
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
    const config: MuMoEConfig = { kind: "tr", inputDim: 938, outputDim: 52, expertDims: [982, 231], ranks: triplesFromRing([5, 2, 5, 73]), useBias: false };
    const [best] = oraclePerLayer(config);
    const [closed] = closedPerLayer(config, "macsBreakdown");
    expect(closed! - best!).toBe(1875n - 1460n);
  });
});
