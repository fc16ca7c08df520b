/**
 * `multilinear/gpu`: the GPU backend, on gpu.js (WebGPU, WebGL2, headless GL, WebAssembly or plain
 * JavaScript kernels) with a tiled WGSL GEMM in WebGPU mode. Its device-resident tensors run the same
 * plans as the CPU backend through the backend-generic `executePlanAsync`, `einsumAsync`,
 * `DeviceMuMoE` and `LayerOps` of the core entry.
 *
 * A separate entry because its packages are large and optional: `gpu.js` (an optional peer
 * dependency, `npm install gpu.js`) is loaded when {@link createGpuBackend} first runs, and in Node
 * the WebGPU mode also needs `webgpu` (`npm install webgpu`). When one is missing the backend throws
 * a {@link MissingPackageError} whose hint is the install command. `import "multilinear"` loads
 * neither.
 * @example
 * ```ts
 * import { einsumAsync, tensor } from "multilinear";
 * import { createGpuBackend } from "multilinear/gpu";
 * const gpu = await createGpuBackend({ mode: "cpu" });
 * const a = tensor([[1, 2], [3, 4]], { dtype: "float32" });
 * (await einsumAsync("ij,ji->", [a, a], { backend: gpu })).item(); // => 29
 * await gpu.dispose();
 * ```
 * @module multilinear/gpu
 */
// The errors the GPU backend throws (the same classes as the core entry's).
export { BackendLimitError, GpuError, InvalidArgumentError, MissingPackageError } from "../errors.js";
export { createGpuBackend, gpuInfo, type GpuBackendOptions } from "../tensor/backends/gpu/create.js";
export { GpuBackend, type GpuBackendInfo } from "../tensor/backends/gpu/backend.js";
export { GpuTensor, DeviceBuffer } from "../tensor/backends/gpu/tensor.js";
export type { GpuMemoryStats } from "../tensor/backends/gpu/runtime.js";
export { parseGpuMode, AUTO_ORDER, type GpuModeReport, type GpuAdapterReport, type GpuModeRequest } from "../tensor/backends/gpu/modes.js";
export type { ViewLayout } from "../tensor/backends/gpu/codegen.js";
export { GPU_MODES, type GpuMode } from "../tensor/backends/gpu/types.js";
export {
  gemmWgsl,
  copyWgsl,
  validateTile,
  LARGE_TILE,
  SMALL_TILE,
  COPY_MAX_NDIM,
  type GemmTile,
} from "../tensor/backends/gpu/webgpu/wgsl-source.js";
export type { GemmTileChoice } from "../tensor/backends/gpu/webgpu/wgsl.js";
