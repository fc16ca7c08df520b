/** `multilinear budget` and `multilinear budget sweep` through the CLI entry point. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY: false });
  return { code, out, err };
}

describe("multilinear budget", () => {
  test("CLIP head, CP N=512, matched to the linear layer (spec §4.5)", async () => {
    const r = await run("budget", "--layer", "cp", "--experts", "512", "--in", "768", "--out", "1000", "--match-linear", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({
      layer: "cp",
      params: "769581",
      macs: "769746",
      flops: "1539492",
      ranks: 165,
      max_expert_rank: 165,
      params_breakdown: { "MuMoE.factors.0": "84480", "MuMoE.factors.1": "126885", "MuMoE.factors.2": "165000", "projs.0": "393216" },
      rank_match: { target: "769000", mode: "ceil", difference: "581" },
    });
  });

  test("TR N=512 matched by default: R3 = 52, expert rank 208", async () => {
    const j = JSON.parse((await run("budget", "--layer", "tr", "--experts", "512", "--in", "768", "--out", "1000", "--json")).out);
    expect(j).toMatchObject({ params: "769360", ranks: [4, 4, 52], max_expert_rank: 208, macs: String(393_216 + 376_976) });
  });

  test("reference layers", async () => {
    const lin = JSON.parse((await run("budget", "--layer", "linear", "--in", "768", "--out", "1000", "--json")).out);
    expect(lin).toMatchObject({ params: "769000", macs: "768000", flops: "1536000", ranks: null, max_expert_rank: 768 });
    const sparse = JSON.parse(
      (await run("budget", "--layer", "sparse", "--experts", "64", "--top-k", "2", "--in", "8", "--out", "4", "--no-bias", "--json")).out,
    );
    expect(sparse).toMatchObject({
      params: String(64 * 32 + 8 * 64),
      active_params: String(2 * 32 + 8 * 64),
      macs: String(8 * 64 + 2 * 32 + 2 * 4),
    });
    const dense = JSON.parse(
      (await run("budget", "--layer", "dense", "--experts", "256", "--in", "768", "--out", "3072", "--second", "768", "--json")).out,
    );
    expect(dense.params).toBe("1209139200");
  });

  test("GPT-2 CP block with LayerNorm and a fixed rank; hierarchy", async () => {
    const j = JSON.parse(
      (
        await run(
          "budget",
          "--layer",
          "cp",
          "--experts",
          "64",
          "--in",
          "768",
          "--out",
          "3072",
          "--second",
          "768",
          "--ln",
          "--rank",
          "599",
          "--json",
        )
      ).out,
    );
    expect(j.params).toBe("4728878");
    const h = JSON.parse(
      (await run("budget", "--layer", "cp", "--experts", "16,2", "--in", "4", "--out", "8", "--rank", "16", "--json")).out,
    );
    expect(h).toMatchObject({ params: "568", experts: [16, 2] });
    const h2 = JSON.parse(
      (await run("budget", "--layer", "tr", "--experts", "16", "--hierarchy", "2", "--in", "4", "--out", "8", "--rank", "4", "--json")).out,
    );
    expect(h2).toMatchObject({ experts: [16, 16], ranks: [4, 4, 4, 4] });
  });

  test("--tex adds TeX; the text form lists the tensors", async () => {
    const j = JSON.parse(
      (await run("budget", "--layer", "cp", "--experts", "8", "--in", "16", "--out", "24", "--rank", "12", "--json", "--tex")).out,
    );
    expect(j.tex.params).toBe("R\\cdot\\left( N+\\left( I+1\\right)+ O\\right)+ I\\cdot N");
    const t = await run("budget", "--layer", "cp", "--experts", "8", "--in", "16", "--out", "24", "--rank", "12", "--tex");
    expect(t.out).toContain("MuMoE.factors.1");
    expect(t.out).toContain("17×12");
    expect(t.out).toContain("TeX params:");
  });

  test.each([
    [["--layer", "sparse", "--experts", "4", "--top-k", "5", "--in", "3", "--out", "3"], /topK 5 is larger than the number of experts 4/],
    [["--layer", "cp", "--experts", "2048", "--in", "768", "--out", "1000"], /no CP rank ≥ 1 fits 769000 parameters/],
    [["--layer", "linear", "--in", "0", "--out", "3"], /positive integer/],
    [["--layer", "linear", "--in", "4", "--out", "4", "--rank", "3"], /does not apply/],
    [["--layer", "tr", "--experts", "4", "--in", "4", "--out", "4", "--ranks", "4,4"], /needs 3 ring ranks/],
    [["--layer", "cp", "--experts", "4", "--in", "4", "--out", "4", "--rank", "2", "--match-linear"], /only one of/],
    [["--in", "4", "--out", "4"], /--layer is required/],
  ])("bad input %j → exit 2 with one line", async (args, message) => {
    const r = await run("budget", ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split("\n").length).toBe(1);
  });

  test("--help", async () => {
    expect((await run("budget", "--help")).out).toContain("--match-linear");
    expect((await run("budget", "sweep", "--help")).out).toContain("--svg FILE");
  });
});

describe("multilinear budget sweep", () => {
  test("table over 16:4096, JSON and SVG", async () => {
    const dir = mkdtempSync(join(tmpdir(), "budget-"));
    try {
      const svg = join(dir, "sweep.svg");
      const r = await run("budget", "sweep", "--experts", "16:4096", "--in", "768", "--out", "1000", "--svg", svg);
      expect(r.code).toBe(0);
      const lines = r.out.split("\n");
      const row512 = lines.find((l) => l.startsWith("512 "))!;
      expect(row512).toContain("769,581");
      expect(row512).toContain("4,4,52");
      expect(lines.find((l) => l.startsWith("4096"))).toContain("infeasible");
      const text = readFileSync(svg, "utf8");
      expect(text.startsWith("<svg")).toBe(true);
      expect(text).toContain("TRμMoE (matched)");
      const j = JSON.parse((await run("budget", "sweep", "--experts", "16:64", "--in", "768", "--out", "1000", "--json")).out);
      expect(j.rows.map((x: { experts: number }) => x.experts)).toEqual([16, 32, 64]);
      expect(j.rows[1].cp).toMatchObject({ params: "770190", ranks: 414 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("bad range → exit 2", async () => {
    const r = await run("budget", "sweep", "--experts", "100:50", "--in", "4", "--out", "4");
    expect(r.code).toBe(2);
  });
});

describe("budget past the maximal rank", () => {
  test("counts the layer, warns on stderr and lists the warning in the JSON", async () => {
    const r = await run("budget", "--layer", "cp", "--experts", "4", "--in", "113", "--out", "521", "--rank", "518", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { params: string; warnings: string[] };
    expect(BigInt(j.params)).toBe(518n * (4n + 114n + 521n) + 113n * 4n);
    expect(j.warnings).toEqual([expect.stringMatching(/4×114×521, by 62/)]);
    expect(r.err).toMatch(/^multilinear budget: warning: CP rank 518 is larger than possible.*by 62/);
    const text = await run("budget", "--layer", "cp", "--experts", "2", "--in", "4", "--out", "8", "--rank", "11");
    expect(text.code).toBe(0);
    expect(text.err).toMatch(/warning: CP rank 11 .*2×5×8, by 1/);
  });
});
