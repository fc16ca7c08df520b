/** The gpu.js modes that run in this Node process (cpu and webasm at least; webgpu/headlessgl where present). */
import type { GpuMode } from "../../../../src/index.js";
import { loadGpuJs } from "../../../../src/tensor/backends/gpujs/load.js";
import { probeGpuModes } from "../../../../src/tensor/backends/gpujs/modes.js";

export async function nodeModes(): Promise<GpuMode[]> {
  const probe = await probeGpuModes(await loadGpuJs());
  return probe.modes.filter((m) => m.available).map((m) => m.mode);
}
