import { describe, expect, test } from "vitest";
import { createGpuBackend } from "../../../../src/gpu/index.js";
import { ERROR_SCOPE_CASE, GPU_CASES, MODE_CASE, type CaseContext } from "./cases.js";
import { nodeModes, useBackends } from "./modes-here.js";

const modes = await nodeModes();

/** The conformance cases on every gpu.js mode this Node process runs (cpu and webasm at least; webgpu on a GPU host). */
describe.each(modes)("GPU backend conformance, gpu.js mode %s", (mode) => {
  const { gpu, cpu } = useBackends(mode);
  const ctx = (): CaseContext => ({ gpu: gpu(), cpu, quick: false, makeBackend: (o) => createGpuBackend({ mode, ...o }) });
  for (const c of [...GPU_CASES, ERROR_SCOPE_CASE, MODE_CASE]) {
    test.skipIf(c.modes !== undefined && !c.modes.includes(mode))(c.name, async () => {
      const note = await c.run(ctx());
      expect(typeof note).toBe("string");
    });
  }
});
