import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  ConfigError,
  createMuMoE,
  DenseMoE,
  InvalidArgumentError,
  loadMuMoE,
  readSafetensors,
  randn,
  saveMuMoE,
  SoftMoE,
  SparseMoE,
  tensor,
  writeSafetensors,
  difference,
  einsum,
  type MuMoEConfig,
} from "../../src/index.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/mumoe-reference/${name}`, import.meta.url)));

describe("initialisation (spec §7 oracle 5)", () => {
  test("zero gating projections give uniform gates 1/N", async () => {
    const layer = createMuMoE({ kind: "cp", inputDim: 4, outputDim: 8, expertDims: [16], ranks: 16 }, { seed: 1 });
    for (const v of layer.gates(randn([3, 4], { seed: 2 }))[0]!.toTypedArray()) expect(v).toBeCloseTo(1 / 16, 15);
  });
  test("TR expert cores are diagonal; later levels are the identity", () => {
    const layer = createMuMoE(
      {
        kind: "tr",
        inputDim: 4,
        outputDim: 8,
        expertDims: [5, 3],
        ranks: [
          [4, null, 4],
          [4, null, 4],
          [4, null, 4],
          [4, null, 4],
        ],
      },
      { seed: 1 },
    );
    const [c1, c2] = layer.weights.layer1 as [(typeof layer.weights.layer1)[0], (typeof layer.weights.layer1)[0]];
    for (let a = 0; a < 4; a++) for (let n = 0; n < 5; n++) for (let b = 0; b < 4; b++) if (a !== b) expect(c1!.get(a, n, b)).toBe(0);
    for (let a = 0; a < 4; a++) for (let n = 0; n < 3; n++) for (let b = 0; b < 4; b++) expect(c2!.get(a, n, b)).toBe(a === b ? 1 : 0);
  });
  test("the unit-test configuration has 528 (CP) and 528 (TR) parameters (spec §4.5)", () => {
    expect(createMuMoE({ kind: "cp", inputDim: 4, outputDim: 8, expertDims: [16], ranks: 16 }, { seed: 0 }).parameterCount()).toBe(528n);
    expect(
      createMuMoE(
        {
          kind: "tr",
          inputDim: 4,
          outputDim: 8,
          expertDims: [16],
          ranks: [
            [4, null, 4],
            [4, null, 4],
            [4, null, 4],
          ],
        },
        { seed: 0 },
      ).parameterCount(),
    ).toBe(528n);
  });
  test("same seed, same weights", () => {
    const c: MuMoEConfig = { kind: "cp", inputDim: 3, outputDim: 2, expertDims: [4], ranks: 3 };
    expect(createMuMoE(c, { seed: 9, init: "random" }).toDense().toArray()).toEqual(
      createMuMoE(c, { seed: 9, init: "random" }).toDense().toArray(),
    );
  });
});

describe("one-hot gate selects one expert (spec §7 oracle 4)", () => {
  test("a = e_n gives W_n[:I]ᵀz + W[n, I, :]", () => {
    const layer = createMuMoE(
      {
        kind: "tr",
        inputDim: 5,
        outputDim: 3,
        expertDims: [4],
        ranks: [
          [2, null, 3],
          [3, null, 2],
          [2, null, 2],
        ],
      },
      { seed: 4, init: "random" },
    );
    const z = randn([1, 5], { seed: 5 });
    const W = layer.toDense();
    for (let n = 0; n < 4; n++) {
      const gate = tensor([[0, 0, 0, 0]]);
      gate.set(1, 0, n);
      const zAug = tensor([[...z.toTypedArray(), 1]]);
      const y = layer.experts1.contract([gate], zAug);
      const want = einsum("i,io->o", [zAug.select(0, 0), W.select(0, n)]);
      expect(difference(y.select(0, 0), want).maxAbs).toBeLessThan(1e-14);
    }
  });
});

