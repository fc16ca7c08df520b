/**
 * Parameter counts against brute-force counts of real layers: the official PyTorch layers' tensors
 * in the reference fixtures (state_dict keys and shapes as stored), and the README's key table.
 */
import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { layerBudget, readSafetensors } from "../../../src/index.js";
import type { MuMoEConfig } from "../../../src/moe/config.js";
import { arbLayerSpec, arbMuMoE } from "../../arbitraries/budget.js";
import { officialParameterShapes } from "../../oracles/mumoe-state-dict.js";

const dir = new URL("../../fixtures/mumoe-reference/", import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".safetensors") && !f.endsWith("_f32.safetensors"))
  .sort();

interface ConstructorArgs {
  MuMoE_layer: string;
  input_dim: number;
  output_dim: number;
  expert_dims: number[];
  ranks: number | [number, number, number][];
  second_dim: number;
  normalization: "bn" | "ln";
  use_bias: boolean;
  apply_ln: boolean;
}

/** The fixture's layer as a MuMoEConfig, from its constructor arguments. */
function configOf(args: ConstructorArgs): MuMoEConfig {
  return {
    kind: args.MuMoE_layer === "CPMuMoE" ? "cp" : "tr",
    inputDim: args.input_dim,
    outputDim: args.output_dim,
    expertDims: args.expert_dims,
    ranks: args.ranks,
    secondDim: args.second_dim,
    normalization: args.normalization,
    useBias: args.use_bias,
    applyLn: args.apply_ln,
  };
}

describe("parameter counts of the official layers (reference fixtures)", () => {
  test("eight fixtures are present", () => {
    expect(files.length).toBe(8);
  });

  test.each(files)("%s", (file) => {
    const st = readSafetensors(new Uint8Array(readFileSync(new URL(file, dir))), file);
    const meta = JSON.parse(st.metadata["config"]!) as { constructor_args: ConstructorArgs; state_dict_keys: string[] };
    const config = configOf(meta.constructor_args);
    // Parameters of the real module: every state_dict entry except the BatchNorm buffers.
    const keys = meta.state_dict_keys.filter((k) => !k.startsWith("bn."));
    const real = keys.map((k) => ({ key: k, shape: st.tensors.get(k)!.shape }));
    const brute = real.reduce((a, r) => a + r.shape.reduce((p, d) => p * BigInt(d), 1n), 0n);
    const b = layerBudget(config);
    expect(b.parameters.map((p) => ({ key: p.name, shape: [...p.shape] }))).toEqual(real.map((r) => ({ key: r.key, shape: [...r.shape] })));
    expect(b.params).toBe(brute);
    expect(officialParameterShapes(config)).toEqual(real.map((r) => ({ key: r.key, shape: [...r.shape] })));
  });
});

describe("parameter tables (property)", () => {
  test("μMoE tensors and shapes equal the official key table", () => {
    fc.assert(
      fc.property(arbMuMoE(), (config) => {
        const b = layerBudget(config);
        const oracle = officialParameterShapes(config);
        expect(b.parameters.map((p) => ({ key: p.name, shape: [...p.shape] }))).toEqual(oracle);
        expect(b.params).toBe(oracle.reduce((a, o) => a + o.shape.reduce((p, d) => p * BigInt(d), 1n), 0n));
      }),
      { numRuns: 300 },
    );
  });

  test("params is the sum of the tensors; active params ≤ params, equal unless sparse", () => {
    fc.assert(
      fc.property(arbLayerSpec, (spec) => {
        const b = layerBudget(spec);
        expect(b.params).toBe(b.parameters.reduce((a, p) => a + p.shape.reduce((q, d) => q * BigInt(d), 1n), 0n));
        expect(b.activeParams <= b.params).toBe(true);
        if (spec.kind !== "sparse" || spec.topK === spec.nExperts) expect(b.activeParams).toBe(b.params);
        expect(b.flops).toBe(2n * b.macs);
      }),
      { numRuns: 300 },
    );
  });

  test("reference layers: parameter counts by hand", () => {
    const lin = layerBudget({ kind: "linear", inputDim: 3, outputDim: 5 });
    expect(lin.parameters.map((p) => [p.name, p.shape])).toEqual([
      ["weight", [5, 3]],
      ["bias", [5]],
    ]);
    expect(layerBudget({ kind: "linear", inputDim: 3, outputDim: 5, useBias: false }).params).toBe(15n);
    // dense: N(IO+O) + IN
    expect(layerBudget({ kind: "dense", inputDim: 3, outputDim: 5, nExperts: 7 }).params).toBe(7n * (15n + 5n) + 21n);
    const sparse = layerBudget({ kind: "sparse", inputDim: 3, outputDim: 5, nExperts: 7, topK: 2 });
    expect([sparse.params, sparse.activeParams]).toEqual([7n * 20n + 21n, 2n * 20n + 21n]);
    // soft: N(IO+O) + I·N·S
    expect(layerBudget({ kind: "soft", inputDim: 3, outputDim: 5, nExperts: 7, slotsPerExpert: 2 }).params).toBe(7n * 20n + 3n * 14n);
  });
});
