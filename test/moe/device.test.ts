/**
 * DeviceMuMoE: the layer with resident weights on a backend equals `MuMoELayer.forward` (generated
 * configurations, on the CPU backend with the CPU layer operations) and reproduces the PyTorch
 * fixtures. The GPU backend runs the same class in the conformance cases (Node modes and Chromium).
 */
import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  ConfigError,
  CpuBackend,
  DeviceMuMoE,
  InvalidArgumentError,
  cpuLayerOps,
  createMuMoE,
  difference,
  muMoEFromSafetensors,
  randn,
  readSafetensors,
  type DenseTensor,
} from "../../src/index.js";
import { createGpuBackend } from "../../src/gpu/index.js";
import { arbInput, arbMuMoEConfig } from "../../src/testing/index.js";

const cpu = new CpuBackend({ kernels: "ts" });

/** max|a − b| / max(1, max|b|). */
function relErr(a: DenseTensor, b: DenseTensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    scale = Math.max(scale, Math.abs(y[i]!));
    worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  }
  return worst / scale;
}

describe("DeviceMuMoE", () => {
  test("equals MuMoELayer.forward on generated layers and inputs (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbMuMoEConfig().chain((config) => fc.tuple(fc.constant(config), arbInput(config), fc.nat())),
        async ([config, x, seed]) => {
          const layer = createMuMoE(config, { seed, init: "random" });
          const device = new DeviceMuMoE(layer, cpu, cpuLayerOps);
          const y = await device.forward(x);
          device.dispose();
          expect(relErr(y, layer.forward(x))).toBeLessThanOrEqual(1e-12);
        },
      ),
      { numRuns: 150 },
    );
  });

  const dir = new URL("../fixtures/mumoe-reference/", import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".safetensors"))
    .sort();
  test.each(files)("reproduces the PyTorch fixture %s", async (file) => {
    const f = readSafetensors(new Uint8Array(readFileSync(new URL(file, dir))), file);
    const layer = muMoEFromSafetensors(f, file);
    const device = new DeviceMuMoE(layer, cpu, cpuLayerOps);
    const y = await device.forward(f.tensors.get("input")!);
    expect(relErr(y, f.tensors.get("output")!)).toBeLessThanOrEqual(layer.dtype === "float32" ? 1e-5 : 1e-10);
    device.dispose();
  });

  test("top-k gates run on layer operations with keepTopK, the same as the host layer", async () => {
    const layer = createMuMoE(
      {
        kind: "tr",
        inputDim: 5,
        outputDim: 3,
        expertDims: [6, 2],
        ranks: [
          [2, null, 3],
          [3, null, 2],
          [2, null, 2],
          [2, null, 2],
        ],
      },
      { seed: 4, init: "random", topK: 3 },
    );
    const device = new DeviceMuMoE(layer, cpu, cpuLayerOps);
    const x = randn([7, 5], { seed: 5 });
    expect(difference(await device.forward(x), layer.forward(x)).maxAbs).toBeLessThan(1e-14);
    for (const g of layer.gates(x))
      for (let r = 0; r < 7; r++)
        expect([...g.toTypedArray().slice(r * g.shape[2]!, (r + 1) * g.shape[2]!)].filter((v) => v > 0).length).toBeLessThanOrEqual(3);
    device.dispose();
  });

  test("typed errors: topK layers, wrong inputs, use after dispose", async () => {
    const config = { kind: "cp" as const, inputDim: 4, outputDim: 3, expertDims: [5], ranks: 2 };
    const { keepTopK: _, ...withoutTopK } = cpuLayerOps;
    expect(() => new DeviceMuMoE(createMuMoE(config, { seed: 1, topK: 2 }), cpu, withoutTopK)).toThrow(ConfigError);
    const device = new DeviceMuMoE(createMuMoE(config, { seed: 1 }), cpu, cpuLayerOps);
    await expect(device.forward(randn([2, 5], { seed: 1 }))).rejects.toThrow(/\[B, 4\] or \[B, T, 4\]/);
    await expect(device.forward(randn([2, 4], { seed: 1, dtype: "float32" }))).rejects.toThrow(InvalidArgumentError);
    device.dispose();
    await expect(device.forward(randn([2, 4], { seed: 1 }))).rejects.toThrow(/disposed/);
  });
});

describe("MuMoELayer.forward on a given backend", () => {
  test("runs its gates, normalisations, bias column and GELU through the layer operations it is given", () => {
    const calls = new Map<string, number>();
    const spy = Object.fromEntries(
      Object.entries(cpuLayerOps).map(([k, f]) => [
        k,
        (...args: unknown[]) => {
          calls.set(k, (calls.get(k) ?? 0) + 1);
          return (f as (...a: unknown[]) => unknown)(...args);
        },
      ]),
    ) as unknown as typeof cpuLayerOps;
    const layer = createMuMoE(
      { kind: "cp", inputDim: 6, outputDim: 5, expertDims: [4, 3], ranks: 4, secondDim: 3, applyLn: true },
      { seed: 3, init: "random", topK: 2 },
    );
    const x = randn([3, 2, 6], { seed: 4 });
    const y = layer.forward(x, { backend: cpu, ops: spy });
    expect(difference(y, layer.forward(x)).maxAbs).toBe(0);
    // Two gate levels (BatchNorm, top-k, entmax-1.5 each), the input LayerNorm, two bias columns, one GELU.
    expect(Object.fromEntries(calls)).toEqual({ batchNormEval: 2, keepTopK: 2, entmax15: 2, layerNorm: 1, appendOnes: 2, gelu: 1 });
  });

  test("on the GPU backend (a software mode here) equals the CPU forward", async () => {
    const gpu = await createGpuBackend({ mode: "cpu" });
    try {
      const layer = createMuMoE(
        {
          kind: "tr",
          inputDim: 5,
          outputDim: 4,
          expertDims: [6],
          ranks: [
            [2, null, 3],
            [3, null, 2],
            [2, null, 2],
          ],
          normalization: "ln",
          act: "sparsemax",
        },
        { seed: 5, init: "random", dtype: "float32" },
      );
      const x = randn([4, 5], { seed: 6, dtype: "float32" });
      expect(relErr(layer.forward(x, { backend: gpu }), layer.forward(x))).toBeLessThan(1e-5);
      const before = gpu.memory().buffers;
      layer.forward(x, { backend: gpu });
      expect(gpu.memory().buffers).toBe(before);
    } finally {
      await gpu.dispose();
    }
  });

  test("a backend without layer operations is refused with a typed error", () => {
    const layer = createMuMoE({ kind: "cp", inputDim: 3, outputDim: 2, expertDims: [4], ranks: 2 }, { seed: 1 });
    const bare = { ...cpu, name: "bare", upload: (t: DenseTensor) => t, download: (t: DenseTensor) => t } as unknown as CpuBackend;
    expect(() => layer.forward(randn([2, 3], { seed: 1 }), { backend: bare })).toThrow(ConfigError);
  });
});