describe("weights from PyTorch: save and load", () => {
  test("saveMuMoE → loadMuMoE reproduces the layer (every fixture)", async () => {
    for (const name of [
      "cp_h2_entmax_bias_bn.safetensors",
      "tr_h2_entmax_nobias_ln_2layer_tokens.safetensors",
      "tr_h1_entmax_bias_bn_inputln_f32.safetensors",
    ]) {
      const f = readSafetensors(fixture(name));
      const layer = await loadMuMoE(fixture(name));
      const again = await loadMuMoE(saveMuMoE(layer));
      const x = f.tensors.get("input")!;
      expect(again.forward(x).toArray()).toEqual(layer.forward(x).toArray());
      const keys = [...readSafetensors(saveMuMoE(layer)).tensors.keys()].sort();
      const original = [...f.tensors.keys()].filter((k) => /^(MuMoE|projs|bn|input_ln)/.test(k)).sort();
      expect(keys).toEqual(original);
    }
  });
  test("a missing key names the key and its expected shape", async () => {
    const f = readSafetensors(fixture("cp_h1_entmax_bias_bn.safetensors"));
    const tensors = Object.fromEntries([...f.tensors].filter(([k]) => k !== "MuMoE.factors.1"));
    const bytes = writeSafetensors(tensors, f.metadata);
    await expect(loadMuMoE(bytes)).rejects.toThrow(ConfigError);
    await expect(loadMuMoE(bytes)).rejects.toThrow(/'MuMoE\.factors\.1' is missing \(expected shape \[17, 12\]\)/);
  });
  test("a wrong shape names the key, the shape found and the one expected", async () => {
    const f = readSafetensors(fixture("cp_h1_entmax_bias_bn.safetensors"));
    const tensors = Object.fromEntries(f.tensors);
    tensors["projs.0"] = randn([16, 7], { seed: 1 });
    await expect(loadMuMoE(writeSafetensors(tensors, f.metadata))).rejects.toThrow(/'projs\.0' has shape \[16, 7\], expected \[16, 8\]/);
  });
  test("an unknown option is refused", async () => {
    const f = readSafetensors(fixture("cp_h1_entmax_bias_bn.safetensors"));
    const cfg = JSON.parse(f.metadata["config"]!) as { constructor_args: Record<string, unknown> };
    cfg.constructor_args["normalization"] = "gn";
    await expect(
      loadMuMoE(writeSafetensors(Object.fromEntries(f.tensors), { ...f.metadata, config: JSON.stringify(cfg) })),
    ).rejects.toThrow(/unknown normalization 'gn'/);
    cfg.constructor_args["normalization"] = "bn";
    cfg.constructor_args["act"] = "relu";
    await expect(
      loadMuMoE(writeSafetensors(Object.fromEntries(f.tensors), { ...f.metadata, config: JSON.stringify(cfg) })),
    ).rejects.toThrow(/unknown gate activation 'relu'/);
  });
  test("a file without metadata needs an explicit config", async () => {
    const f = readSafetensors(fixture("cp_h1_entmax_bias_bn.safetensors"));
    const bytes = writeSafetensors(Object.fromEntries(f.tensors));
    await expect(loadMuMoE(bytes)).rejects.toThrow(/no __metadata__\.config/);
    const layer = await loadMuMoE(bytes, { config: { kind: "cp", inputDim: 16, outputDim: 24, expertDims: [8], ranks: 12 } });
    expect(layer.forward(f.tensors.get("input")!).shape).toEqual([8, 1, 24]);
  });
});

