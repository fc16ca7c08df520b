/**
 * `multilinear/testing`: fast-check arbitraries for μMoE layer configurations, weights and inputs,
 * and ready-made properties — factorized forward equals the dense MoE forward with `toDense()`
 * weights, hierarchical equals flattened experts, parameter count equals the closed formula, gate
 * outputs are (sparse) distributions. Needs `fast-check` (a peer dependency).
 *
 * Another project can property-test its own layer against its dense meaning in a few lines:
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { createMuMoE } from "multilinear";
 * import { factorizedEqualsDense } from "multilinear/testing";
 * // Any layer with config, gates(x), forward(x) and toDense(which) works; here, the library's own.
 * fc.assert(factorizedEqualsDense({ build: (config, seed) => createMuMoE(config, { seed, init: "random" }) }), { numRuns: 5 });
 * true; // => true
 * ```
 * @module multilinear/testing
 */
import fc from "fast-check";
import { difference } from "../tensor/compare.js";
import type { DenseTensor } from "../tensor/dense.js";
import { randn } from "../tensor/create.js";
import type { DType } from "../tensor/dtype.js";
import { entmax15, softmax, sparsemax } from "../tensor/activations.js";
import { layerBudget } from "../moe/budget/layer-budget.js";
import { resolveLayer } from "../moe/budget/spec.js";
import type { GateActivation, GateNormalization, MuMoEConfig, MuMoEKind, TRRanks } from "../moe/config.js";
import { flattenExperts, flattenGates } from "../moe/hierarchy.js";
import { createMuMoE } from "../moe/init.js";
import { muMoEDenseForward, type DenseCheckable } from "../moe/references.js";

/** Bounds of generated configurations. @category Testing */
export interface ConfigArbitraryOptions {
  /** Layer kinds to draw from (default both). */
  readonly kinds?: readonly MuMoEKind[];
  /** Largest number of expert levels (default 2; the official code supports 1 and 2). */
  readonly maxLevels?: number;
  /** Largest experts per level (default 6). */
  readonly maxExperts?: number;
  /** Largest input/output/second dim (default 8). */
  readonly maxDim?: number;
  /** Largest CP rank or TR ring rank (default 6). */
  readonly maxRank?: number;
  /** Allow two-layer blocks (default true). */
  readonly twoLayer?: boolean;
}

/**
 * μMoE configurations: kind, experts per level, ranks (CP rank or chained TR triples), dims,
 * hierarchy, bias, gate normalisation and activation, input LayerNorm, two-layer blocks. Ranks stay
 * within what the expert tensor can use (the budget calculator refuses larger ones).
 * @category Testing
 */
export function arbMuMoEConfig(options: ConfigArbitraryOptions = {}): fc.Arbitrary<MuMoEConfig> {
  const kinds = options.kinds ?? ["cp", "tr"];
  const maxLevels = options.maxLevels ?? 2;
  const dim = fc.integer({ min: 1, max: options.maxDim ?? 8 });
  const rank = fc.integer({ min: 1, max: options.maxRank ?? 6 });
  return fc
    .record({
      kind: fc.constantFrom(...kinds),
      expertDims: fc.array(fc.integer({ min: 1, max: options.maxExperts ?? 6 }), { minLength: 1, maxLength: maxLevels }),
      inputDim: dim,
      outputDim: dim,
      secondDim: options.twoLayer === false ? fc.constant(0) : fc.oneof(fc.constant(0), dim),
      cpRank: rank,
      ring: fc.array(rank, { minLength: maxLevels + 2, maxLength: maxLevels + 2 }),
      normalization: fc.constantFrom<GateNormalization>("bn", "ln"),
      act: fc.constantFrom<GateActivation>("entmax15", "softmax", "sparsemax"),
      useBias: fc.boolean(),
      applyLn: fc.boolean(),
    })
    .map((r) => {
      const cores = r.expertDims.length + 2;
      const ring = r.ring.slice(0, cores);
      const triples: TRRanks = ring.map((x, k) => [x, null, ring[(k + 1) % cores]!] as const);
      return {
        kind: r.kind,
        inputDim: r.inputDim,
        outputDim: r.outputDim,
        expertDims: r.expertDims,
        ranks: r.kind === "cp" ? r.cpRank : triples,
        secondDim: r.secondDim,
        normalization: r.normalization,
        act: r.act,
        useBias: r.useBias,
        applyLn: r.applyLn,
      } satisfies MuMoEConfig;
    })
    .filter((c) => {
      try {
        resolveLayer(c);
        return true;
      } catch {
        return false;
      }
    });
}

