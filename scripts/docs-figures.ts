/**
 * Writes the documentation's generated figures (`npm run docs:figures`, run with tsx):
 *
 * - docs/figures/contraction-tree.svg: the contraction tree of the README's CP-μMoE example
 *   `bi,bn,nr,ir,or->bo` (pathTreeSvg: leaves labelled with their indices, each step's cost in its
 *   hover title);
 * - docs/figures/performance-headlines.svg: the headline ratios of docs/performance.md (our speed ÷
 *   the peer's), read from that file's tables, so a re-run after `npm run bench` refreshes it.
 *
 * docs/figures/mumoe.svg (the μMoE diagram) is drawn by hand and not touched here.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { contractPath, pathTreeSvg } from "../src/index.js";
import { renderBarChart, type Bar } from "../src/plot/bar-chart.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The README's CP-μMoE example: batch b, input i, experts n, rank r, output o. */
export const TREE_EQUATION = "bi,bn,nr,ir,or->bo";
export const TREE_DIMS: Readonly<Record<string, number>> = { b: 4, i: 6, n: 5, r: 3, o: 7 };

/** The contraction tree of the README example under the optimal path. */
export function treeFigure(): string {
  const shapes = TREE_EQUATION.split("->")[0]!
    .split(",")
    .map((t) => [...t].map((l) => TREE_DIMS[l]!));
  const { info } = contractPath(TREE_EQUATION, ...shapes, { optimize: "optimal" });
  const dims = Object.entries(TREE_DIMS)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return pathTreeSvg(info, { title: `CP-μMoE ${TREE_EQUATION} (${dims}), optimal path`, width: 620, height: 380 });
}

/** A markdown table: its header cells and its rows keyed by header. */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly Readonly<Record<string, string>>[];
}

/** One `<!-- bench:name -->` section of docs/performance.md. */
export interface Section {
  readonly name: string;
  /** The date of its "Measured YYYY-MM-DD on …" line. */
  readonly date: string;
  readonly tables: readonly Table[];
}

const cells = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((c) => c.trim());

/** The markdown tables of a text (a header row, a `---` row, then rows). */
export function parseTables(text: string): Table[] {
  const lines = text.split("\n");
  const tables: Table[] = [];
  for (let k = 0; k + 1 < lines.length; k++) {
    if (!lines[k]!.trim().startsWith("|") || !/^\|?\s*:?-{3,}/.test(lines[k + 1]!.trim())) continue;
    const header = cells(lines[k]!);
    const rows: Record<string, string>[] = [];
    let j = k + 2;
    for (; j < lines.length && lines[j]!.trim().startsWith("|"); j++) {
      const c = cells(lines[j]!);
      rows.push(Object.fromEntries(header.map((h, n) => [h, c[n] ?? ""])));
    }
    tables.push({ header, rows });
    k = j - 1;
  }
  return tables;
}

/** The bench sections of docs/performance.md. */
export function parseSections(markdown: string): Section[] {
  const out: Section[] = [];
  for (const m of markdown.matchAll(/<!-- bench:([\w-]+) -->([\s\S]*?)<!-- \/bench:\1 -->/g)) {
    const body = m[2]!;
    const date = /Measured (\d{4}-\d{2}-\d{2})/.exec(body)?.[1] ?? "undated";
    out.push({ name: m[1]!, date, tables: parseTables(body) });
  }
  return out;
}

/** A ratio written in a cell: `9.55 ms (0.421×)` → 0.421, `1.11×` → 1.11, `1.20e+3×` → 1200. */
export function ratioIn(cell: string): number {
  const m = /\(([\d.,]+(?:e[+-]?\d+)?)×\)/.exec(cell) ?? /^([\d.,]+(?:e[+-]?\d+)?)×$/.exec(cell.trim());
  if (!m) throw new Error(`no ratio in table cell "${cell}"`);
  return Number(m[1]!.replace(/,/g, ""));
}

/** A number written in a cell: `25.0` → 25, `1.00e+4` → 10000. */
const numberIn = (cell: string): number => {
  const v = Number(cell.replace(/,/g, "").replace(/\s*ms$/, ""));
  if (!Number.isFinite(v)) throw new Error(`no number in table cell "${cell}"`);
  return v;
};

/** One headline ratio: where it is in docs/performance.md and how to read it. */
export interface Headline {
  readonly label: string;
  /** The bench section (`<!-- bench:name -->`). */
  readonly section: string;
  /** A header cell the table must have. */
  readonly column: string;
  readonly row: (r: Readonly<Record<string, string>>) => boolean;
  /** Our speed ÷ the peer's speed (above 1: we are faster). */
  readonly value: (r: Readonly<Record<string, string>>) => number;
}

