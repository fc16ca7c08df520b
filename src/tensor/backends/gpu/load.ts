/**
 * Loads gpu.js lazily, so programs that never touch the GPU backend never load it. gpu.js is an
 * optional peer dependency of multilinear: when it is not installed, the GPU backend says how to
 * install it. In Node the package's CommonJS build is imported; a bundler targeting browsers picks
 * its browser build, which exposes everything as static members of the `GPU` class.
 * @module
 */
import { GpuError, MissingPackageError } from "../../../errors.js";
import type { GpuJsLib } from "./types.js";

// The memoised dynamic import of gpu.js (once per process, as the module system would); the module
// is immutable and every backend makes its own GPU instance from it.
let loading: Promise<GpuJsLib> | undefined;

const importGpuJs = (): Promise<unknown> => import("gpu.js");

/**
 * The gpu.js module (cached after the first call).
 * @param importModule - imports the package (replaceable for tests; an injected one is not cached).
 * @throws {@link MissingPackageError} when gpu.js is not installed.
 * @throws {@link GpuError} when it is installed but cannot be loaded.
 */
export function loadGpuJs(importModule?: () => Promise<unknown>): Promise<GpuJsLib> {
  if (importModule) return importModule().then(normalize, loadFailure);
  loading ??= importGpuJs().then(normalize, (e: unknown) => {
    loading = undefined;
    return loadFailure(e);
  });
  return loading;
}

function loadFailure(e: unknown): never {
  if (isMissingPackage(e, "gpu.js")) throw new MissingPackageError("gpu.js", "the GPU backend (multilinear/gpu)");
  throw new GpuError(`gpu.js could not be loaded: ${firstLine(e)}`, "reinstall it with `npm install gpu.js`");
}

function normalize(mod: unknown): GpuJsLib {
  const m = mod as { GPU?: unknown; default?: unknown };
  // Node: named exports (or everything under `default`); browser build: `default` is the GPU class carrying the rest.
  for (const cand of [m, m.default, (m.default as { GPU?: unknown } | undefined)?.GPU]) {
    const c = cand as Partial<GpuJsLib> | undefined;
    if (c && typeof c.GPU === "function") return c as GpuJsLib;
  }
  throw new GpuError("the loaded gpu.js module has no GPU class", "check that the installed gpu.js is version 2.24 or later");
}

/**
 * True when `e` is the module loader saying that package `name` itself is not installed (not one of
 * its own dependencies, and not a binary that fails to load).
 */
export function isMissingPackage(e: unknown, name: string): boolean {
  const msg = firstLine(e);
  const code = (e as { code?: unknown } | null)?.code;
  const notFound = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || /Cannot find (package|module)/.test(msg);
  return notFound && (msg.includes(`'${name}'`) || msg.includes(`"${name}"`));
}

/** The first line of an error's message. */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0]!.trim();
}
