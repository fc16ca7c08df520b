/**
 * Cross-check against the TypeScript μMoE layers, when they are present in src/moe (another work
 * stream provides `createMuMoE(config, { seed, dtype })` with `namedParameters()` under the PyTorch
 * state_dict keys and `parameterCount()`). Until then these tests are skipped; the same counts are
 * checked against the official PyTorch layers' fixtures in budget-params.test.ts.
 */
import { readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { layerBudget, rankProfile, type DenseTensor } from "../../src/index.js";
import type { MuMoEConfig } from "../../src/moe/config.js";
import { arbMuMoE } from "../arbitraries/budget.js";

interface LayerLike {
  namedParameters(): ReadonlyMap<string, DenseTensor>;
  parameterCount(): bigint;
  toDense?: () => DenseTensor;
}
type Create = (config: MuMoEConfig, options: { seed: number; dtype: "float64" }) => LayerLike;

async function findCreate(): Promise<Create | undefined> {
  const dir = new URL("../../src/moe/", import.meta.url);
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts")).sort()) {
    const mod = (await import(new URL(f, dir).href)) as Record<string, unknown>;
    if (typeof mod["createMuMoE"] === "function") return mod["createMuMoE"] as Create;
  }
  return undefined;
}

const create = await findCreate();

describe.skipIf(create === undefined)("budget against createMuMoE layers", () => {
  test("parameter names, shapes and counts (property)", () => {
    fc.assert(
      fc.property(arbMuMoE({ maxLevels: 2, maxDim: 24 }), fc.integer({ min: 0, max: 1000 }), (config, seed) => {
        const layer = create!(config, { seed, dtype: "float64" });
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
    const config: MuMoEConfig = { kind: "tr", inputDim: 12, outputDim: 10, expertDims: [6], ranks: [[2, null, 3], [3, null, 2], [2, null, 2]] };
    const layer = create!(config, { seed: 3, dtype: "float64" });
    if (layer.toDense === undefined) return;
    const p = rankProfile({ toDense: () => layer.toDense!(), config });
    expect(p.max <= p.bound!).toBe(true);
  });
});
