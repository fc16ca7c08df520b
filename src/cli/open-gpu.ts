/**
 * The GPU backend for a CLI command, from the `multilinear/gpu` entry, imported only when a command
 * asks for the GPU (it needs gpu.js).
 * @module
 */
import type { GpuBackend } from "../gpu/index.js";

/** Opens the GPU backend in the gpu.js mode named by `mode` (`--mode`/`--gpu-mode`; default auto). */
export async function openGpuBackend(mode: string | undefined): Promise<GpuBackend> {
  const { createGpuBackend, parseGpuMode } = await import("../gpu/index.js");
  return createGpuBackend({ mode: parseGpuMode(mode ?? "auto") });
}
