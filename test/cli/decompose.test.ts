/**
 * `multilinear decompose` recovers planted low-rank tensors written by numpy; `reconstruct` reads the
 * factors back.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { frobenius, readNpy, type DenseTensor } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "multilinear-decompose-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string): string => new URL(`../fixtures/decomp/${name}.npy`, import.meta.url).pathname;
const load = (path: string): DenseTensor => readNpy(new Uint8Array(readFileSync(path)));
const rel = (a: DenseTensor, b: DenseTensor): number => {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - y[i]!) ** 2;
  return Math.sqrt(s) / frobenius(b);
};

describe("multilinear decompose / reconstruct", () => {
  test.each([
    ["cp", "planted_cp3_10x12x14", ["--rank", "3", "--tol", "1e-14", "--max-iter", "1000"], [3]],
    ["tr", "planted_tr2342_6x5x4x6", ["--ranks", "2,3,4,2", "--tol", "1e-14", "--max-iter", "500"], [2, 3, 4, 2, 2]],
    ["tt", "planted_tt23_7x6x5", ["--tol", "1e-12"], [1, 2, 3, 1]],
  ] as const)("%s recovers %s and reconstruct reads it back", async (method, name, args, ranks) => {
    const out = join(dir, `${name}.safetensors`);
    const r = await runCli("decompose", method, fixture(name), ...args, "-o", out, "--json");
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      method: string;
      ranks: number[];
      rel_error: number;
      iterations: number;
      params: string;
      seconds: number;
    };
    expect(report.method).toBe(method);
    expect(report.ranks).toEqual(ranks);
    expect(report.rel_error).toBeLessThan(1e-8);
    expect(Number(report.params)).toBeGreaterThan(0);
    const npy = join(dir, `${name}.npy`);
    expect((await runCli("reconstruct", out, "-o", npy)).code).toBe(0);
    expect(rel(load(npy), load(fixture(name)))).toBeLessThan(1e-8);
  });
  test("TensorLy's d+1 rank form is accepted", async () => {
    const r = await runCli("decompose", "tt", fixture("planted_tt23_7x6x5"), "--ranks", "1,2,3,1", "--json");
    expect(JSON.parse(r.stdout).ranks).toEqual([1, 2, 3, 1]);
  });
  test("bad input: one line, exit code 2", async () => {
    for (const argv of [
      ["decompose", "cp", fixture("planted_cp3_10x12x14"), "--rank", "0"],
      ["decompose", "tr", fixture("planted_tr2342_6x5x4x6"), "--ranks", "2,3"],
      ["decompose", "xx", fixture("planted_cp3_10x12x14")],
      ["decompose", "cp", fixture("planted_cp3_10x12x14")],
      ["reconstruct", fixture("planted_cp3_10x12x14"), "-o", join(dir, "x.npy")],
    ]) {
      const r = await runCli(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });
});
