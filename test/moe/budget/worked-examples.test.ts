/**
 * Every number of spec §4.5 (computed there from the official code's configurations) and the §4.3
 * fast-vs-naive example, reproduced by the calculator.
 */
import { describe, expect, test } from "vitest";
import { expertRankComparison, layerBudget, linearTarget, matchRank, triplesFromRing } from "../../../src/index.js";
import type { MuMoEConfig } from "../../../src/moe/config.js";

const tr = (ring: number[]) => triplesFromRing(ring);

describe("CLIP ViT-B-32 ImageNet head (I=768, O=1000, P*=769,000, R1=R2=4)", () => {
  // N, CP R, CP params, CP expert rank, TR R3, TR params, TR expert rank, CP MACs (no gate), TR MACs (no gate), dense N·I·O
  const table = [
    [32, 414, 770_190, 414, 106, 775_144, 424, 746_028, 752_264, 24_576_000],
    [64, 393, 769_521, 393, 102, 771_928, 408, 720_762, 724_408, 49_152_000],
    [128, 354, 769_842, 354, 95, 772_572, 380, 671_892, 675_788, 98_304_000],
    [256, 283, 769_683, 283, 81, 773_860, 324, 573_358, 578_548, 196_608_000],
    [512, 165, 769_581, 165, 52, 769_360, 208, 376_530, 376_976, 393_216_000],
    [768, 71, 769_951, 71, 24, 771_936, 96, 180_198, 182_496, 589_824_000],
  ] as const;

  test("the target is the linear head", () => {
    expect(linearTarget({ inputDim: 768, outputDim: 1000 })).toBe(769_000n);
  });

  test.each(table)("N=%i", (n, cpR, cpParams, cpRank, trR3, trParams, trRank, cpMacs, trMacs, denseMacs) => {
    const [row] = expertRankComparison({ inputDim: 768, outputDim: 1000, experts: [n] });
    const cp = row!.cp;
    const t = row!.tr;
    if (!cp.feasible || !t.feasible) throw new Error("expected feasible");
    expect([cp.rank, cp.params, cp.maxExpertRank, cp.macsWithoutGate]).toEqual([cpR, BigInt(cpParams), cpRank, BigInt(cpMacs)]);
    expect([t.rank, t.params, t.maxExpertRank, t.macsWithoutGate]).toEqual([trR3, BigInt(trParams), trRank, BigInt(trMacs)]);
    expect(t.config.ranks).toEqual(tr([4, 4, trR3]));
    // The gate adds I·N MACs on top of the spec's "no gate" columns.
    expect(cp.macs - cp.macsWithoutGate).toBe(BigInt(768 * n));
    // Dense MoE column: N·I·O expert MACs.
    const dense = layerBudget({ kind: "dense", inputDim: 768, outputDim: 1000, nExperts: n });
    expect(dense.macsBreakdown.find((m) => m.name === "experts")!.macs).toBe(BigInt(denseMacs));
  });

  test("infeasibility: TR from N = 981; CP from N = 1002 (the spec says 1001, but 1001·768 < 769,000)", () => {
    const m = (kind: "cp" | "tr", n: number) => matchRank({ kind, inputDim: 768, outputDim: 1000, expertDims: [n] }, 769_000n);
    expect(m("tr", 980)).toMatchObject({ feasible: true, rank: 1 });
    expect(m("tr", 981).feasible).toBe(false);
    expect(m("tr", 2048).feasible).toBe(false);
    // finetune.py: ceil((769000 − 1001·768) / (769 + 1000 + 1001)) = ceil(232 / 2770) = 1, a valid rank-1 layer.
    expect(m("cp", 1001)).toMatchObject({ feasible: true, rank: 1, params: 771_538n });
    expect(m("cp", 1002).feasible).toBe(false);
    expect(m("cp", 4096).feasible).toBe(false);
  });
});

describe("MLP-Mixer S/16 blocks (N=64, two-layer μMoE, bias on)", () => {
  const block = (kind: "cp" | "tr", dim: number, hidden: number, rank: number): MuMoEConfig => ({
    kind,
    inputDim: dim,
    outputDim: hidden,
    secondDim: dim,
    expertDims: [64],
    ranks: kind === "cp" ? rank : tr([4, 4, rank]),
  });

  test("channel mix 512→2048→512", () => {
    expect(layerBudget({ kind: "linear", inputDim: 512, outputDim: 2048, secondDim: 512 }).params).toBe(2_099_712n);
    // Ranks from the code's width multipliers: CP int(512·0.75) = 384, TR R3 int(512·0.19) = 97.
    expect(layerBudget(block("cp", 512, 2048, 384)).params).toBe(2_048_768n);
    expect(layerBudget(block("tr", 512, 2048, 97)).params).toBe(2_022_152n);
    // The spec's worked sum for the channel-mix CP block.
    expect(layerBudget(block("cp", 512, 2048, 384)).params).toBe(32_768n + 384n * (64n + 513n + 2048n) + 384n * (64n + 2049n + 512n));
  });

  test("token mix 196→256→196", () => {
    expect(layerBudget({ kind: "linear", inputDim: 196, outputDim: 256, secondDim: 196 }).params).toBe(100_804n);
    // CP int(196·0.75) = 147, TR R3 int(196·0.19) = 37.
    expect(layerBudget(block("cp", 196, 256, 147)).params).toBe(164_542n);
    expect(layerBudget(block("tr", 196, 256, 37)).params).toBe(148_680n);
  });
});

