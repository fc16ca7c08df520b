/**
 * `multilinear contract` on the .npy files numpy wrote for the golden einsum cases.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { difference, readNpy } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { npyFile } from "../fuzz/cases.js";
import { EINSUM_FIXTURES, fixtureBytes, goldenCases } from "../helpers/golden.js";

const dir = mkdtempSync(join(tmpdir(), "multilinear-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = goldenCases();
const path = (relative: string): string => join(EINSUM_FIXTURES, relative);
const file = (name: string): string => path(`npy/${name}.npy`);

function tolerance(descr: string): { rtol: number; atol: number } {
  if (/[iub]/.test(descr)) return { rtol: 0, atol: 0 };
  if (descr.endsWith("f4")) return { rtol: 1e-5, atol: 1e-6 };
  return { rtol: 1e-12, atol: 1e-13 };
}

/** Exit code 2 and exactly one line on stderr that says what and how to fix. */
function expectOneLineError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr.endsWith("\n")).toBe(true);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(/^multilinear contract: /);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).toContain("(fix: ");
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe("multilinear contract on numpy-written files", () => {
  const runnable = cases.filter((c) => c.equation !== undefined && c.expectError === undefined);

  test("covers the string-form golden cases", () => {
    expect(runnable.length).toBeGreaterThanOrEqual(60);
  });

  test.each(runnable.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    const out = join(dir, `${c.name}.npy`);
    const r = await runCli("contract", c.equation!, ...c.operands.map(path), "-o", out, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { shape: number[]; dtype: string; path: number[][]; flops: string; seconds: number };
    const want = readNpy(fixtureBytes(c.result), c.result);
    const got = readNpy(new Uint8Array(readFileSync(out)), out);
    expect(summary.shape).toEqual(want.shape);
    expect(got.shape).toEqual(want.shape);
    expect(summary.dtype).toBe(c.operandInfo.some((o) => o.descr.endsWith("f4")) ? "float32" : "float64");
    expect(got.dtype).toBe(summary.dtype);
    expect(summary.flops).toMatch(/^\d+$/);
    expect(summary.path.length).toBe(Math.max(1, c.operands.length - 1));
    expect(summary.seconds).toBeGreaterThanOrEqual(0);
    expect(difference(got, want, tolerance(c.resultDescr)).mismatches).toBe(0);
  });

  test("without -o the result is printed numpy-style; --json has the full values", async () => {
    const r = await runCli("contract", "ij,jk->ik", file("matmul_0"), file("matmul_1"));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ij,jk->ik {2}shape \[3, 5\] float64 {2}flops 120 /);
    expect(lines.slice(1)).toHaveLength(3);
    expect(lines[1]).toMatch(/^\[\[/);
    const want = readNpy(fixtureBytes("npy/matmul_out.npy"));
    const j = await runCli("contract", "ij,jk->ik", file("matmul_0"), file("matmul_1"), "--json");
    expect((JSON.parse(j.stdout) as { values: unknown }).values).toEqual(want.toArray());
  });

  test("mixed float32/float64 operands are computed in float64, numpy's upcast", async () => {
    const c = cases.find((x) => x.name === "mixed_f4_f8")!;
    const promoted = join(dir, "mixed-promoted.npy");
    const p = await runCli("contract", c.equation!, ...c.operands.map(path), "-o", promoted, "--json");
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).dtype).toBe("float64");
    const want = readNpy(fixtureBytes(c.result));
    expect(difference(readNpy(new Uint8Array(readFileSync(promoted))), want, { rtol: 1e-12, atol: 1e-13 }).mismatches).toBe(0);
    const out = join(dir, "mixed.npy");
    const r = await runCli("contract", c.equation!, ...c.operands.map(path), "--dtype", "float64", "-o", out);
    expect(r.code).toBe(0);
    const got = readNpy(new Uint8Array(readFileSync(out)));
    expect(difference(got, readNpy(fixtureBytes(c.result)), { rtol: 1e-6, atol: 1e-7 }).mismatches).toBe(0);
  });

  test("integer .npy operands are read as float64; int64 beyond 2^53 is refused", async () => {
    const i8 = (values: bigint[]): Uint8Array => {
      const b = new Uint8Array(values.length * 8);
      values.forEach((v, i) => new DataView(b.buffer).setBigInt64(i * 8, v, true));
      return b;
    };
    const a = join(dir, "int16.npy");
    writeFileSync(
      a,
      npyFile("{'descr': '<i2', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(new Int16Array([1, -2, 3, 4]).buffer)),
    );
    const b = join(dir, "int64.npy");
    writeFileSync(b, npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i8([5n, 2n ** 40n])));
    const r = await runCli("contract", "ij,j->i", a, b, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.split("\n")[0]!).dtype).toBe("float64");
    const out = join(dir, "int.npy");
    await runCli("contract", "ij,j->i", a, b, "-o", out);
    expect(readNpy(new Uint8Array(readFileSync(out))).toArray()).toEqual([5 - 2 * 2 ** 40, 15 + 4 * 2 ** 40]);
    const big = join(dir, "int64-big.npy");
    writeFileSync(big, npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i8([5n, 2n ** 53n + 1n])));
    expectOneLineError(await runCli("contract", "ij,j->i", a, big), /int64 element 1 is 9007199254740993, beyond 2\^53/);
  });

  test("--dtype float32 converts float64 operands", async () => {
    const r = await runCli("contract", "ij,jk", file("matmul_0"), file("matmul_1"), "--dtype", "float32", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).dtype).toBe("float32");
  });

  test("--optimize picks a registered optimizer and names the valid ones otherwise", async () => {
    const ok = await runCli(
      "contract",
      "ab,bc,cd,de,ef,fg->ag",
      ...Array.from({ length: 6 }, (_, k) => file(`chain6_${k}`)),
      "--optimize",
      "sequential",
      "--json",
    );
    expect(ok.code).toBe(0);
    const steps = (JSON.parse(ok.stdout) as { path: number[][] }).path.map((s) => [...s].sort((a, b) => a - b));
    expect(steps).toEqual([
      [0, 1],
      [0, 4],
      [0, 3],
      [0, 2],
      [0, 1],
    ]);
    const bad = await runCli("contract", "ij,jk", file("matmul_0"), file("matmul_1"), "--optimize", "nonesuch");
    expectOneLineError(bad, /unknown optimizer 'nonesuch'.*greedy/);
  });

  test("--help", async () => {
    const r = await runCli("contract", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: multilinear contract/);
  });
});

