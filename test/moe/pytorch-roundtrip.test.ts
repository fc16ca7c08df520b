/**
 * Weight files between PyTorch and multilinear, both ways, with the Python snippets of
 * docs/guides/mumoe.md run exactly as written there (test/moe/pytorch/roundtrip.py extracts them):
 * - PyTorch → file: each reference fixture's weights are loaded into the PyTorch module, saved with
 *   `save_mumoe`, and our `loadMuMoE` must reproduce the fixture's output from that file;
 * - file → PyTorch: each fixture is loaded by us and written with `saveMuMoEFile`; `load_mumoe` must
 *   build a module from it whose forward reproduces the fixture's output.
 * The PyTorch module is a stand-in with the official state_dict layout and forward (the official
 * `MuMoE.py` is not part of this repository; set MUMOE_OFFICIAL_DIR to a folder holding it to use it
 * instead), and it is itself checked against the fixtures. Needs Debian's python3-torch; without it the
 * file registers nothing but the check that the snippets are in the docs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadMuMoE, muMoEFromSafetensors, readSafetensors, saveMuMoEFile, type DenseTensor } from "../../src/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtureDir = path.join(here, "..", "fixtures", "mumoe-reference");
const script = path.join(here, "pytorch", "roundtrip.py");
const doc = path.join(here, "..", "..", "docs", "guides", "mumoe.md");
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith(".safetensors"))
  .sort();
const PYTHON = "/usr/bin/python3";

interface PyResult {
  readonly fixture: string;
  readonly file: string;
  readonly torch_vs_fixture: number;
}

function python(args: readonly string[]): PyResult[] {
  const r = spawnSync(PYTHON, [script, ...args], { encoding: "utf8", timeout: 110_000 });
  if (r.status !== 0) throw new Error(`roundtrip.py ${args[0]} failed (${r.status}):\n${r.stderr}`);
  return r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as PyResult);
}

/** |mine − ref| / max(1, max|ref|), the fixtures' tolerance form. */
function relDiff(mine: DenseTensor, ref: DenseTensor): number {
  expect(mine.shape).toEqual(ref.shape);
  const a = mine.toTypedArray();
  const b = ref.toTypedArray();
  let scale = 1;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / scale;
}

const fixture = (name: string) => readSafetensors(new Uint8Array(readFileSync(path.join(fixtureDir, name))), name);
const tolerance = (name: string) => (name.includes("_f32") ? 1e-5 : 1e-10);

test("the docs carry both PyTorch snippets", () => {
  const text = readFileSync(doc, "utf8");
  expect(text).toMatch(/<!-- pytorch-save -->\s*```python\n[\s\S]*?def save_mumoe\(/);
  expect(text).toMatch(/<!-- pytorch-load -->\s*```python\n[\s\S]*?def load_mumoe\(/);
});

const torchAvailable = spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;

if (!torchAvailable) {
  console.log(`pytorch-roundtrip: PyTorch round trips not registered: ${PYTHON} cannot import torch (apt-get install python3-torch)`);
} else {
  describe("PyTorch → file → loadMuMoE", () => {
    let dir = "";
    let results: PyResult[] = [];
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), "mumoe-from-torch-"));
      results = python(["export", dir, ...fixtures.map((f) => path.join(fixtureDir, f))]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test.each(fixtures)("%s", async (name) => {
      const r = results.find((x) => x.fixture === name)!;
      expect(r.torch_vs_fixture, "the PyTorch module itself").toBeLessThanOrEqual(tolerance(name));
      const ref = fixture(name);
      const layer = await loadMuMoE(r.file);
      expect(layer.config).toEqual(muMoEFromSafetensors(ref, name).config);
      expect(relDiff(layer.forward(ref.tensors.get("input")!), ref.tensors.get("output")!)).toBeLessThanOrEqual(tolerance(name));
    });
  });

  describe("saveMuMoEFile → load_mumoe → PyTorch forward", () => {
    let dir = "";
    let results: PyResult[] = [];
    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "mumoe-to-torch-"));
      const pairs: string[] = [];
      for (const name of fixtures) {
        const out = path.join(dir, name);
        await saveMuMoEFile(out, muMoEFromSafetensors(fixture(name), name));
        pairs.push(path.join(fixtureDir, name), out);
      }
      results = python(["check", ...pairs]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test.each(fixtures)("%s", (name) => {
      const r = results.find((x) => x.fixture === name)!;
      expect(r.torch_vs_fixture).toBeLessThanOrEqual(tolerance(name));
    });
  });
}
