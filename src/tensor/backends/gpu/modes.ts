/**
 * Which gpu.js modes can run here, and which one to use. The automatic choice tries
 * `webgpu` → `webgl2` → `headlessgl` → `cpu` and records why each earlier mode was passed over.
 * @module
 */
import { GpuError, InvalidArgumentError, MissingPackageError } from "../../../errors.js";
import { isNode } from "../../../kernels/pool.js";
import { firstLine, isMissingPackage } from "./load.js";
import { GPU_MODES, type GpuJsLib, type GpuMode, type WebGpuAdapter, type WebGpuAdapterInfo, type WebGpuGpu } from "./types.js";
import { findWebGpu, type NodeWebGpuModule } from "./webgpu/env.js";

/** Whether one mode can run here, and why (not). @category GPU */
export interface GpuModeReport {
  readonly mode: GpuMode;
  readonly available: boolean;
  readonly reason: string;
  /** The optional npm package this mode needs and that is not installed (`webgpu` or `gl`). */
  readonly missingPackage?: string;
}

/** The WebGPU adapter, as `multilinear gpu info` prints it. @category GPU */
export interface GpuAdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for a software adapter (e.g. SwiftShader in headless Chromium). */
  readonly isFallbackAdapter: boolean;
}

/** The result of probing every mode. */
export interface GpuProbe {
  readonly modes: readonly GpuModeReport[];
  /** The WebGPU adapter when `webgpu` is available. */
  readonly adapter: GpuAdapterReport | null;
  /** The WebGPU implementation found (internal: the backend installs it for gpu.js). */
  readonly webgpu: WebGpuGpu | null;
}

/** A mode request: one mode, or `"auto"`. @category GPU */
export type GpuModeRequest = GpuMode | "auto";

/** The order `"auto"` tries (`webasm` only runs when asked for by name). @category GPU */
export const AUTO_ORDER: readonly GpuMode[] = ["webgpu", "webgl2", "headlessgl", "cpu"];

/** Options of {@link probeGpuModes}. */
export interface ProbeOptions {
  /** Loads the `webgpu` package in Node (replaceable for tests). */
  readonly loadWebGpu?: () => Promise<NodeWebGpuModule>;
  /** Only probe these modes (the others are reported as not probed). */
  readonly only?: readonly GpuMode[];
}

/** Probes every gpu.js mode. Never throws for an unavailable mode: the report says why. */
export async function probeGpuModes(lib: GpuJsLib, options: ProbeOptions = {}): Promise<GpuProbe> {
  const want = (m: GpuMode): boolean => options.only === undefined || options.only.includes(m);
  const modes: GpuModeReport[] = [];
  let adapter: GpuAdapterReport | null = null;
  let webgpu: WebGpuGpu | null = null;
  for (const mode of GPU_MODES) {
    if (!want(mode)) {
      modes.push({ mode, available: false, reason: "not probed" });
      continue;
    }
    switch (mode) {
      case "webgpu": {
        const r = await probeWebGpu(options.loadWebGpu);
        modes.push(r.report);
        adapter = r.adapter;
        webgpu = r.gpu;
        break;
      }
      case "webgl2":
        modes.push(probeWebGl2(lib));
        break;
      case "headlessgl":
        modes.push(await probeHeadlessGl(lib));
        break;
      case "webasm":
        modes.push(
          safe(() => lib.GPU.isWebAssemblySupported)
            ? { mode, available: true, reason: "WebAssembly runs here (gpu.js kernels compiled to WebAssembly, on the CPU)" }
            : { mode, available: false, reason: "this engine has no WebAssembly (SIMD)" },
        );
        break;
      case "cpu":
        modes.push({ mode, available: true, reason: "always available (gpu.js kernels as plain JavaScript, on the CPU)" });
        break;
    }
  }
  return { modes, adapter, webgpu };
}

/**
 * Picks the mode to run on.
 * @throws {@link MissingPackageError} when a mode asked for by name needs a package that is not installed.
 * @throws {@link GpuError} when a mode asked for by name is unavailable for another reason (given).
 * @throws {@link InvalidArgumentError} for an unknown mode name.
 */
