/**
 * The documentation's figures (scripts/docs-figures.ts, npm run docs:figures): well-formed SVG with
 * their labels and hover titles; the headline chart's bars are the ratios written in
 * docs/performance.md; the committed files are what the script writes now.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { HEADLINES, performanceChart, readHeadlines, ratioIn, treeFigure } from "../scripts/docs-figures.js";
import { elements, parseXml } from "./helpers/xml.js";

const root = join(import.meta.dirname, "..");
const read = (p: string): string => readFileSync(join(root, p), "utf8");

/** A performance.md in the bench's format with planted numbers, one per headline. */
const PLANTED = `# Performance

<!-- bench:einsum -->
## Foundation
Measured 2031-01-02 on a test machine.

| workload | multilinear | GFLOP/s | tfjs cpu | tfjs wasm | numpy | agrees |
| --- | --- | --- | --- | --- | --- | --- |
| dense MoE b=64 | 16.3 ms | 33.0 | 1.01e+3 ms (61.8×) | 32.2 ms (9.99×) | 15.7 ms (0.111×) | yes |
| CP-μMoE b=256 i=o=768 | 22.7 ms | 23.7 | 617 ms (27.2×) | 80.5 ms (2.22×) | 9.55 ms (0.333×) | yes |
<!-- /bench:einsum -->

<!-- bench:decomp -->
## Decompositions
Measured 2031-01-03 on a test machine.

| workload | multilinear | peer | ratio |
| --- | --- | --- | --- |
| CP-ALS 100×100×100, rank 10 (per iteration) | 4.63 ms | numpy 5.13 ms | 1.44× |
| SVD 500×500 (U, s, Vᵀ) | 98.3 ms | scipy gesdd 59.6 ms | 0.555× |
|  |  | scipy gesvd 320 ms | 3.26× |
| SVD 500×500, every core (2) on both sides | 101 ms | scipy gesdd 85.9 ms | 0.853× |
| TR 8-way lazy | 5.88 ms | forming: 7.03e+3 ms | 6.66e+3× |
<!-- /bench:decomp -->

<!-- bench:gemm -->
## CPU kernels
Measured 2031-01-03 on a test machine.

| dtype | n | ours 1T | ours 1T / tfjs | ours 1T / numpy 1T |
| --- | --- | --- | --- | --- |
| float32 | 512 | 30.9 | 0.913× | 0.311× |
| float32 | 1024 | 41.0 | 1.77× | 0.444× |
| float64 | 1024 | 18.8 | n/a | 0.222× |

|  | ours 1T | ours 2T | ort best 1T | ort best 2T |
| --- | --- | --- | --- | --- |
| ms | 20.0 | 18.4 | 5.00 | 1.79 |
| GFLOP/s | 21.5 | 29.2 | 157 | 300 |
<!-- /bench:gemm -->

<!-- bench:mumoe -->
## μMoE
Measured 2031-01-04 on a test machine.

| experts | rank | batch | dense/factorized time |
| --- | --- | --- | --- |
| 512 | 97 | 1 | 314× |
| 512 | 97 | 256 | 123× |
<!-- /bench:mumoe -->
`;

/** The planted values, label by label, in HEADLINES order. */
const EXPECTED: Readonly<Record<string, number>> = {
  "einsum CP-μMoE vs numpy": 0.333,
  "einsum CP-μMoE vs tfjs-wasm": 2.22,
  "einsum CP-μMoE vs onnxruntime": 0.25,
  "GEMM f32 n=1024 vs numpy": 0.444,
  "GEMM f32 n=1024 vs tfjs-wasm": 1.77,
  "GEMM f64 n=1024 vs numpy": 0.222,
  "CP-ALS 100³ rank 10 vs numpy": 1.44,
  "SVD 500×500 vs scipy gesdd": 0.555,
  "lazy tensor ring vs forming it": 6660,
  "μMoE factorized vs dense (512 experts)": 123,
};

const barValues = (svg: string): number[] =>
  elements(parseXml(svg))
    .filter((e) => e.name === "rect" && e.attributes.class === "bar")
    .map((e) => Number(e.attributes["data-value"]));

describe("contraction tree of the README's CP-μMoE example", () => {
  const svg = treeFigure();
  const all = elements(parseXml(svg));
  test("leaves are labelled with their indices, with hover titles", () => {
    const texts = all.filter((e) => e.name === "text").map((e) => e.text);
    for (const term of ["bi", "bn", "nr", "ir", "or"]) expect(texts).toContain(term);
    const titles = all.filter((e) => e.name === "title").map((e) => e.text);
    for (const [k, term] of ["bi", "bn", "nr", "ir", "or"].entries()) expect(titles).toContain(`operand ${k}: ${term}`);
  });
  test("every step has a title with its cost, and the costs add up to the README's 228 multiply-adds", () => {
    const steps = all
      .filter((e) => e.name === "title")
      .map((e) => /^step \d+: (\S+)\n(\d+) FLOPs \((\d+) multiply-adds\)\nresult size \d+$/.exec(e.text))
      .filter((m) => m !== null);
    expect(steps).toHaveLength(4);
    expect(steps.reduce((s, m) => s + Number(m[3]), 0)).toBe(228);
    expect(steps[steps.length - 1]![1]!.endsWith("->bo")).toBe(true);
  });
});