describe("GPT-2 124M MLP blocks (768→3072→768, one LayerNorm of 1,536 included)", () => {
  const mu = (kind: "cp" | "tr", n: number, rank: number): MuMoEConfig => ({
    kind,
    inputDim: 768,
    outputDim: 3072,
    secondDim: 768,
    expertDims: [n],
    ranks: kind === "cp" ? rank : tr([4, 4, rank]),
    applyLn: true,
    normalization: "ln",
  });

  // Ranks from the code's width multipliers: int(768·0.78) = 599, int(768·0.725) = 556, int(768·0.2) = 153, int(768·0.195) = 149.
  test.each([
    ["baseline MLP", { kind: "linear", inputDim: 768, outputDim: 3072, secondDim: 768, applyLn: true } as const, 4_723_968n],
    ["CPμMoE N=64 R=599", mu("cp", 64, 599), 4_728_878n],
    ["CPμMoE N=256 R=556", mu("cp", 256, 556), 4_754_008n],
    ["TRμMoE N=64 R3=153", mu("tr", 64, 153), 4_754_120n],
    ["TRμMoE N=256 R3=149", mu("tr", 256, 149), 4_784_808n],
  ])("%s", (_, spec, params) => {
    expect(layerBudget(spec).params).toBe(params);
  });

  test("the LayerNorm counts 2I = 1,536", () => {
    expect(
      layerBudget(mu("cp", 64, 599))
        .parameters.filter((p) => p.name.startsWith("input_ln"))
        .reduce((a, p) => a + p.count, 0n),
    ).toBe(1536n);
  });

  test("dense MoE N=256 with the same two-layer shape: 1,209,139,200 (that figure already includes the 196,608 gating parameters, not the LN)", () => {
    const dense = layerBudget({ kind: "dense", inputDim: 768, outputDim: 3072, secondDim: 768, nExperts: 256 });
    expect(dense.params).toBe(1_209_139_200n);
    expect(dense.parameters.find((p) => p.name === "gate.weight")!.count).toBe(196_608n);
    expect(layerBudget({ kind: "dense", inputDim: 768, outputDim: 3072, secondDim: 768, nExperts: 256, applyLn: true }).params).toBe(
      1_209_140_736n,
    );
  });
});

describe("unit-test configuration of MuMoE_test.py (N=16, I=4, O=8)", () => {
  test("one level: CP R=16 and TR (4,4,4) both 528 = 464 factors + 64 gating", () => {
    const cp = layerBudget({ kind: "cp", inputDim: 4, outputDim: 8, expertDims: [16], ranks: 16 });
    const t = layerBudget({ kind: "tr", inputDim: 4, outputDim: 8, expertDims: [16], ranks: tr([4, 4, 4]) });
    for (const b of [cp, t]) {
      expect(b.params).toBe(528n);
      expect(b.parameters.filter((p) => p.name.startsWith("MuMoE.")).reduce((a, p) => a + p.count, 0n)).toBe(464n);
      expect(b.parameters.find((p) => p.name === "projs.0")!.count).toBe(64n);
    }
  });

  test("two levels (16, 2): CP and TR (4,4,4,4) both 568", () => {
    expect(layerBudget({ kind: "cp", inputDim: 4, outputDim: 8, expertDims: [16, 2], ranks: 16 }).params).toBe(568n);
    expect(layerBudget({ kind: "tr", inputDim: 4, outputDim: 8, expertDims: [16, 2], ranks: tr([4, 4, 4, 4]) }).params).toBe(568n);
  });
});

describe("fast vs naive FLOPs (spec §4.3: N=512, I=O=768, no bias, R=512)", () => {
  const b = layerBudget({ kind: "cp", inputDim: 768, outputDim: 768, expertDims: [512], ranks: 512, useBias: false });
  test("fast order: R(N+I+O)+R = 1,049,088 MACs (plus the I·N gate)", () => {
    const layer = b.macsBreakdown.filter((m) => m.name.startsWith("layer1")).reduce((a, m) => a + m.macs, 0n);
    expect(layer).toBe(1_049_088n);
    expect(b.macs).toBe(1_049_088n + 768n * 512n);
    expect(b.flops).toBe(2n * b.macs);
  });
  test("naive order: N·I·O·R reconstruction + N·I·O + N·O", () => {
    const get = (name: string) => b.naiveMacsBreakdown!.find((m) => m.name === name)!.macs;
    expect(get("layer1.reconstruct")).toBe(512n * 768n * 768n * 512n);
    expect(get("layer1.input")).toBe(512n * 768n * 768n);
    expect(get("layer1.mix")).toBe(512n * 768n);
    expect(Number(get("layer1.reconstruct"))).toBeCloseTo(1.55e11, -9);
    expect(Number(get("layer1.input"))).toBeCloseTo(3.0e8, -7);
  });
});
