/**
 * fast-check generators of layer descriptions for the budget calculator. Configurations whose rank
 * is larger than the expert tensor can use are filtered out (the calculator rejects them; tested apart).
 */
import fc from "fast-check";
import { resolveLayer, triplesFromRing } from "../../src/moe/budget/spec.js";
import type { LayerSpec } from "../../src/moe/budget/spec.js";
import type { MuMoEConfig } from "../../src/moe/config.js";

const dim = (max: number) => fc.integer({ min: 1, max });

const common = fc.record({
  inputDim: dim(300),
  outputDim: dim(300),
  secondDim: fc.oneof(fc.constant(0), dim(300)),
  useBias: fc.boolean(),
  applyLn: fc.boolean(),
});

const accepts = (spec: LayerSpec): boolean => {
  try {
    resolveLayer(spec);
    return true;
  } catch {
    return false;
  }
};

/** CP or TR μMoE configurations, 1–3 expert levels. */
export const arbMuMoE = (opts: { maxLevels?: number; minSize?: number; maxDim?: number } = {}): fc.Arbitrary<MuMoEConfig> => {
  const lo = opts.minSize ?? 1;
  const d = (max: number) => fc.integer({ min: lo, max: Math.max(lo, max) });
  const maxDim = opts.maxDim ?? 300;
  return fc
    .record({
      kind: fc.constantFrom("cp" as const, "tr" as const),
      inputDim: d(maxDim),
      outputDim: d(maxDim),
      secondDim: fc.oneof(fc.constant(0), d(maxDim)),
      useBias: fc.boolean(),
      applyLn: fc.boolean(),
      expertDims: fc.array(d(64), { minLength: 1, maxLength: opts.maxLevels ?? 3 }),
      cpRank: d(64),
      ring: fc.array(d(8), { minLength: 5, maxLength: 5 }),
    })
    .map(
      ({ cpRank, ring, ...c }): MuMoEConfig => ({
        ...c,
        ranks: c.kind === "cp" ? cpRank : triplesFromRing(ring.slice(0, c.expertDims.length + 2)),
      }),
    )
    .filter(accepts);
};

/** Any layer the calculator knows. */
export const arbLayerSpec: fc.Arbitrary<LayerSpec> = fc.oneof(
  common.map((c): LayerSpec => ({ kind: "linear", ...c })),
  fc.tuple(common, dim(64)).map(([c, n]): LayerSpec => ({ kind: "dense", ...c, nExperts: n })),
  fc
    .tuple(common, dim(64), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([c, n, f]): LayerSpec => ({ kind: "sparse", ...c, nExperts: n, topK: 1 + Math.floor(f * (n - 1)) })),
  fc
    .tuple(common, dim(64), dim(4), fc.option(dim(500), { nil: undefined }))
    .map(([c, n, s, t]): LayerSpec => ({ kind: "soft", ...c, nExperts: n, slotsPerExpert: s, ...(t === undefined ? {} : { tokens: t }) })),
  arbMuMoE(),
);
