/**
 * The Node file helpers: round trips through the file system and typed errors for unreadable or
 * unwritable paths.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import {
  FileFormatError,
  loadNpy,
  loadSafetensors,
  randn,
  readFileBytes,
  saveNpy,
  saveSafetensors,
  writeFileBytes,
} from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { EINSUM_FIXTURES } from "../helpers/golden.js";

const dir = mkdtempSync(join(tmpdir(), "multilinear-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("file helpers", () => {
  test("saveNpy/loadNpy and saveSafetensors/loadSafetensors round trip", async () => {
    const x = randn([3, 2], { seed: 1 });
    await saveNpy(join(dir, "x.npy"), x.transpose());
    expect((await loadNpy(join(dir, "x.npy"))).toArray()).toEqual(x.transpose().toArray());
    await saveSafetensors(join(dir, "x.safetensors"), { x, y: { tensor: x, dtype: "F16" } }, { k: "v" });
    const st = await loadSafetensors(join(dir, "x.safetensors"));
    expect(st.tensors.get("x")!.toArray()).toEqual(x.toArray());
    expect(st.dtypes.get("y")).toBe("F16");
    expect(st.metadata).toEqual({ k: "v" });
  });

  test("a missing file is a FileFormatError naming it", async () => {
    await expect(readFileBytes(join(dir, "missing.npy"))).rejects.toThrow(FileFormatError);
    await expect(loadNpy(join(dir, "missing.npy"))).rejects.toThrow(/missing\.npy: no such file/);
  });

  test("a directory cannot be read as a file", async () => {
    await expect(readFileBytes(dir)).rejects.toThrow(/cannot be read \(EISDIR\)/);
  });

  test("an unwritable path is a FileFormatError, not a raw Node error — regression", async () => {
    const target = join(dir, "no", "such", "dir", "out.npy");
    await expect(writeFileBytes(target, new Uint8Array(1))).rejects.toThrow(FileFormatError);
    await expect(saveNpy(target, randn([2], { seed: 1 }))).rejects.toThrow(/out\.npy: cannot be written \(ENOENT\)/);
    const r = await runCli("contract", "ij->i", join(EINSUM_FIXTURES, "npy/matmul_0.npy"), "-o", target);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^multilinear contract: .*out\.npy: cannot be written \(ENOENT\) \(fix: check that the directory exists and is writable\)\n$/,
    );
  });
});
