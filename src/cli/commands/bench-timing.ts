/**
 * Shared pieces of the `bench gemm` / `bench einsum` sub-commands: option parsing for the CPU
 * backend, median timing, and the fields and text form of their result lines.
 * @module
 */
import { CpuBackend, type CpuKernels } from "../../tensor/backends/cpu/backend.js";
import { CliUsageError, intOption, positiveIntOption } from "../command.js";

/** Fewest timed runs the sub-commands accept (the median of at least this many). */
export const MIN_REPEATS = 5;

/** Builds the CPU backend from `--threads` / `--kernels` and waits for its worker pool. */
export async function benchBackend(threads: string | undefined, kernels: string | undefined): Promise<CpuBackend> {
  const t = threads === undefined ? undefined : positiveIntOption(threads, "threads");
  if (kernels !== undefined && kernels !== "auto" && kernels !== "wasm" && kernels !== "ts") {
    throw new CliUsageError(`--kernels must be auto, wasm or ts, got '${kernels}'`);
  }
  const backend = new CpuBackend({ ...(t === undefined ? {} : { threads: t }), kernels: (kernels ?? "auto") as CpuKernels });
  await backend.ready();
  return backend;
}

/** Runs `fn` once to warm up, then `repeats` times; returns the median wall time in ms. */
export function medianMs(fn: () => unknown, repeats: number): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  return samples.length % 2 === 1 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
}

/** `--repeats`, at least {@link MIN_REPEATS}. */
export function repeatsOption(value: string | undefined): number {
  const r = intOption(value, "repeats", 7);
  if (r < MIN_REPEATS) throw new CliUsageError(`--repeats must be at least ${MIN_REPEATS}, got ${r}`);
  return r;
}

/** The fields every CPU `bench` result line has, in the order its JSON prints them. */
export interface CpuBenchRecord {
  readonly dtype: string;
  readonly threads: number;
  readonly kernels: string;
  /** WebAssembly build (`simd128` or `relaxed-simd`), or `none` on TypeScript kernels. */
  readonly variant: string;
  readonly median_ms: number;
  readonly gflops: number;
}

/** The {@link CpuBenchRecord} of `flops` floating-point operations taking `ms` milliseconds on `backend`. */
export function cpuBenchRecord(backend: CpuBackend, dtype: string, ms: number, flops: number): CpuBenchRecord {
  return {
    dtype,
    threads: backend.activeThreads,
    kernels: backend.kernels,
    variant: backend.wasmVariant ?? "none",
    median_ms: ms,
    gflops: flops / (ms * 1e6),
  };
}

/** `kernels[/variant] threads=T: ms, GFLOP/s`, the text form of a {@link CpuBenchRecord}. */
export function formatCpuBench(r: CpuBenchRecord): string {
  return `${r.kernels}${r.variant === "none" ? "" : `/${r.variant}`} threads=${r.threads}: ${r.median_ms.toFixed(2)} ms, ${r.gflops.toFixed(2)} GFLOP/s`;
}
