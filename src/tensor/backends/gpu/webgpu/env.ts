/**
 * Finding WebGPU, and the workarounds Node needs, all in one place (docs/guides/gpu.md#webgpu-in-node):
 *
 * 1. Node has no `navigator`: the optional `webgpu` package (Dawn) is loaded lazily and its GPU
 *    object is installed as `navigator.gpu`, which is where gpu.js looks.
 * 2. gpu.js assigns `device.onuncapturederror`, which the `webgpu` binding rejects: every device
 *    handed out gets an own no-op accessor, and errors are collected with error scopes instead
 *    (see the backend's lane).
 * 3. (Loop caps) is handled by the code generator: every loop bound is a literal.
 *
 * A host whose C++ runtime cannot load the binary (Debian 12: `GLIBCXX_3.4.32` missing) or an
 * install without the package gets a reason string, never an exception.
 * @module
 */
import { isNode } from "../../../../kernels/pool.js";
import { firstLine, isMissingPackage } from "../load.js";
import type { WebGpuAdapter, WebGpuDevice, WebGpuGpu } from "../types.js";

/** The shape of the `webgpu` npm package's exports. */
export interface NodeWebGpuModule {
  create(flags: readonly string[]): WebGpuGpu;
  readonly globals?: Readonly<Record<string, unknown>>;
}

/** Where WebGPU was found, or why not. */
export type WebGpuLookup =
  | { readonly ok: true; readonly gpu: WebGpuGpu; readonly source: "navigator" | "webgpu-package" }
  | { readonly ok: false; readonly reason: string; readonly missingPackage?: string };

// The memoised result of loading the `webgpu` package: a dynamic import, done once per process
// like the module system itself would; the value found never changes.
let nodeLookup: Promise<WebGpuLookup> | undefined;

/**
 * Finds a WebGPU implementation: `navigator.gpu` (browsers, Deno, or one installed earlier), else in
 * Node the `webgpu` package. Never throws; a failure carries the reason.
 * @param loadModule - loads the `webgpu` package (replaceable for tests).
 */
export function findWebGpu(loadModule: () => Promise<NodeWebGpuModule> = importWebGpuPackage): Promise<WebGpuLookup> {
  const nav = (globalThis as { navigator?: { gpu?: WebGpuGpu } }).navigator;
  if (nav?.gpu) return Promise.resolve({ ok: true, gpu: nav.gpu, source: "navigator" });
  if (!isNode()) return Promise.resolve({ ok: false, reason: "this environment has no navigator.gpu (no WebGPU)" });
  nodeLookup ??= loadModule().then(
    (mod) => {
      try {
        const gpu = patchGpu(mod.create([]));
        installGlobals(mod.globals ?? {});
        return { ok: true, gpu, source: "webgpu-package" } as const;
      } catch (e) {
        return { ok: false, reason: `the 'webgpu' package failed to create a GPU object: ${firstLine(e)}` } as const;
      }
    },
    (e: unknown) => {
      if (isMissingPackage(e, "webgpu")) {
        return {
          ok: false,
          reason: "the optional 'webgpu' package is not installed (npm install webgpu)",
          missingPackage: "webgpu",
        } as const;
      }
      return { ok: false, reason: `the 'webgpu' package's native binary did not load: ${firstLine(e)}` } as const;
    },
  );
  return nodeLookup;
}

/** Forgets a cached Node lookup (tests). @internal */
export function resetWebGpuLookup(): void {
  nodeLookup = undefined;
}

async function importWebGpuPackage(): Promise<NodeWebGpuModule> {
  // A computed specifier: bundlers must not try to resolve this Node-only package.
  const name = "webgpu";
  return (await import(/* @vite-ignore */ name)) as NodeWebGpuModule;
}

/** Makes `gpu` visible to gpu.js as `navigator.gpu` (creating `navigator` in Node 20). */
export function installNavigatorGpu(gpu: WebGpuGpu): void {
  const g = globalThis as { navigator?: { gpu?: WebGpuGpu } };
  if (g.navigator?.gpu === gpu) return;
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
    return;
  }
  Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true, writable: true });
}

/** Copies the package's WebGPU globals (`GPUBufferUsage`, …) that are missing here. */
function installGlobals(globals: Readonly<Record<string, unknown>>): void {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(globals)) if (!(k in g)) g[k] = v;
}

/**
 * Wraps a GPU object so every device it hands out accepts `onuncapturederror` assignments (trap 2).
 * Native objects are wrapped, not modified, when they refuse new properties.
 */
export function patchGpu(raw: WebGpuGpu): WebGpuGpu {
  const requestAdapter: WebGpuGpu["requestAdapter"] = async (options) => {
    const adapter = await raw.requestAdapter(options);
    return adapter === null ? null : patchAdapter(adapter);
  };
  return forward(raw, { requestAdapter });
}

function patchAdapter(adapter: WebGpuAdapter): WebGpuAdapter {
  const requestDevice: WebGpuAdapter["requestDevice"] = async (descriptor) => patchDevice(await adapter.requestDevice(descriptor));
  return forward(adapter, { requestDevice });
}

/** Gives `device` an own no-op `onuncapturederror` accessor (or wraps it when that is refused). */
export function patchDevice(device: WebGpuDevice): WebGpuDevice {
  const accessor = { get: (): null => null, set: (): void => {}, configurable: true, enumerable: false };
  try {
    Object.defineProperty(device, "onuncapturederror", accessor);
    (device as unknown as { onuncapturederror: unknown }).onuncapturederror = () => {};
    return device;
  } catch {
    return forward(device, {}, { onuncapturederror: accessor });
  }
}

/**
 * A proxy that answers `overrides` itself and forwards everything else to `target`, calling native
 * getters and methods with the real object as `this` (a proxy receiver makes them throw).
 */
function forward<T extends object>(
  target: T,
  overrides: Partial<T>,
  accessors: Record<string, { get(): unknown; set(v: unknown): void }> = {},
): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return (overrides as Record<PropertyKey, unknown>)[prop];
      if (typeof prop === "string" && Object.hasOwn(accessors, prop)) return accessors[prop]!.get();
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
    set(t, prop, value) {
      if (typeof prop === "string" && Object.hasOwn(accessors, prop)) {
        accessors[prop]!.set(value);
        return true;
      }
      return Reflect.set(t, prop, value, t);
    },
  });
}