describe("bad inputs", () => {
  const layer = createMuMoE({ kind: "cp", inputDim: 4, outputDim: 3, expertDims: [5], ranks: 2 }, { seed: 1 });
  test("wrong feature count or rank", () => {
    expect(() => layer.forward(randn([2, 5], { seed: 1 }))).toThrow(InvalidArgumentError);
    expect(() => layer.forward(randn([4], { seed: 1 }))).toThrow(/\[B, 4\] or \[B, T, 4\]/);
  });
  test("dtype mismatch", () => {
    expect(() => layer.forward(randn([2, 4], { seed: 1, dtype: "float32" }))).toThrow(/float32 but the layer's weights are float64/);
  });
  test("NaN propagates by default and is refused with checkFinite", () => {
    const x = randn([2, 4], { seed: 1 });
    x.set(NaN, 0, 1);
    const y = layer.forward(x).toTypedArray();
    expect(Number.isNaN(y[0]!)).toBe(true);
    expect(Number.isNaN(y[3]!)).toBe(false);
    expect(() => layer.forward(x, { checkFinite: true })).toThrow(/input element 1 is NaN/);
  });
  test("inconsistent TR ranks", () => {
    expect(() =>
      createMuMoE(
        {
          kind: "tr",
          inputDim: 4,
          outputDim: 3,
          expertDims: [5],
          ranks: [
            [2, null, 3],
            [4, null, 2],
            [2, null, 2],
          ],
        },
        { seed: 1 },
      ),
    ).toThrow(ConfigError);
  });
});

describe("reference MoEs", () => {
  const c = { inputDim: 4, outputDim: 3, nExperts: 5 };
  test("dense MoE equals an explicit loop over experts", () => {
    const moe = DenseMoE.random(c, { seed: 1 });
    const x = randn([3, 4], { seed: 2 });
    const a = moe.gates(x).reshape([3, 5]);
    const y = moe.forward(x).reshape([3, 3]);
    for (let m = 0; m < 3; m++) {
      for (let o = 0; o < 3; o++) {
        let s = 0;
        for (let n = 0; n < 5; n++) {
          let e = moe.weights.bias!.get(n, o);
          for (let i = 0; i < 4; i++) e += x.get(m, i) * moe.weights.weight.get(n, i, o);
          s += a.get(m, n) * e;
        }
        expect(y.get(m, o)).toBeCloseTo(s, 13);
      }
    }
  });
  test("sparse MoE uses at most k experts with renormalised weights and equals the dense MoE on its gates", () => {
    const moe = SparseMoE.random(c, 2, { seed: 1 });
    const x = randn([4, 4], { seed: 3 });
    const a = moe.gates(x).reshape([4, 5]);
    for (let m = 0; m < 4; m++) {
      const r = [...a.toTypedArray()].slice(m * 5, m * 5 + 5);
      expect(r.filter((v) => v > 0).length).toBe(2);
      expect(r.reduce((p, q) => p + q)).toBeCloseTo(1, 15);
    }
    const y = moe.forward(x).reshape([4, 3]);
    for (let m = 0; m < 4; m++) {
      for (let o = 0; o < 3; o++) {
        let s = 0;
        for (let n = 0; n < 5; n++) {
          if (a.get(m, n) === 0) continue;
          let e = moe.weights.bias!.get(n, o);
          for (let i = 0; i < 4; i++) e += x.get(m, i) * moe.weights.weight.get(n, i, o);
          s += a.get(m, n) * e;
        }
        expect(y.get(m, o)).toBeCloseTo(s, 13);
      }
    }
    expect(() => SparseMoE.random(c, 6, { seed: 1 })).toThrow(/topK 6/);
  });
  test("soft MoE: slots are convex combinations of tokens (Puigcerver et al.)", () => {
    const moe = SoftMoE.random({ ...c, slotsPerExpert: 2 }, { seed: 1 });
    const x = randn([2, 6, 4], { seed: 4 });
    const y = moe.forward(x);
    expect(y.shape).toEqual([2, 6, 3]);
    // Naive per-sequence computation.
    const phi = moe.weights.phi;
    for (let b = 0; b < 2; b++) {
      const X = x.select(0, b);
      const L = einsum("ti,is->ts", [X, phi]);
      const S = 10;
      const D = [...Array(6)].map((_, t) => [...Array(S)].map((__, s) => Math.exp(L.get(t, s))));
      const colSum = [...Array(S)].map((_, s) => D.reduce((p, r) => p + r[s]!, 0));
      const rowSum = [...Array(6)].map((_, t) => [...Array(S)].reduce((p, __, s) => p + Math.exp(L.get(t, s)), 0));
      const slotOut = [...Array(S)].map((_, s) => {
        const n = Math.floor(s / 2);
        const xs = [...Array(4)].map((__, i) => D.reduce((p, r, t) => p + (r[s]! / colSum[s]!) * X.get(t, i), 0));
        return [...Array(3)].map(
          (__, o) => moe.weights.bias!.get(n, o) + xs.reduce((p, v, i) => p + v * moe.weights.weight.get(n, i, o), 0),
        );
      });
      for (let t = 0; t < 6; t++) {
        for (let o = 0; o < 3; o++) {
          const want = [...Array(S)].reduce((p, __, s) => p + (Math.exp(L.get(t, s)) / rowSum[t]!) * slotOut[s]![o]!, 0);
          expect(y.get(b, t, o)).toBeCloseTo(want, 12);
        }
      }
    }
  });
});

describe("expert slices", () => {
  test.each(["cp", "tr"] as const)("%s: expertWeight(n) equals the slice of toDense()", (kind) => {
    const cfg: MuMoEConfig =
      kind === "cp"
        ? { kind, inputDim: 3, outputDim: 4, expertDims: [3, 2], ranks: 5 }
        : {
            kind,
            inputDim: 3,
            outputDim: 4,
            expertDims: [3, 2],
            ranks: [
              [2, null, 3],
              [3, null, 2],
              [2, null, 4],
              [4, null, 2],
            ],
          };
    const layer = createMuMoE(cfg, { seed: 2, init: "random" });
    const W = layer.toDense();
    for (let a = 0; a < 3; a++)
      for (let b = 0; b < 2; b++)
        expect(difference(layer.experts1.expertWeight([a, b]), W.select(0, a).select(0, b)).maxAbs).toBeLessThan(1e-14);
    expect(() => layer.experts1.expertWeight([3, 0])).toThrow(/out of range/);
  });
});

describe("reference MoEs with two-layer experts", () => {
  test("dense and sparse (k = N) agree; sparse routes only k experts", () => {
    const c = { inputDim: 4, outputDim: 5, nExperts: 3, secondDim: 2 };
    const dense = DenseMoE.random(c, { seed: 3 });
    const all = new SparseMoE(c, dense.weights, 3);
    const x = randn([2, 3, 4], { seed: 4 });
    expect(difference(dense.forward(x), all.forward(x)).maxAbs).toBeLessThan(1e-13);
  });
});
