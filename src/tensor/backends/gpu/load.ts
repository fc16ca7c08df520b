/**
 * Loads gpu.js lazily, so programs that never touch the GPU backend never load it. In Node the
 * package's CommonJS build is imported; a bundler targeting browsers picks its browser build, which
 * exposes everything as static members of the `GPU` class.
 * @module
 */
import { GpuError } from "../../../errors.js";
import type { GpuJsLib } from "./types.js";

// The memoised dynamic import of gpu.js (once per process, as the module system would); the module
// is immutable and every backend makes its own GPU instance from it.
let loading: Promise<GpuJsLib> | undefined;

/**
 * The gpu.js module (cached after the first call).
 * @throws {@link GpuError} when gpu.js cannot be loaded.
 */
export function loadGpuJs(): Promise<GpuJsLib> {
  loading ??= import("gpu.js").then(
    (mod: unknown) => normalize(mod),
    (e: unknown) => {
      loading = undefined;
      throw new GpuError(`gpu.js could not be loaded: ${firstLine(e)}`, "install it with `npm install gpu.js` (it is a dependency of multilinear)");
    },
  );
  return loading;
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

/** The first line of an error's message. */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0]!.trim();
}
