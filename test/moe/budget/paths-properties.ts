/**
 * The properties of paths.test.ts (sized for `npm test`) and paths.long.test.ts (full size, `npm run
 * test:long`): MACs derived from contraction paths against the closed formulas and an exhaustive
 * oracle independent of src/.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { derivedMacs, layerBudget, layerEinsum, optimizerNames, triplesFromRing } from "../../../src/index.js";
import { resolveLayer } from "../../../src/moe/budget/spec.js";
import type { MuMoEConfig } from "../../../src/moe/config.js";
import { minContractionCost } from "../../oracles/min-contraction-cost.js";

export const hasOptimal = optimizerNames().includes("optimal");

/** Closed-form MACs of each layer's einsum (without the gate). */
export function closedPerLayer(config: MuMoEConfig, key: "macsBreakdown" | "naiveMacsBreakdown"): bigint[] {
  const b = layerBudget(config);
  const layers = (config.secondDim ?? 0) > 0 ? ["layer1", "layer2"] : ["layer1"];
  return layers.map((l) => b[key]!.filter((m) => m.name.startsWith(`${l}.`)).reduce((a, m) => a + m.macs, 0n));
}

export function oraclePerLayer(config: MuMoEConfig): bigint[] {
  const layer = resolveLayer(config);
  const which: (1 | 2)[] = layer.secondDim > 0 ? [1, 2] : [1];
  return which.map((w) => {
    const p = layerEinsum(layer, w).problem;
    return minContractionCost(p.inputs, p.output, p.sizes);
  });
}

/** The official and naive orders cost what the closed formulas say; no order beats the oracle's optimum. */
export function checkOfficialAndNaive(config: MuMoEConfig): void {
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
}

/** CP with every size ≥ 2: the official order is optimal and the optimizer finds it. */
export function checkCpOfficialOptimal(config: MuMoEConfig): void {
  expect(oraclePerLayer(config)).toEqual(closedPerLayer(config, "macsBreakdown"));
  const d = derivedMacs(config);
  expect(d.fast).toBe(d.closedFast);
}

/** One-level TR: the official order is optimal (and 'optimal' finds it). */
export function checkTrOfficialOptimal(config: MuMoEConfig): void {
  expect(oraclePerLayer(config)).toEqual(closedPerLayer(config, "macsBreakdown"));
  if (hasOptimal) expect(derivedMacs(config, "optimal").fast).toBe(layerBudget(config).macs);
}

/** One-level TR layers at realistic sizes. */
export const realisticTr: fc.Arbitrary<MuMoEConfig> = fc
  .record({
    n: fc.integer({ min: 2, max: 1024 }),
    i: fc.integer({ min: 16, max: 1024 }),
    o: fc.integer({ min: 16, max: 1024 }),
    r1: fc.integer({ min: 2, max: 8 }),
    r2: fc.integer({ min: 2, max: 8 }),
    r3: fc.integer({ min: 2, max: 128 }),
    useBias: fc.boolean(),
  })
  .map(
    (c): MuMoEConfig => ({
      kind: "tr",
      inputDim: c.i,
      outputDim: c.o,
      expertDims: [c.n],
      ranks: triplesFromRing([c.r1, c.r2, c.r3]),
      useBias: c.useBias,
    }),
  );

/** Configurations with exactly `levels` expert levels (and of one kind, when given). */
export const withLevels = (arb: fc.Arbitrary<MuMoEConfig>, levels: number, kind?: "cp" | "tr"): fc.Arbitrary<MuMoEConfig> =>
  arb.filter((c) => c.expertDims.length === levels && (kind === undefined || c.kind === kind));