/** The headline rows: einsum, GEMM, decompositions and μMoE against their peers. */
export const HEADLINES: readonly Headline[] = [
  {
    label: "einsum CP-μMoE vs numpy",
    section: "einsum",
    column: "workload",
    row: (r) => r.workload!.startsWith("CP-μMoE"),
    value: (r) => ratioIn(r.numpy!),
  },
  {
    label: "einsum CP-μMoE vs tfjs-wasm",
    section: "einsum",
    column: "workload",
    row: (r) => r.workload!.startsWith("CP-μMoE"),
    value: (r) => ratioIn(r["tfjs wasm"]!),
  },
  {
    label: "einsum CP-μMoE vs onnxruntime",
    section: "gemm",
    column: "ort best 1T",
    row: (r) => r[""] === "ms",
    value: (r) => numberIn(r["ort best 1T"]!) / numberIn(r["ours 1T"]!),
  },
  {
    label: "GEMM f32 n=1024 vs numpy",
    section: "gemm",
    column: "ours 1T / numpy 1T",
    row: (r) => r.dtype === "float32" && r.n === "1024",
    value: (r) => ratioIn(r["ours 1T / numpy 1T"]!),
  },
  {
    label: "GEMM f32 n=1024 vs tfjs-wasm",
    section: "gemm",
    column: "ours 1T / tfjs",
    row: (r) => r.dtype === "float32" && r.n === "1024",
    value: (r) => ratioIn(r["ours 1T / tfjs"]!),
  },
  {
    label: "GEMM f64 n=1024 vs numpy",
    section: "gemm",
    column: "ours 1T / numpy 1T",
    row: (r) => r.dtype === "float64" && r.n === "1024",
    value: (r) => ratioIn(r["ours 1T / numpy 1T"]!),
  },
  {
    label: "CP-ALS 100³ rank 10 vs numpy",
    section: "decomp",
    column: "ratio",
    row: (r) => r.workload!.startsWith("CP-ALS"),
    value: (r) => ratioIn(r.ratio!),
  },
  {
    label: "SVD 500×500 vs scipy gesdd",
    section: "decomp",
    column: "ratio",
    row: (r) => r.workload!.startsWith("SVD 500×500 (U"),
    value: (r) => ratioIn(r.ratio!),
  },
  {
    label: "lazy tensor ring vs forming it",
    section: "decomp",
    column: "ratio",
    row: (r) => r.workload!.startsWith("TR 8-way"),
    value: (r) => ratioIn(r.ratio!),
  },
  {
    label: "μMoE factorized vs dense (512 experts)",
    section: "mumoe",
    column: "dense/factorized time",
    row: (r) => r.experts === "512" && r.batch === "256",
    value: (r) => ratioIn(r["dense/factorized time"]!),
  },
];

/** A headline with its value and the section's date. */
export interface HeadlineValue {
  readonly label: string;
  readonly section: string;
  readonly date: string;
  readonly value: number;
}

/** Reads every headline ratio from the text of docs/performance.md; throws naming the one it cannot find. */
export function readHeadlines(markdown: string, headlines: readonly Headline[] = HEADLINES): HeadlineValue[] {
  const sections = parseSections(markdown);
  return headlines.map((h) => {
    const section = sections.find((s) => s.name === h.section);
    if (!section) throw new Error(`docs/performance.md has no <!-- bench:${h.section} --> section (for "${h.label}")`);
    const row = section.tables.filter((t) => t.header.includes(h.column)).flatMap((t) => t.rows.filter(h.row));
    if (row.length !== 1) throw new Error(`"${h.label}": expected one matching row in section ${h.section}, found ${row.length}`);
    return { label: h.label, section: h.section, date: section.date, value: h.value(row[0]!) };
  });
}

const SECTION_NAMES: Readonly<Record<string, string>> = { einsum: "einsum", gemm: "CPU kernels", decomp: "decompositions", mumoe: "μMoE" };

/** The headline chart of docs/performance.md's figures, with the dates of the runs in its footnote. */
export function performanceChart(markdown: string): { svg: string; bars: Bar[] } {
  const values = readHeadlines(markdown);
  const bars: Bar[] = values.map((v) => ({ label: v.label, value: v.value }));
  const byDate = new Map<string, string[]>();
  for (const v of values) {
    const names = byDate.get(v.date) ?? [];
    const name = SECTION_NAMES[v.section] ?? v.section;
    if (!names.includes(name)) names.push(name);
    byDate.set(v.date, names);
  }
  const runs = [...byDate].map(([date, names]) => `${names.join(", ")} measured ${date}`).join("; ");
  const svg = renderBarChart({
    title: "multilinear against its peers: headline ratios",
    subtitle: "our speed ÷ the peer's speed, same run, same data, one thread (above 1×: multilinear is faster)",
    axisLabel: "speed ratio",
    bars,
    footnotes: [
      "From the tables of docs/performance.md, written by npm run bench; npm run docs:figures redraws this chart.",
      `Runs: ${runs} (2-core AMD EPYC VM, Node 20).`,
      "onnxruntime: the time of its best 1-thread variant ÷ ours. μMoE: dense MoE time ÷ CPμMoE time, batch 256.",
    ],
    width: 820,
  });
  return { svg, bars };
}

/** Writes docs/figures/contraction-tree.svg and docs/figures/performance-headlines.svg. */
export function writeFigures(root: string = ROOT): string[] {
  const dir = join(root, "docs", "figures");
  mkdirSync(dir, { recursive: true });
  const tree = join(dir, "contraction-tree.svg");
  writeFileSync(tree, treeFigure() + "\n");
  const perf = join(dir, "performance-headlines.svg");
  writeFileSync(perf, performanceChart(readFileSync(join(root, "docs", "performance.md"), "utf8")).svg + "\n");
  return [tree, perf];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of writeFigures()) console.log(`wrote ${f}`);
}
