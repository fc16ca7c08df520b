import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";

/**
 * The relaxed-SIMD (fused multiply-add) build only validates on engines that ship relaxed SIMD
 * (Node ≥ 22). On Node 20 V8 has it behind a flag, so this runs a child process with the flag and
 * checks that build against float64 dot products, across thread counts.
 */
const script = `
import { KernelRuntime } from "./src/kernels/runtime.js";
import { wasmBatchedMatmul } from "./src/kernels/gemm.js";
import { randn } from "./src/index.js";
const report = [];
for (const dtype of ["float32", "float64"]) {
  const rts = [1, 3].map((threads) => KernelRuntime.create({ threads, variant: "relaxed-simd" }));
  if (rts.some((r) => !r)) { console.log(JSON.stringify({ unavailable: true })); process.exit(0); }
  await Promise.all(rts.map((r) => r.ready));
  for (const [B, M, K, N] of [[1, 1, 1, 1], [2, 37, 301, 45], [1, 150, 260, 530]]) {
    const a = randn([B, K, M], { seed: 1, dtype }).permute([0, 2, 1]);
    const b = randn([B, K, N], { seed: 2, dtype });
    const [c1, c3] = rts.map((r) => wasmBatchedMatmul(r, a, b, 3));
    // The oracle reads C-order copies (element access through get() made it most of this test's time).
    const A = Float64Array.from(a.toTypedArray());
    const Bf = Float64Array.from(b.toTypedArray());
    let worst = 0;
    for (let q = 0; q < B; q++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0, m = 0;
      for (let k = 0; k < K; k++) { const p = A[(q * M + i) * K + k] * Bf[(q * K + k) * N + j]; s += p; m += Math.abs(p); }
      worst = Math.max(worst, Math.abs(c1[(q * M + i) * N + j] - s) / Math.max(m, 1e-30) / (K + 2));
    }
    report.push({ dtype, shape: [B, M, K, N], worst, same: c1.every((v, i) => v === c3[i]), threads: rts[1].activeThreads });
  }
  rts.forEach((r) => r.dispose());
}
console.log(JSON.stringify({ variant: KernelRuntime.create({ threads: 1, variant: "relaxed-simd" }).variant, report }));
`;

describe("relaxed-SIMD kernels", () => {
  test("match float64 dot products and are bit-identical across thread counts", () => {
    const r = spawnSync(process.execPath, ["--experimental-wasm-relaxed-simd", "--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.stderr.replace(/^npm warn.*$/gm, "").trim()).toBe("");
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
      unavailable?: boolean;
      variant: string;
      report: { dtype: "float32" | "float64"; worst: number; same: boolean; threads: number }[];
    };
    expect(out.unavailable).toBeUndefined();
    expect(out.variant).toBe("relaxed-simd");
    for (const row of out.report) {
      expect(row.worst).toBeLessThanOrEqual(row.dtype === "float32" ? 2 ** -23 : 2 ** -52);
      expect(row.same).toBe(true);
      expect(row.threads).toBe(3);
    }
  });
});
