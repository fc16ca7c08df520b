/**
 * `multilinear mumoe check` passes on every public fixture; `mumoe run` writes the layer's output.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { readNpy, readSafetensors, writeNpy } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";

const dir = new URL("../fixtures/mumoe-reference/", import.meta.url).pathname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".safetensors"))
  .sort();
const tmp = mkdtempSync(join(tmpdir(), "multilinear-mumoe-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("multilinear mumoe", () => {
  test.each(files)("check %s", async (file) => {
    const r = await runCli("mumoe", "check", join(dir, file), "--json");
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { layer: string; dtype: string; max_abs_err: number; max_rel_err: number; ok: boolean };
    expect(report.ok).toBe(true);
    expect(report.max_rel_err).toBeLessThan(report.dtype === "float32" ? 1e-5 : 1e-10);
  });
  test("run writes the output for an .npy input", async () => {
    const f = readSafetensors(new Uint8Array(readFileSync(join(dir, "tr_h2_entmax_nobias_ln_2layer_tokens.safetensors"))));
    const x = join(tmp, "x.npy");
    writeFileSync(x, writeNpy(f.tensors.get("input")!));
    const y = join(tmp, "y.npy");
    const r = await runCli("mumoe", "run", join(dir, "tr_h2_entmax_nobias_ln_2layer_tokens.safetensors"), x, "-o", y);
    expect(r.code, r.stderr).toBe(0);
    const out = readNpy(new Uint8Array(readFileSync(y)));
    expect(out.shape).toEqual([4, 2, 8]);
    const ref = f.tensors.get("output")!.toTypedArray();
    out.toTypedArray().forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-12));
  });
  test("bad input: one line, exit code 2", async () => {
    for (const argv of [
      ["mumoe", "check"],
      ["mumoe", "frob", "x"],
      ["mumoe", "run", join(dir, files[0]!)],
      ["mumoe", "check", join(tmp, "missing.safetensors")],
    ]) {
      const r = await runCli(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });
});