describe("headline chart of docs/performance.md", () => {
  test("reads each headline ratio from the tables (planted numbers)", () => {
    const values = readHeadlines(PLANTED);
    expect(values.map((v) => v.label)).toEqual(HEADLINES.map((h) => h.label));
    for (const v of values) expect(v.value, v.label).toBeCloseTo(EXPECTED[v.label]!, 12);
    expect(values.find((v) => v.section === "mumoe")!.date).toBe("2031-01-04");
  });

  test("the chart's bars are those ratios, and its footnote names the runs' dates", () => {
    const { svg } = performanceChart(PLANTED);
    const bars = barValues(svg);
    expect(bars).toHaveLength(HEADLINES.length);
    HEADLINES.forEach((h, k) => expect(bars[k], h.label).toBeCloseTo(EXPECTED[h.label]!, 12));
    const texts = elements(parseXml(svg))
      .filter((e) => e.name === "text")
      .map((e) => e.text)
      .join("\n");
    for (const d of ["2031-01-02", "2031-01-03", "2031-01-04"]) expect(texts).toContain(d);
    for (const h of HEADLINES) expect(texts).toContain(h.label);
  });

  test("a missing row or section is named in the error", () => {
    expect(() => readHeadlines(PLANTED.replace("| TR 8-way lazy", "| TX 8-way lazy"))).toThrow(/lazy tensor ring vs forming it/);
    expect(() => readHeadlines(PLANTED.replace(/<!-- bench:mumoe -->[\s\S]*<!-- \/bench:mumoe -->/, ""))).toThrow(/bench:mumoe/);
  });

  test("ratio cells as the bench writes them", () => {
    expect([ratioIn("9.55 ms (0.421×)"), ratioIn("1.11×"), ratioIn("1.20e+3×"), ratioIn("1,200×")]).toEqual([0.421, 1.11, 1200, 1200]);
    expect(() => ratioIn("n/a")).toThrow(/n\/a/);
  });

  test("on the real file, every bar equals the ratio in its table row", () => {
    const markdown = read("docs/performance.md");
    const bars = barValues(performanceChart(markdown).svg);
    // Independent look-ups of a few rows by their literal text.
    const line = (start: string): string => markdown.split("\n").find((l) => l.startsWith(start))!;
    const cells = (l: string): string[] => l.split("|").map((c) => c.trim());
    const byLabel = new Map(HEADLINES.map((h, k) => [h.label, bars[k]!]));
    expect(byLabel.get("CP-ALS 100³ rank 10 vs numpy")).toBe(ratioIn(cells(line("| CP-ALS"))[4]!));
    expect(byLabel.get("SVD 500×500 vs scipy gesdd")).toBe(ratioIn(cells(line("| SVD 500×500 (U"))[4]!));
    expect(byLabel.get("einsum CP-μMoE vs numpy")).toBe(ratioIn(cells(line("| CP-μMoE b=256"))[6]!));
    for (const v of bars) expect(v > 0 && Number.isFinite(v)).toBe(true);
  });
});

describe("committed figures", () => {
  test("docs/figures/*.svg are what npm run docs:figures writes from the current docs/performance.md (else run it)", () => {
    expect(read("docs/figures/contraction-tree.svg")).toBe(treeFigure() + "\n");
    expect(read("docs/figures/performance-headlines.svg")).toBe(performanceChart(read("docs/performance.md")).svg + "\n");
  });
  test("the hand-drawn μMoE diagram is well formed and names its parts", () => {
    const all = elements(parseXml(read("docs/figures/mumoe.svg")));
    const texts = all.filter((e) => e.name === "text").map((e) => e.text);
    for (const t of ["x", "projection", "normalisation", "entmax-1.5", "U_n", "U_i", "U_o", "contract", "bi,bn,nr,ir,or->bo", "y"])
      expect(texts).toContain(t);
    expect(all.filter((e) => e.name === "title").length).toBeGreaterThan(5);
  });
  test("the README and performance.md show the figures", () => {
    const readme = read("README.md");
    for (const f of ["docs/figures/contraction-tree.svg", "docs/figures/mumoe.svg", "docs/examples/gpu.html"])
      expect(readme).toContain(`](${f})`);
    expect(read("docs/performance.md")).toContain("](figures/performance-headlines.svg)");
  });
});
