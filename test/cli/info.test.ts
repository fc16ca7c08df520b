/**
 * `multilinear info` on files written by numpy (the golden einsum operands) and by the library.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { tensor, writeSafetensors } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { EINSUM_FIXTURES, fixtureBytes, goldenCases } from "../helpers/golden.js";

const dir = mkdtempSync(join(tmpdir(), "multilinear-info-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface InfoJson {
  file: string;
  format: string;
  tensors: { name: string; dtype: string; shape: number[]; fortranOrder?: boolean }[];
  metadata: Record<string, string>;
}

const operands = goldenCases().flatMap((c) => c.operands.map((f, k) => ({ file: f, info: c.operandInfo[k]! })));

describe("multilinear info on numpy-written .npy files", () => {
  test("covers every operand file", () => {
    expect(operands.length).toBeGreaterThan(100);
  });

  test("reports numpy's dtype, shape and order for each operand", async () => {
    for (const { file, info } of operands) {
      const r = await runCli("info", join(EINSUM_FIXTURES, file), "--json");
      expect(r.code, file).toBe(0);
      const j = JSON.parse(r.stdout) as InfoJson;
      expect(j.format).toBe("npy v1.0");
      expect(j.tensors).toHaveLength(1);
      expect(j.tensors[0]!.shape, file).toEqual(info.shape);
      expect(j.tensors[0]!.dtype, file).toBe(info.descr);
      expect(j.tensors[0]!.fortranOrder ?? false, file).toBe(info.fortran);
    }
  });

  test("text output", async () => {
    const r = await runCli("info", join(EINSUM_FIXTURES, "npy/fortran_0.npy"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fortran_0\.npy: npy v1\.0, 1 tensor\n {2}\(array\) {2}<f8 {5}\[3, 4\] {2}\(Fortran order\)\n$/);
  });
});

describe("multilinear info on .safetensors", () => {
  test("lists tensors sorted by name, with dtypes, shapes and metadata", async () => {
    const f = join(dir, "model.safetensors");
    writeFileSync(f, writeSafetensors({ w: tensor([[1, 2, 3]]), b: { tensor: tensor([1, 2]), dtype: "I64" } }, { author: "test" }));
    const r = await runCli("info", f, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as InfoJson;
    expect(j.format).toBe("safetensors");
    expect(j.tensors).toEqual([
      { name: "b", dtype: "I64", shape: [2] },
      { name: "w", dtype: "F64", shape: [1, 3] },
    ]);
    expect(j.metadata).toEqual({ author: "test" });
    const text = await runCli("info", f);
    expect(text.stdout).toBe(`${f}: safetensors, 2 tensors\n  b     I64     [2]\n  w     F64     [1, 3]\n  metadata: author\n`);
  });
});

describe("multilinear info rejects bad files with one line and exit code 2", () => {
  const expectOneLine = (r: { code: number; stderr: string }, pattern: RegExp): void => {
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^multilinear info: /);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).toContain("(fix: ");
  };

  test("missing argument", async () => {
    expectOneLine(await runCli("info"), /missing the file/);
  });

  test("missing file", async () => {
    expectOneLine(await runCli("info", join(dir, "nope.npy")), /no such file/);
  });

  test("a .npy file without the magic says so", async () => {
    const f = join(dir, "text.npy");
    writeFileSync(f, "this is not numpy data at all");
    expectOneLine(await runCli("info", f), /does not start with the \.npy magic/);
  });

  test("a truncated .npy", async () => {
    const f = join(dir, "cut.npy");
    writeFileSync(f, fixtureBytes("npy/matmul_0.npy").subarray(0, 100));
    expectOneLine(await runCli("info", f), /cut\.npy: .*truncated/);
  });

  test("a safetensors file whose offsets overlap", async () => {
    const header = JSON.stringify({
      a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      b: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
    });
    const bytes = new Uint8Array(8 + header.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    const f = join(dir, "overlap.safetensors");
    writeFileSync(f, bytes);
    expectOneLine(await runCli("info", f), /overlaps/);
  });
});
