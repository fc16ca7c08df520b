/** The gpu.js modes that run in this Node process (cpu and webasm at least; webgpu/headlessgl where present). */
import { afterAll, beforeAll } from "vitest";
import { CpuBackend } from "../../../../src/index.js";
import { createGpuBackend, type GpuBackend, type GpuMode } from "../../../../src/gpu/index.js";
import { loadGpuJs } from "../../../../src/tensor/backends/gpu/load.js";
import { probeGpuModes } from "../../../../src/tensor/backends/gpu/modes.js";

export async function nodeModes(): Promise<GpuMode[]> {
  const probe = await probeGpuModes(await loadGpuJs());
  return probe.modes.filter((m) => m.available).map((m) => m.mode);
}

/**
 * A GPU backend in `mode` for the enclosing describe block (created before its tests, disposed after),
 * and a CPU backend to compare with. Read `gpu()` inside tests.
 */
export function useBackends(mode: GpuMode): { gpu: () => GpuBackend; cpu: CpuBackend } {
  let gpu: GpuBackend | undefined;
  beforeAll(async () => {
    gpu = await createGpuBackend({ mode });
  });
  afterAll(async () => {
    await gpu?.dispose();
  });
  return { gpu: () => gpu!, cpu: new CpuBackend() };
}