export function selectGpuMode(probe: GpuProbe, request: GpuModeRequest = "auto"): { readonly mode: GpuMode; readonly reason: string } {
  if (request !== "auto") {
    if (!GPU_MODES.includes(request)) {
      throw new InvalidArgumentError(`unknown GPU mode '${String(request)}'`, `use one of: auto, ${GPU_MODES.join(", ")}`);
    }
    const r = probe.modes.find((m) => m.mode === request)!;
    if (!r.available) {
      if (r.missingPackage !== undefined) throw new MissingPackageError(r.missingPackage, `GPU mode '${request}'`);
      throw new GpuError(
        `GPU mode '${request}' is not available here: ${r.reason}`,
        "use mode 'auto' (falls back to the next mode that runs) or the cpu backend",
      );
    }
    return { mode: request, reason: `requested; ${r.reason}` };
  }
  const skipped: string[] = [];
  for (const mode of AUTO_ORDER) {
    const r = probe.modes.find((m) => m.mode === mode)!;
    if (r.available) {
      const why = skipped.length ? `passed over ${skipped.join("; ")}; ` : "";
      return { mode, reason: `auto: ${why}chose ${mode}: ${r.reason}` };
    }
    skipped.push(`${mode} (${r.reason})`);
  }
  return { mode: "cpu", reason: "auto: cpu" };
}

/** Parses a mode name from the command line or options. @category GPU */
export function parseGpuMode(name: string): GpuModeRequest {
  if (name === "auto" || (GPU_MODES as readonly string[]).includes(name)) return name as GpuModeRequest;
  throw new InvalidArgumentError(`unknown GPU mode '${name}'`, `use one of: auto, ${GPU_MODES.join(", ")}`);
}

async function probeWebGpu(
  load: (() => Promise<NodeWebGpuModule>) | undefined,
): Promise<{ report: GpuModeReport; adapter: GpuAdapterReport | null; gpu: WebGpuGpu | null }> {
  const found = await findWebGpu(load);
  if (!found.ok) {
    const report = {
      mode: "webgpu",
      available: false,
      reason: found.reason,
      ...(found.missingPackage ? { missingPackage: found.missingPackage } : {}),
    } as const;
    return { report, adapter: null, gpu: null };
  }
  let ad: WebGpuAdapter | null;
  try {
    ad = await found.gpu.requestAdapter();
  } catch (e) {
    return { report: { mode: "webgpu", available: false, reason: `requestAdapter() failed: ${firstLine(e)}` }, adapter: null, gpu: null };
  }
  if (ad === null) {
    const hint = isNode() ? "no Vulkan/Metal/D3D12 driver found" : "in Chromium, start it with --enable-unsafe-webgpu";
    return {
      report: { mode: "webgpu", available: false, reason: `navigator.gpu exists but requestAdapter() returned no adapter (${hint})` },
      adapter: null,
      gpu: null,
    };
  }
  const adapter = describeAdapter(ad);
  const what = [adapter.vendor, adapter.architecture, adapter.description].filter((s) => s).join(" / ") || "unnamed adapter";
  const via = found.source === "webgpu-package" ? " through the 'webgpu' package" : "";
  const reason = `adapter ${what}${adapter.isFallbackAdapter ? " (software fallback adapter)" : ""}${via}`;
  return { report: { mode: "webgpu", available: true, reason }, adapter, gpu: found.gpu };
}

/** Reads an adapter's description (fields missing on older implementations become ""). */
export function describeAdapter(ad: WebGpuAdapter): GpuAdapterReport {
  const info: WebGpuAdapterInfo = safe(() => ad.info) ?? {};
  return {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    description: info.description ?? "",
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? safe(() => ad.isFallbackAdapter)),
  };
}

function probeWebGl2(lib: GpuJsLib): GpuModeReport {
  if (typeof (globalThis as { document?: unknown }).document === "undefined") {
    return { mode: "webgl2", available: false, reason: "WebGL2 needs a browser page (in Node use headlessgl)" };
  }
  return safe(() => lib.GPU.isWebGL2Supported)
    ? { mode: "webgl2", available: true, reason: "a WebGL2 context with float textures" }
    : { mode: "webgl2", available: false, reason: "no usable WebGL2 context (getContext('webgl2') failed or float textures are missing)" };
}

async function probeHeadlessGl(lib: GpuJsLib): Promise<GpuModeReport> {
  if (!isNode()) return { mode: "headlessgl", available: false, reason: "headlessgl runs only in Node" };
  try {
    const name = "gl";
    await import(/* @vite-ignore */ name);
  } catch (e) {
    if (isMissingPackage(e, "gl"))
      return {
        mode: "headlessgl",
        available: false,
        reason: "the optional 'gl' package is not installed (npm install gl)",
        missingPackage: "gl",
      };
    return { mode: "headlessgl", available: false, reason: `the 'gl' package did not load: ${firstLine(e)}` };
  }
  return safe(() => lib.GPU.isHeadlessGLSupported)
    ? { mode: "headlessgl", available: true, reason: "headless-gl created an OpenGL context" }
    : {
        mode: "headlessgl",
        available: false,
        reason: "the 'gl' package could not create a context (it needs a display: run under xvfb-run)",
      };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
