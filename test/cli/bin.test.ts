/**
 * The executable itself, as a subprocess: exit codes and stderr for bad input (one line, no stack trace).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { EINSUM_FIXTURES } from "../helpers/golden.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(join(tmpdir(), "multilinear-bin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `src/cli/bin.ts` under tsx, as `npx tsx src/cli/bin.ts …` would. */
function bin(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "src/cli/bin.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const npy = (name: string): string => join(EINSUM_FIXTURES, "npy", `${name}.npy`);

describe("the multilinear executable", () => {
  test("contracts numpy files and exits 0", () => {
    const r = bin("contract", "ij,jk->ik", npy("matmul_0"), npy("matmul_1"), "--json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).shape).toEqual([3, 5]);
  });

  test.each([
    [
      "a corrupted file",
      (): string[] => {
        const f = join(dir, "garbage.npy");
        writeFileSync(f, new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 200, 0, 0x7b]));
        return ["contract", "ij->i", f];
      },
      /garbage\.npy: header claims 200 bytes/,
    ],
    [
      "a shape mismatch",
      (): string[] => ["contract", "ij,ij->", npy("matmul_0"), npy("matmul_1")],
      /label 'i' has size 3 in operand 0 but size 4 in operand 1/,
    ],
    ["an unknown command", (): string[] => ["nonesuch"], /unknown command 'nonesuch'/],
  ])("%s: exit code 2, one line on stderr, no stack trace", (_, args, pattern) => {
    const r = bin(...args());
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.endsWith("\n")).toBe(true);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
