/**
 * A dependency-free SVG line chart on logarithmic axes: one or more side-by-side panels sharing a
 * legend, each with labelled axes, decade ticks (minor ticks at 2…9), grid lines and marked points.
 * Deterministic output (no ids, no timestamps), fit for a report.
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** One point; a `null` y leaves a gap (e.g. an infeasible configuration). @category Budgets */
export interface ChartPoint {
  readonly x: number;
  readonly y: number | null;
}

/** One line. @category Budgets */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
}

/** One panel (a pair of axes). @category Budgets */
export interface ChartPanel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Tick positions on the x axis (default: every power of ten in range). */
  readonly xTicks?: readonly number[];
  /** A short note printed in the panel's upper-left corner (e.g. which lines coincide). */
  readonly note?: string;
}

/** Options of {@link renderLineChart}. @category Budgets */
export interface LineChartOptions {
  readonly title?: string;
  /** A caption line under the title. */
  readonly subtitle?: string;
  readonly panels: readonly ChartPanel[];
  /** Size of one panel in pixels (default 480 × 340). */
  readonly panelWidth?: number;
  readonly panelHeight?: number;
}

/** Okabe–Ito colours (readable with colour-vision deficiencies), yellow left out for contrast on white. */
const COLORS = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#999999"];
const DASHES = ["", "6 3", "", "2 3", "", "8 3 2 3", "", "4 4"];
const MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square", "triangle", "diamond"] as const;

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (v: number): string => (Math.round(v * 100) / 100).toString();

/** A tick label: 1, 10, 100, 1k, 10k, 100k, 1M, …, 1T, or a plain integer. @category Budgets */
export function formatTick(v: number): string {
  const units: [number, string][] = [
    [1e15, "P"],
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [scale, unit] of units) if (v >= scale) return `${Number((v / scale).toPrecision(3))}${unit}`;
  return `${Number(v.toPrecision(3))}`;
}

/** Marker size of series k: later series get smaller markers, so coinciding points show as nested shapes. */
const markerSize = (k: number): number => Math.max(2.4, 5.4 - 0.6 * k);

function marker(kind: (typeof MARKERS)[number], x: number, y: number, color: string, s: number): string {
  const style = `fill="${color}" stroke="#ffffff" stroke-width="0.8"`;
  switch (kind) {
    case "circle":
      return `<circle cx="${num(x)}" cy="${num(y)}" r="${num(s)}" ${style}/>`;
    case "square":
      return `<rect x="${num(x - s * 0.9)}" y="${num(y - s * 0.9)}" width="${num(1.8 * s)}" height="${num(1.8 * s)}" ${style}/>`;
    case "triangle":
      return `<path d="M${num(x)} ${num(y - s * 1.15)}L${num(x + s * 1.1)} ${num(y + s * 0.8)}L${num(x - s * 1.1)} ${num(y + s * 0.8)}Z" ${style}/>`;
    case "diamond":
      return `<path d="M${num(x)} ${num(y - s * 1.2)}L${num(x + s)} ${num(y)}L${num(x)} ${num(y + s * 1.2)}L${num(x - s)} ${num(y)}Z" ${style}/>`;
  }
}

/** An x tick label: whole numbers below 100,000 in full (16, 1024, 4096), larger ones with SI suffixes. */
function formatXTick(v: number): string {
  return Number.isInteger(v) && v < 100_000 ? String(v) : formatTick(v);
}

/** Rough rendered width of a label at 12px (average glyph ~6.4px). */
const textWidth = (s: string): number => s.length * 6.4;

function range(values: readonly number[], what: string): [number, number] {
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v))
      throw new InvalidArgumentError(
        `${what} value ${v} cannot be drawn on a logarithmic axis`,
        "give positive, finite values (use null for a gap)",
      );
  }
  if (values.length === 0) throw new InvalidArgumentError(`no ${what} values to draw`, "give each panel at least one point");
  return [Math.min(...values), Math.max(...values)];
}

