/**
 * DeviceMuMoE: the layer with resident weights on a backend equals `MuMoELayer.forward` (generated
 * configurations, on the CPU backend with the CPU layer operations) and reproduces the PyTorch
 * fixtures. The GPU backend runs the same class in the conformance cases (Node modes and Chromium).
 */
import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ConfigError, CpuBackend, DeviceMuMoE, InvalidArgumentError, cpuLayerOps, createMuMoE, muMoEFromSafetensors, randn, readSafetensors, type DenseTensor } from "../../src/index.js";
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
  const files = readdirSync(dir).filter((f) => f.endsWith(".safetensors")).sort();
  test.each(files)("reproduces the PyTorch fixture %s", async (file) => {
    const f = readSafetensors(new Uint8Array(readFileSync(new URL(file, dir))), file);
    const layer = muMoEFromSafetensors(f, file);
    const device = new DeviceMuMoE(layer, cpu, cpuLayerOps);
    const y = await device.forward(f.tensors.get("input")!);
    expect(relErr(y, f.tensors.get("output")!)).toBeLessThanOrEqual(layer.dtype === "float32" ? 1e-5 : 1e-10);
    device.dispose();
  });

  test("typed errors: topK layers, wrong inputs, use after dispose", async () => {
    const config = { kind: "cp" as const, inputDim: 4, outputDim: 3, expertDims: [5], ranks: 2 };
    expect(() => new DeviceMuMoE(createMuMoE(config, { seed: 1, topK: 2 }), cpu, cpuLayerOps)).toThrow(ConfigError);
    const device = new DeviceMuMoE(createMuMoE(config, { seed: 1 }), cpu, cpuLayerOps);
    await expect(device.forward(randn([2, 5], { seed: 1 }))).rejects.toThrow(/\[B, 4\] or \[B, T, 4\]/);
    await expect(device.forward(randn([2, 4], { seed: 1, dtype: "float32" }))).rejects.toThrow(InvalidArgumentError);
    device.dispose();
    await expect(device.forward(randn([2, 4], { seed: 1 }))).rejects.toThrow(/disposed/);
  });
});
