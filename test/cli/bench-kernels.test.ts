import { describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false });
  return { code, out, err };
}

describe("multilinear bench gemm / einsum", () => {
  test("gemm --json reports the documented fields", async () => {
    const r = await run(["bench", "gemm", "--n", "40", "--dtype", "float64", "--threads", "2", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j).sort()).toEqual(["dtype", "gflops", "kernels", "median_ms", "n", "threads", "variant"]);
    expect(j).toMatchObject({ n: 40, dtype: "float64", kernels: "wasm" });
    expect(j.median_ms as number).toBeGreaterThan(0);
    expect(j.gflops as number).toBeGreaterThan(0);
  });

  test("einsum --json reports time, rate and the linear path", async () => {
    const r = await run(["bench", "einsum", "bi,ir,or->bo", "--shapes", "[[8,12],[12,5],[7,5]]", "--kernels", "ts", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { path: number[][]; median_ms: number; gflops: number; kernels: string };
    expect(j.path).toHaveLength(2);
    expect(j.kernels).toBe("ts");
    expect(j.median_ms).toBeGreaterThan(0);
  });

  test("bad options exit with code 2 and one line", async () => {
    for (const argv of [
      ["bench", "gemm"],
      ["bench", "gemm", "--n", "0"],
      ["bench", "gemm", "--n", "8", "--repeats", "2"],
      ["bench", "gemm", "--n", "8", "--kernels", "gpu"],
      ["bench", "einsum", "ij,jk->ik"],
      ["bench", "einsum", "ij,jk->ik", "--shapes", "[[2,3],[4,5]]"],
      ["bench", "einsum", "ij,jk->ik", "--shapes", "nope"],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(" ")).toBe(2);
    }
  });
});
