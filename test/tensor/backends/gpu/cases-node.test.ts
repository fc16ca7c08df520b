import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { createGpuBackend } from "../../../../src/gpu/index.js";
import { ERROR_SCOPE_CASE, GPU_CASES, MODE_CASE, type CaseContext } from "./cases.js";
import { nodeModes, useBackends } from "./modes-here.js";

const modes = await nodeModes();

const fixtureDir = new URL("../../../fixtures/mumoe-reference/", import.meta.url);
async function readFixtures(): Promise<ReadonlyMap<string, Uint8Array>> {
  const names = readdirSync(fixtureDir)
    .filter((f) => f.endsWith(".safetensors"))
    .sort();
  return new Map(names.map((n) => [n, new Uint8Array(readFileSync(new URL(n, fixtureDir)))]));
}

/**
 * The conformance cases on every gpu.js mode this Node process runs (cpu and webasm at least; webgpu on a GPU host).
 * Cases limited to other modes (the WGSL GEMM and the WebGPU error scopes need `webgpu`) are not registered
 * where that mode is absent: they run for real in headless Chromium, `npm run test:browser`
 * (scripts/test-browser.mjs, WebGPU on SwiftShader), and here on a host whose Node has a WebGPU adapter.
 */
describe.each(modes)("GPU backend conformance, gpu.js mode %s", (mode) => {
  const { gpu, cpu } = useBackends(mode);
  const ctx = (): CaseContext => ({
    gpu: gpu(),
    cpu,
    quick: false,
    makeBackend: (o) => createGpuBackend({ mode, ...o }),
    fixtures: readFixtures,
  });
  for (const c of [...GPU_CASES, ERROR_SCOPE_CASE, MODE_CASE].filter((c) => c.modes === undefined || c.modes.includes(mode))) {
    test(c.name, async () => {
      const note = await c.run(ctx());
      expect(typeof note).toBe("string");
    });
  }
});

describe("device buffer ids", () => {
  test("each backend counts its own buffers (no process-wide counter): a second backend repeats the first's ids", async () => {
    const { tensor } = await import("../../../../src/index.js");
    const ids = async (): Promise<number[]> => {
      const backend = await createGpuBackend({ mode: "cpu" });
      try {
        return [backend.upload(tensor([1, 2], { dtype: "float32" })), backend.upload(tensor([3], { dtype: "float32" }))].map(
          (t) => t.buffer.id,
        );
      } finally {
        backend.dispose();
      }
    };
    const first = await ids();
    expect(first[1]).toBe(first[0]! + 1);
    expect(await ids()).toEqual(first);
  });
});
