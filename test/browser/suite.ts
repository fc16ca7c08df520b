/**
 * The page side of `npm run test:browser`: runs the GPU backend's conformance cases in one gpu.js
 * mode and returns a report. Bundled by scripts/test-browser.mjs with the library itself imported
 * from the package's browser bundle.
 */
import { CpuBackend } from "../../src/index.js";
import { createGpuBackend, type GpuBackendInfo, type GpuModeRequest } from "../../src/gpu/index.js";
import { runCases } from "../tensor/backends/gpu/cases.js";

/** What the runner asks for. */
export interface SuiteConfig {
  readonly mode: GpuModeRequest;
  readonly quick: boolean;
  readonly gemm?: "auto" | "wgsl" | "gpujs";
  /** Only cases whose name contains one of these. */
  readonly only?: readonly string[];
}

/** What the page answers. */
export interface SuiteReport {
  readonly config: SuiteConfig;
  readonly ok: boolean;
  readonly ms: number;
  readonly info?: GpuBackendInfo;
  readonly results: readonly { name: string; ok: boolean; detail: string; ms: number }[];
  readonly error?: string;
}

/** The μMoE reference fixtures, served by the runner under /fixtures/mumoe-reference/. */
async function fixtures(): Promise<ReadonlyMap<string, Uint8Array>> {
  const names = (await (await fetch("/fixtures/mumoe-reference/")).json()) as string[];
  const out = new Map<string, Uint8Array>();
  for (const n of names) out.set(n, new Uint8Array(await (await fetch(`/fixtures/mumoe-reference/${n}`)).arrayBuffer()));
  return out;
}

declare global {
  interface Window {
    runSuite(config: SuiteConfig): Promise<SuiteReport>;
  }
}

window.runSuite = async (config) => {
  const t0 = performance.now();
  try {
    const gpu = await createGpuBackend({ mode: config.mode, ...(config.gemm ? { gemm: config.gemm } : {}) });
    const cpu = new CpuBackend();
    try {
      const results = await runCases(
        { gpu, cpu, quick: config.quick, makeBackend: (o) => createGpuBackend({ mode: config.mode, ...o }), fixtures },
        config.only ? (c) => config.only!.some((s) => c.name.includes(s)) : undefined,
      );
      return { config, ok: results.length > 0 && results.every((r) => r.ok), ms: performance.now() - t0, info: gpu.info, results };
    } finally {
      await gpu.dispose();
      cpu.dispose();
    }
  } catch (e) {
    return {
      config,
      ok: false,
      ms: performance.now() - t0,
      results: [],
      error: e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e),
    };
  }
};