/** Decade-aligned log10 bounds covering [lo, hi], at least one decade wide. */
function decades(lo: number, hi: number): [number, number] {
  const a = Math.floor(Math.log10(lo) + 1e-9);
  let b = Math.ceil(Math.log10(hi) - 1e-9);
  if (a === b) b = a + 1;
  return [a, b];
}

/**
 * Renders panels of log-log line charts as a standalone SVG document.
 * @throws {@link InvalidArgumentError} for non-positive or non-finite values, or a panel without points.
 * @example
 * ```ts
 * import { renderLineChart } from "multilinear";
 * const svg = renderLineChart({ panels: [{ title: "t", xLabel: "x", yLabel: "y",
 *   series: [{ name: "a", points: [{ x: 1, y: 10 }, { x: 100, y: 1000 }] }] }] });
 * svg.startsWith("<svg"); // => true
 * ```
 * @category Budgets
 */
export function renderLineChart(options: LineChartOptions): string {
  const pw = options.panelWidth ?? 480;
  const ph = options.panelHeight ?? 340;
  const margin = { left: 74, right: 22, top: 34, bottom: 54 };
  const titleH = options.title ? (options.subtitle ? 56 : 38) : 8;
  const names: string[] = [];
  for (const p of options.panels) for (const s of p.series) if (!names.includes(s.name)) names.push(s.name);
  const width = pw * options.panels.length;
  // Legend items flow left to right and wrap; each row is centred.
  const itemW = names.map((n) => 46 + textWidth(n) + 18);
  const legendRows: number[][] = [[]];
  let used = 0;
  names.forEach((_, k) => {
    const row = legendRows[legendRows.length - 1]!;
    if (row.length > 0 && used + itemW[k]! > width - 40) {
      legendRows.push([k]);
      used = itemW[k]!;
    } else {
      row.push(k);
      used += itemW[k]!;
    }
  });
  const legendH = 18 + legendRows.length * 22;
  const height = titleH + ph + legendH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  );
  if (options.title)
    out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(options.title)}</text>`);
  if (options.title && options.subtitle)
    out.push(`<text x="${width / 2}" y="44" text-anchor="middle" font-size="12" fill="#444444">${esc(options.subtitle)}</text>`);

  options.panels.forEach((panel, pi) => {
    const ox = pi * pw;
    const oy = titleH;
    const x0 = ox + margin.left;
    const x1 = ox + pw - margin.right;
    const y0 = oy + ph - margin.bottom;
    const y1 = oy + margin.top;
    const xs = panel.series.flatMap((s) => s.points.map((p) => p.x));
    const ys = panel.series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
    const [xlo, xhi] = range(xs, `${panel.title}: x`);
    const [ylo, yhi] = range(ys, `${panel.title}: y`);
    const [ya, yb] = decades(ylo, yhi);
    // x: the data range padded by 4% of its log width on each side.
    const lx0 = Math.log10(xlo);
    const lx1 = xhi > xlo ? Math.log10(xhi) : lx0 + 1;
    const pad = (lx1 - lx0) * 0.04;
    const sx = (x: number): number => x0 + ((Math.log10(x) - (lx0 - pad)) / (lx1 - lx0 + 2 * pad)) * (x1 - x0);
    const sy = (y: number): number => y0 - ((Math.log10(y) - ya) / (yb - ya)) * (y0 - y1);
    out.push(`<g>`);
    out.push(`<text x="${(x0 + x1) / 2}" y="${oy + 20}" text-anchor="middle" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
    // Grid and y ticks.
    for (let d = ya; d <= yb; d++) {
      const y = sy(10 ** d);
      out.push(`<line x1="${x0}" y1="${num(y)}" x2="${x1}" y2="${num(y)}" stroke="#dddddd" stroke-width="1"/>`);
      out.push(`<line x1="${x0 - 5}" y1="${num(y)}" x2="${x0}" y2="${num(y)}" stroke="#000000"/>`);
      out.push(`<text x="${x0 - 8}" y="${num(y + 4)}" text-anchor="end">${formatTick(10 ** d)}</text>`);
      if (d < yb) {
        for (let m = 2; m <= 9; m++) {
          const ym = sy(m * 10 ** d);
          out.push(`<line x1="${x0 - 3}" y1="${num(ym)}" x2="${x0}" y2="${num(ym)}" stroke="#000000" stroke-width="0.7"/>`);
        }
      }
    }
    // x ticks.
    const xticks =
      panel.xTicks ??
      (() => {
        const t: number[] = [];
        for (let d = Math.ceil(lx0 - 1e-9); d <= Math.floor(lx1 + 1e-9); d++) t.push(10 ** d);
        return t.length ? t : [xlo, xhi];
      })();
    for (const t of xticks) {
      if (!(t > 0)) throw new InvalidArgumentError(`x tick ${t} cannot be drawn on a logarithmic axis`, "give positive tick positions");
      const x = sx(t);
      out.push(`<line x1="${num(x)}" y1="${y1}" x2="${num(x)}" y2="${y0}" stroke="#eeeeee" stroke-width="1"/>`);
      out.push(`<line x1="${num(x)}" y1="${y0}" x2="${num(x)}" y2="${y0 + 5}" stroke="#000000"/>`);
      out.push(`<text x="${num(x)}" y="${y0 + 18}" text-anchor="middle">${formatXTick(t)}</text>`);
    }
    // Frame and axis labels.
    out.push(`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#000000" stroke-width="1"/>`);
    out.push(`<text x="${(x0 + x1) / 2}" y="${y0 + 40}" text-anchor="middle" font-size="13">${esc(panel.xLabel)}</text>`);
    if (panel.note) out.push(`<text x="${x0 + 8}" y="${y1 + 16}" font-size="11" fill="#444444">${esc(panel.note)}</text>`);
    const ly = (y0 + y1) / 2;
    out.push(
      `<text x="${ox + 16}" y="${ly}" text-anchor="middle" font-size="13" transform="rotate(-90 ${ox + 16} ${ly})">${esc(panel.yLabel)}</text>`,
    );
    // Series: polylines broken at gaps, then markers.
    panel.series.forEach((s) => {
      const k = names.indexOf(s.name);
      const color = COLORS[k % COLORS.length]!;
      const dash = DASHES[k % DASHES.length]!;
      let run: string[] = [];
      const flush = (): void => {
        if (run.length > 1)
          out.push(
            `<polyline points="${run.join(" ")}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`,
          );
        run = [];
      };
      for (const p of s.points) {
        if (p.y === null) flush();
        else run.push(`${num(sx(p.x))},${num(sy(p.y))}`);
      }
      flush();
      for (const p of s.points) if (p.y !== null) out.push(marker(MARKERS[k % MARKERS.length]!, sx(p.x), sy(p.y), color, markerSize(k)));
    });
    out.push(`</g>`);
  });

  // Shared legend under the panels.
  legendRows.forEach((row, r) => {
    const rowW = row.reduce((a, k) => a + itemW[k]!, 0);
    let lx = (width - rowW) / 2;
    const yy = titleH + ph + 14 + r * 22;
    for (const k of row) {
      const color = COLORS[k % COLORS.length]!;
      const dash = DASHES[k % DASHES.length]!;
      out.push(
        `<line x1="${num(lx)}" y1="${yy}" x2="${num(lx + 36)}" y2="${yy}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`,
      );
      out.push(marker(MARKERS[k % MARKERS.length]!, lx + 18, yy, color, markerSize(k)));
      out.push(`<text x="${num(lx + 44)}" y="${yy + 4}">${esc(names[k]!)}</text>`);
      lx += itemW[k]!;
    }
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
