/**
 * `createGpuBackend`: loads gpu.js, probes the modes, picks one (or takes the one asked for), opens
 * it and checks it with a small kernel before handing it out.
 * @module
 */
import { GpuError, InvalidArgumentError } from "../../../errors.js";
import { DenseTensor } from "../../dense.js";
import { GpuBackend, type GpuBackendInfo } from "./backend.js";
import { MAX_KERNEL_INDEX } from "./codegen.js";
import { firstLine, loadGpuJs } from "./load.js";
import { parseGpuMode, probeGpuModes, selectGpuMode, type GpuModeRequest, type GpuProbe } from "./modes.js";
import { GpuRuntime } from "./runtime.js";
import type { GpuJsLib, GpuMode } from "./types.js";
import { installNavigatorGpu, type NodeWebGpuModule } from "./webgpu/env.js";
import { WgslKernels, type GemmTileChoice } from "./webgpu/wgsl.js";
import { validateTile } from "./webgpu/wgsl-source.js";

/** Options of {@link createGpuBackend}. @category GPU */
export interface GpuBackendOptions {
  /** A gpu.js mode, or `"auto"` (default): `webgpu` → `webgl2` → `headlessgl` → `cpu`. */
  readonly mode?: GpuModeRequest;
  /** Convert float64 input to float32 instead of refusing it (results are float32). Default false. */
  readonly downcast?: boolean;
  /**
   * Batched matrix products in `webgpu` mode: `"auto"` (default) runs the tiled WGSL GEMM when both
   * matrix sides are ≥ 8 and a gpu.js kernel (one thread per output) otherwise; `"wgsl"` always the
   * WGSL GEMM; `"gpujs"` always gpu.js. Other modes always use gpu.js.
   */
  readonly gemm?: "auto" | "wgsl" | "gpujs";
  /** Tile of the WGSL GEMM (default `"auto"`: 128×128 blocks for large products, 64×64 for small). */
  readonly gemmTile?: GemmTileChoice;
  /** @internal Loads the `webgpu` package in Node (replaceable for tests). */
  readonly loadWebGpu?: () => Promise<NodeWebGpuModule>;
  /** @internal Imports the `gpu.js` package (replaceable for tests). */
  readonly importGpuJs?: () => Promise<unknown>;
}

/**
 * Creates a GPU backend. With `mode: "auto"` a mode that fails to open is reported and the next
 * one is tried; a mode asked for by name must work.
 * @throws {@link MissingPackageError} when the optional package `gpu.js` is not installed (`npm install gpu.js`),
 * or a mode asked for by name needs one that is not (`webgpu` in Node: `npm install webgpu`).
 * @throws {@link GpuError} when the requested mode cannot run here (the message says why).
 * @example
 * ```ts
 * import { einsumAsync, tensor } from "multilinear";
 * import { createGpuBackend } from "multilinear/gpu";
 * const gpu = await createGpuBackend({ mode: "cpu" });
 * const a = tensor([[1, 2], [3, 4]], { dtype: "float32" });
 * (await einsumAsync("ij,jk->ik", [a, a], { backend: gpu })).toArray(); // => [[7, 10], [15, 22]]
 * gpu.info.selected; // => "cpu"
 * await gpu.dispose();
 * ```
 * @category GPU
 */
export async function createGpuBackend(options: GpuBackendOptions = {}): Promise<GpuBackend> {
  const request = options.mode === undefined ? "auto" : parseGpuMode(options.mode);
  if (options.gemm !== undefined && !["auto", "wgsl", "gpujs"].includes(options.gemm)) {
    throw new InvalidArgumentError(`unknown gemm '${String(options.gemm)}'`, "use 'auto', 'wgsl' or 'gpujs'");
  }
  if (options.gemmTile !== undefined && options.gemmTile !== "auto") validateTile(options.gemmTile);
  const lib = await loadGpuJs(options.importGpuJs);
  let probe = await probeGpuModes(lib, {
    ...(options.loadWebGpu ? { loadWebGpu: options.loadWebGpu } : {}),
    ...(request === "auto" ? {} : { only: [request] }),
  });
  for (;;) {
    const sel = selectGpuMode(probe, request);
    try {
      return await open(lib, probe, sel.mode, sel.reason, options);
    } catch (e) {
      if (request !== "auto" || sel.mode === "cpu") throw e;
      probe = {
        ...probe,
        modes: probe.modes.map((m) => (m.mode === sel.mode ? { ...m, available: false, reason: `failed to open: ${firstLine(e)}` } : m)),
      };
    }
  }
}

/** Probes the modes and reports what `createGpuBackend` would choose, without keeping a backend. @category GPU */
export async function gpuInfo(options: Pick<GpuBackendOptions, "mode" | "loadWebGpu" | "importGpuJs"> = {}): Promise<GpuBackendInfo> {
  const gpu = await createGpuBackend(options);
  try {
    return gpu.info;
  } finally {
    await gpu.dispose();
  }
}

async function open(lib: GpuJsLib, probe: GpuProbe, mode: GpuMode, reason: string, options: GpuBackendOptions): Promise<GpuBackend> {
  let wgsl: WgslKernels | undefined;
  let context;
  let maxElements = MAX_KERNEL_INDEX - 1;
  if (mode === "webgpu") {
    if (!probe.webgpu || !lib.WebGPUContext) throw new GpuError("WebGPU was probed but is not at hand", "report this as a bug");
    installNavigatorGpu(probe.webgpu);
    context = await lib.WebGPUContext.acquire();
    wgsl = new WgslKernels(context.device, options.gemmTile ?? "auto");
    const lim = context.device.limits;
    maxElements = Math.floor(Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize) / 4);
  }
  const gpu = new lib.GPU({ mode });
  const runtime = new GpuRuntime(lib, gpu, mode, context, wgsl);
  const info: GpuBackendInfo = {
    modes: probe.modes,
    selected: mode,
    reason,
    adapter: mode === "webgpu" ? probe.adapter : null,
    gemm: mode !== "webgpu" || options.gemm === "gpujs" ? "gpujs" : options.gemm === "wgsl" ? "wgsl-always" : "wgsl",
    software: mode === "cpu" || mode === "webasm" || (mode === "webgpu" && (probe.adapter?.isFallbackAdapter ?? false)),
  };
  const backend = new GpuBackend({ runtime, info, downcast: options.downcast ?? false, maxElements });
  try {
    await smokeTest(backend);
  } catch (e) {
    await backend.dispose().catch(() => undefined);
    throw new GpuError(`gpu.js mode '${mode}' failed its self-test: ${firstLine(e)}`, "use another mode, or the cpu backend");
  }
  return backend;
}

/** A sum over an axis and a product, checked exactly: a broken mode fails here, not in user code. */
async function smokeTest(backend: GpuBackend): Promise<void> {
  const x = backend.upload(new DenseTensor(new Float32Array([1, 2, 3, 4, 5, 6]), [1, 2, 3]));
  const s = backend.sumAxes(x, [2]);
  const xt = backend.permute(x, [0, 2, 1]);
  const p = backend.batchedMatmul(x, xt);
  const [sum, prod] = [await backend.downloadAsync(s), await backend.downloadAsync(p)];
  for (const t of [x, xt, s, p]) backend.release(t);
  const got = [...sum.toTypedArray(), ...prod.toTypedArray()];
  const want = [6, 15, 14, 32, 32, 77];
  if (got.length !== want.length || got.some((v, i) => v !== want[i]))
    throw new Error(`computed [${got.join(", ")}] instead of [${want.join(", ")}]`);
}