describe("multilinear contract rejects bad input with one line and exit code 2", () => {
  test("missing equation", async () => {
    expectOneLineError(await runCli("contract"), /missing the equation/);
  });

  test("no operand files", async () => {
    expectOneLineError(await runCli("contract", "ij->i"), /no operand files/);
  });

  test("a file that does not exist", async () => {
    expectOneLineError(await runCli("contract", "ij->i", join(dir, "absent.npy")), /absent\.npy: no such file/);
  });

  test("a truncated file", async () => {
    const f = join(dir, "truncated.npy");
    const bytes = fixtureBytes("npy/matmul_0.npy");
    writeFileSync(f, bytes.subarray(0, bytes.length - 8));
    expectOneLineError(await runCli("contract", "ij->i", f), /truncated\.npy: .*needs 96 data bytes but the file has 88/);
  });

  test("wrong operand count", async () => {
    expectOneLineError(await runCli("contract", "ij,jk", file("matmul_0")), /2 input terms but 1 operand was given/);
  });

  test("conflicting sizes", async () => {
    expectOneLineError(
      await runCli("contract", "ij,ij", file("matmul_0"), file("matmul_1")),
      /label 'i' has size 3 in operand 0 but size 4 in operand 1/,
    );
  });

  test("wrong rank", async () => {
    expectOneLineError(await runCli("contract", "ijk", file("matmul_0")), /operand 0 has 2 axes but its term "ijk" needs 3/);
  });

  test("unknown option", async () => {
    expectOneLineError(await runCli("contract", "--bogus"), /Unknown option '--bogus'/);
  });

  test("a syntax error shows the caret under the offending character", async () => {
    const r = await runCli("contract", "ij,j>k", file("matmul_0"), file("matmul_1"));
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("multilinear contract: '>' without a preceding '-'");
    const eqLine = lines[1]!;
    const caretLine = lines[2]!;
    expect(eqLine.trim()).toBe("ij,j>k");
    expect(caretLine.indexOf("^")).toBe(eqLine.indexOf(">"));
    expect(r.stderr).toContain("(fix: write the output after '->')");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
