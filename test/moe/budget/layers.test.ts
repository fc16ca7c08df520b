/**
 * The budget calculator against real layers: `createMuMoE` layers' `namedParameters()` (PyTorch
 * state_dict keys) and `parameterCount()`; the same counts are checked against the official PyTorch
 * layers' fixtures in params.test.ts.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createMuMoE, layerBudget, rankProfile, type DenseTensor } from "../../../src/index.js";
import type { MuMoEConfig } from "../../../src/moe/config.js";
import { arbMuMoE } from "../../arbitraries/budget.js";

interface LayerLike {
  namedParameters(): ReadonlyMap<string, DenseTensor>;
  parameterCount(): bigint;
  toDense?: () => DenseTensor;
}
type Create = (config: MuMoEConfig, options: { seed: number; dtype: "float64" }) => LayerLike;

const create: Create = createMuMoE;

describe("budget against createMuMoE layers", () => {
  test("parameter names, shapes and counts (property)", () => {
    fc.assert(
      fc.property(arbMuMoE({ maxLevels: 2, maxDim: 24 }), fc.integer({ min: 0, max: 1000 }), (config, seed) => {
        const layer = create(config, { seed, dtype: "float64" });
        const b = layerBudget(config);
        // Same keys and shapes; the order of the Map is not part of that API.
        const byKey = (a: { key: string }, c: { key: string }) => (a.key < c.key ? -1 : a.key > c.key ? 1 : 0);
        const real = [...layer.namedParameters()].map(([k, t]) => ({ key: k, shape: [...t.shape] })).sort(byKey);
        expect(b.parameters.map((p) => ({ key: p.name, shape: [...p.shape] })).sort(byKey)).toEqual(real);
        expect(layer.parameterCount()).toBe(b.params);
      }),
      { numRuns: 40 },
    );
  });

  test("rankProfile of a real layer stays within the bound", () => {
    const config: MuMoEConfig = {
      kind: "tr",
      inputDim: 12,
      outputDim: 10,
      expertDims: [6],
      ranks: [
        [2, null, 3],
        [3, null, 2],
        [2, null, 2],
      ],
    };
    const layer = create(config, { seed: 3, dtype: "float64" });
    if (layer.toDense === undefined) return;
    const p = rankProfile({ toDense: () => layer.toDense!(), config });
    expect(p.max <= p.bound!).toBe(true);
  });
});