/** An input `[B, I]` or `[B, T, I]` for a configuration, seeded. @category Testing */
export function arbInput(config: MuMoEConfig, dtype: DType = "float64"): fc.Arbitrary<DenseTensor> {
  return fc
    .record({
      b: fc.integer({ min: 1, max: 4 }),
      t: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map(({ b, t, seed }) => randn(t === undefined ? [b, config.inputDim] : [b, t, config.inputDim], { seed, dtype }));
}

/** Rows of gate logits `[M, N]`, including ties and large spreads. @category Testing */
export function arbLogits(maxExperts = 12): fc.Arbitrary<DenseTensor> {
  return fc
    .record({
      m: fc.integer({ min: 1, max: 4 }),
      n: fc.integer({ min: 1, max: maxExperts }),
      scale: fc.constantFrom(0.01, 1, 3, 30),
      seed: fc.nat(),
    })
    .map(({ m, n, scale, seed }) => {
      const x = randn([m, n], { seed });
      for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! * scale;
      if (n > 1) x.data[1] = x.data[0]!; // a tie
      return x;
    });
}

/** The structural view of a layer the properties need; `MuMoELayer` has it, and so can yours. @category Testing */
export interface LayerUnderTest extends DenseCheckable {
  forward(x: DenseTensor): DenseTensor;
}

/** Options of {@link factorizedEqualsDense}. @category Testing */
export interface DenseEquivalenceOptions {
  /** Configurations to test (default {@link arbMuMoEConfig}). */
  readonly configs?: fc.Arbitrary<MuMoEConfig>;
  /** Builds the layer under test (default: the library's layer with perturbed random weights). */
  readonly build?: (config: MuMoEConfig, seed: number) => LayerUnderTest;
  /** Tolerance relative to the largest output magnitude (default 1e-10). */
  readonly tolerance?: number;
}

/**
 * Property: the factorized forward pass equals the dense MoE forward computed from the layer's own
 * gates and its `toDense()` expert tensors (docs/guides/mumoe-reference.md#checks, items 1 and 3).
 * @category Testing
 */
export function factorizedEqualsDense(options: DenseEquivalenceOptions = {}): fc.IPropertyWithHooks<[MuMoEConfig, number, number]> {
  const build = options.build ?? ((config: MuMoEConfig, seed: number) => createMuMoE(config, { seed, init: "random" }));
  const tol = options.tolerance ?? 1e-10;
  return fc.property(
    options.configs ?? arbMuMoEConfig(),
    fc.integer({ min: 0, max: 1e6 }),
    fc.integer({ min: 0, max: 1e6 }),
    (config, seed, inputSeed) => {
      const layer = build(config, seed);
      const x = randn([2, 2, config.inputDim], { seed: inputSeed });
      const y = layer.forward(x);
      const ref = muMoEDenseForward(layer, x);
      return closeScaled(y, ref, tol);
    },
  );
}

/**
 * Property: hierarchical experts equal their flattened form (docs/guides/mumoe-reference.md#hierarchy-flattening) — same output for gates
 * `a_1, …, a_E` and for the flat gate `vec(a_1 ∘ … ∘ a_E)`.
 * @category Testing
 */
export function hierarchicalEqualsFlat(options: { readonly tolerance?: number } = {}): fc.IPropertyWithHooks<[MuMoEConfig, number]> {
  const tol = options.tolerance ?? 1e-10;
  return fc.property(
    arbMuMoEConfig({ maxLevels: 3, twoLayer: false }).filter((c) => c.expertDims.length > 1),
    fc.nat(),
    (config, seed) => {
      const layer = createMuMoE(config, { seed, init: "random" });
      const x = randn([3, config.inputDim], { seed: seed + 1 });
      const gates = layer.gates(x).map((g) => g.reshape([3, g.shape[2]!]));
      // The experts see any [M, Ĩ] input; a random one exercises the bias row too.
      const input = randn([3, layer.experts1.inputSize], { seed: seed + 2 });
      const hier = layer.experts1.contract(gates, input);
      const flat = flattenExperts(layer.experts1).contract([flattenGates(gates)], input);
      return closeScaled(hier, flat, tol);
    },
  );
}

/** Property: a layer's parameter count equals the closed formula of the budget calculator (docs/guides/mumoe-reference.md#counts). @category Testing */
export function parameterCountMatchesFormula(): fc.IPropertyWithHooks<[MuMoEConfig, number]> {
  return fc.property(
    arbMuMoEConfig(),
    fc.nat(),
    (config, seed) => createMuMoE(config, { seed }).parameterCount() === layerBudget(config).params,
  );
}

/**
 * Property: gate activations give distributions — non-negative, summing to 1 — and entmax-1.5 /
 * sparsemax are exactly sparse where the threshold says so (zero iff `x_j/2 ≤ τ`, resp. `x_j ≤ τ`).
 * @category Testing
 */
export function gatesAreDistributions(act: GateActivation): fc.IPropertyWithHooks<[DenseTensor]> {
  return fc.property(arbLogits(), (logits) => {
    const f = act === "softmax" ? softmax : act === "sparsemax" ? sparsemax : entmax15;
    const p = f(logits).toTypedArray();
    const x = logits.toTypedArray();
    const n = logits.shape[1]!;
    for (let r = 0; r < p.length / n; r++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        const v = p[r * n + j]!;
        if (!(v >= 0)) return false;
        s += v;
      }
      if (Math.abs(s - 1) > 1e-12) return false;
      if (act === "softmax") continue;
      // Threshold from any support entry: entmax15 p = (x/2 − τ)², sparsemax p = x − τ (shifted by the max).
      let m = -Infinity;
      for (let j = 0; j < n; j++) m = Math.max(m, x[r * n + j]!);
      const u = (j: number): number => (act === "entmax15" ? (x[r * n + j]! - m) / 2 : x[r * n + j]! - m);
      const jMax = [...Array(n).keys()].reduce((a, b) => (p[r * n + b]! > p[r * n + a]! ? b : a), 0);
      const tau = act === "entmax15" ? u(jMax) - Math.sqrt(p[r * n + jMax]!) : u(jMax) - p[r * n + jMax]!;
      for (let j = 0; j < n; j++) {
        const zero = p[r * n + j] === 0;
        const slack = 1e-9 * Math.max(1, Math.abs(tau));
        if (zero && u(j) > tau + slack) return false;
        if (!zero && u(j) < tau - slack) return false;
      }
    }
    return true;
  });
}

function closeScaled(a: DenseTensor, b: DenseTensor, tol: number): boolean {
  let scale = 1;
  for (const v of b.toTypedArray()) scale = Math.max(scale, Math.abs(v));
  const d = difference(a, b, { rtol: 0, atol: tol * scale });
  return d.mismatches === 0;
}
