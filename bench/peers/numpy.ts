/**
 * Runs numpy as a benchmark peer in a subprocess, on the same data (written as .npy files).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readNpy, writeNpy, type DenseTensor } from "../../src/index.js";
import { repoRoot } from "../harness.js";

/** One case for the numpy peer. */
export interface NumpyCase {
  readonly id: string;
  readonly equation: string;
  readonly operands: readonly DenseTensor[];
  readonly repeats?: number;
  /** Use `a @ b` instead of einsum (plain GEMM). */
  readonly matmul?: boolean;
  /** numpy's path search: `true` (its default) or `"optimal"` (found once, outside the timing). */
  readonly optimize?: true | "optimal";
  /** Return numpy's result too (to cross-check). */
  readonly wantOutput?: boolean;
}

/** numpy's timing of one case. */
export interface NumpyResult {
  readonly medianMs: number;
  readonly minMs: number;
  readonly output?: DenseTensor;
}

/** numpy's version and timings, or undefined when python3 with numpy is not available. */
export interface NumpyRun {
  readonly version: string;
  readonly blas: string;
  readonly results: ReadonlyMap<string, NumpyResult>;
}

/** Times the cases with numpy, single-threaded BLAS unless `threads` says otherwise. */
export function runNumpy(cases: readonly NumpyCase[], threads = 1): NumpyRun | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ml-bench-"));
  try {
    const spec = {
      cases: cases.map((c) => ({
        id: c.id,
        equation: c.equation,
        matmul: c.matmul ?? false,
        optimize: c.optimize ?? true,
        repeats: c.repeats ?? 5,
        files: c.operands.map((x, k) => {
          const f = path.join(dir, `${c.id}-${k}.npy`);
          writeFileSync(f, writeNpy(x));
          return f;
        }),
        out: c.wantOutput ? path.join(dir, `${c.id}-out.npy`) : undefined,
      })),
    };
    const specFile = path.join(dir, "spec.json");
    writeFileSync(specFile, JSON.stringify(spec));
    const env = {
      ...process.env,
      OPENBLAS_NUM_THREADS: String(threads),
      OMP_NUM_THREADS: String(threads),
      MKL_NUM_THREADS: String(threads),
    };
    const r = spawnSync("python3", [path.join(repoRoot(), "bench", "peers", "numpy_einsum.py"), specFile], {
      env,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0) return undefined;
    const json = JSON.parse(r.stdout) as {
      numpy: string;
      blas: string;
      results: Record<string, { median_ms: number; min_ms: number; out?: string }>;
    };
    const results = new Map<string, NumpyResult>();
    for (const [id, v] of Object.entries(json.results)) {
      results.set(id, {
        medianMs: v.median_ms,
        minMs: v.min_ms,
        ...(v.out ? { output: readNpy(new Uint8Array(readFileSync(v.out))) } : {}),
      });
    }
    return { version: json.numpy, blas: json.blas, results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
