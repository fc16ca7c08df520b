/** `multilinear gpu info|bench` and `contract --backend gpu` through the CLI entry point. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";
import { randn, saveNpy, loadNpy, einsum } from "../../src/index.js";
import { GPU_MODES } from "../../src/gpu/index.js";

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "multilinear-gpu-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("multilinear gpu info", () => {
  test("--json lists every mode with a reason and the selection", async () => {
    const r = await run("gpu", "info", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.modes.map((m: { mode: string }) => m.mode)).toEqual([...GPU_MODES]);
    for (const m of j.modes) expect(m.reason.length).toBeGreaterThan(5);
    expect(j.modes.find((m: { mode: string }) => m.mode === "cpu").available).toBe(true);
    expect(GPU_MODES).toContain(j.selected);
    expect(j.reason).toMatch(/^auto: /);
    expect(j).toHaveProperty("adapter");
    expect(typeof j.software).toBe("boolean");
  });

  test("text output, a named mode, and a mode that cannot run (exit 2 with the reason)", async () => {
    const t = await run("gpu", "info", "--mode", "webasm");
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/selected: webasm \(software/);
    const bad = await run("gpu", "info", "--mode", "webgl2");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/'webgl2' is not available here: WebGL2 needs a browser/);
    expect((await run("gpu", "info", "--mode", "vulkan")).err).toMatch(/unknown GPU mode 'vulkan'/);
  });

  test("help for the command and its sub-commands", async () => {
    expect((await run("gpu", "--help")).out).toMatch(/info .*\n.*bench/);
    expect((await run("gpu", "info", "--help")).out).toMatch(/usage: multilinear gpu info/);
    expect((await run("gpu", "bench", "--help")).out).toMatch(/PyTorch/);
    expect((await run("gpu", "frobnicate")).code).toBe(2);
  });
});

describe("multilinear contract --backend gpu", () => {
  test("equals the CPU result and names the backend", async () => {
    const a = randn([3, 5], { seed: 1, dtype: "float32" });
    const b = randn([5, 4], { seed: 2, dtype: "float32" });
    await saveNpy(join(dir, "a.npy"), a);
    await saveNpy(join(dir, "b.npy"), b);
    const r = await run(
      "contract",
      "ij,jk->ki",
      join(dir, "a.npy"),
      join(dir, "b.npy"),
      "--backend",
      "gpu",
      "--gpu-mode",
      "cpu",
      "-o",
      join(dir, "c.npy"),
      "--json",
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ shape: [4, 3], dtype: "float32", backend: "gpujs:cpu" });
    const got = (await loadNpy(join(dir, "c.npy"))).toTypedArray();
    const ref = einsum("ij,jk->ki", [a, b]).toTypedArray();
    for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(ref[i]!)));
  });

  test("float64 operands are refused with the fix, and --dtype float32 runs them", async () => {
    await saveNpy(join(dir, "d.npy"), randn([2, 2], { seed: 3 }));
    const r = await run("contract", "ij->ji", join(dir, "d.npy"), "--backend", "gpu", "--gpu-mode", "cpu");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/computes in float32 .*float64/);
    expect((await run("contract", "ij->ji", join(dir, "d.npy"), "--backend", "gpu", "--gpu-mode", "cpu", "--dtype", "float32")).code).toBe(
      0,
    );
    expect((await run("contract", "ij->ji", join(dir, "d.npy"), "--backend", "tpu")).err).toMatch(/unknown backend 'tpu'/);
  });
});

describe("multilinear gpu bench", () => {
  test("runs small sizes in a software mode, checks its GEMM, writes JSON and a table that says it is software", async () => {
    const out = join(dir, "bench.json");
    const r = await run(
      "gpu",
      "bench",
      "--mode",
      "cpu",
      "--gemm-sizes",
      "24,40",
      "--cp",
      "5:12:10:6:3",
      "--repeats",
      "3",
      "--no-torch",
      "--out",
      out,
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/SOFTWARE, not a GPU measurement/);
    expect(r.out).toMatch(/PyTorch: not measured \(skipped \(--no-torch\)\)/);
    const j = JSON.parse(readFileSync(out, "utf8"));
    expect(j.backend.selected).toBe("cpu");
    expect(j.gemm.map((g: { n: number }) => g.n)).toEqual([24, 40]);
    for (const g of j.gemm) {
      expect(g.ms).toBeGreaterThan(0);
      expect(g.check).toBeLessThan(1e-5);
      expect(g.torch_fp32_ms).toBeNull();
    }
    expect(j.cp[0]).toMatchObject({ b: 5, i: 12, o: 10, n: 6, r: 3, latency_ratio_vs_torch: null });
    expect(j.cp[0].softmax_ms).toBeGreaterThan(0);
    expect(j.torch.error).toMatch(/--no-torch/);
  });

  const python = spawnSync("python3", ["-c", "import json"]).status === 0;
  test.skipIf(!python)("the PyTorch peer script parses and reports a missing torch (or CUDA) instead of failing", async () => {
    const out = join(dir, "bench-torch.json");
    const r = await run("gpu", "bench", "--mode", "cpu", "--gemm-sizes", "8", "--cp", "none", "--repeats", "1", "--out", out);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(out, "utf8"));
    if (j.torch.error !== undefined) expect(j.torch.error).toMatch(/torch is not importable|cuda\.is_available\(\) is False/);
    else expect(j.gemm[0].torch_fp32_ms).toBeGreaterThan(0);
  });

  test("bad sizes are usage errors", async () => {
    expect((await run("gpu", "bench", "--cp", "1:2:3", "--no-torch")).err).toMatch(/not b:i:o:n:r/);
    expect((await run("gpu", "bench", "--gemm-sizes", "0", "--no-torch")).err).toMatch(/not a positive integer/);
    expect((await run("gpu", "bench", "--gemm-tiles", "128x128", "--no-torch")).err).toMatch(/not bm×bn×bk\/tm×tn/);
    expect((await run("gpu", "bench", "--gemm-tiles", "128x128x8/8x2", "--no-torch")).err).toMatch(/tile .* is not usable/);
  });
});
