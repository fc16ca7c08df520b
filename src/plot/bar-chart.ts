/**
 * A dependency-free SVG bar chart of ratios: horizontal bars on a logarithmic axis that grow from a
 * reference value (default 1×) to the right for ratios above it and to the left for ratios below, so
 * that 2× and 0.5× are bars of equal length. Each bar carries its value as text and as a hover title.
 * Deterministic output (no ids, no timestamps), fit for a report.
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** One bar: a label on the left and a positive ratio. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** A short note shown after the value (e.g. the peer's name or the run's date). */
  readonly note?: string;
}

/** Options of {@link renderBarChart}. */
export interface BarChartOptions {
  readonly title?: string;
  /** A caption line under the title. */
  readonly subtitle?: string;
  readonly bars: readonly Bar[];
  /** The value bars grow from (default 1). */
  readonly reference?: number;
  /** The axis label (default "ratio"). */
  readonly axisLabel?: string;
  /** Legend text for bars above and below the reference (default "faster" / "slower"). */
  readonly aboveLabel?: string;
  readonly belowLabel?: string;
  /** Lines of small print under the chart (e.g. where the figures come from). */
  readonly footnotes?: readonly string[];
  /** Total width in pixels (default 760). */
  readonly width?: number;
}

const ABOVE = "#0072B2";
const BELOW = "#D55E00";
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (v: number): string => (Math.round(v * 100) / 100).toString();

/** A ratio as text with three significant digits: 0.421×, 3.55×, 206×, 1,200×. */
export function formatRatio(v: number): string {
  if (v >= 1000) return `${Math.round(v).toLocaleString("en-US")}×`;
  return `${Number(v.toPrecision(3))}×`;
}

/**
 * Renders a horizontal bar chart of positive ratios on a log axis as a standalone SVG document. Each
 * bar is a `<rect class="bar">` whose `data-value` attribute holds the exact value drawn.
 * @throws {@link InvalidArgumentError} for no bars, or a value or reference that is not positive and finite.
 */
export function renderBarChart(options: BarChartOptions): string {
  const bars = options.bars;
  if (bars.length === 0) throw new InvalidArgumentError("no bars to draw", "give at least one bar");
  const ref = options.reference ?? 1;
  for (const v of [ref, ...bars.map((b) => b.value)]) {
    if (!(v > 0) || !Number.isFinite(v))
      throw new InvalidArgumentError(`value ${v} cannot be drawn on a logarithmic axis`, "give positive, finite ratios");
  }
  const logs = bars.map((b) => Math.log10(b.value));
  const lo = Math.floor(Math.min(Math.log10(ref), ...logs));
  const hi = Math.ceil(Math.max(Math.log10(ref), ...logs));
  const hiD = hi === lo ? hi + 1 : hi;
  const W = options.width ?? 760;
  const labelW = Math.min(320, 40 + 6.6 * Math.max(...bars.map((b) => b.label.length)));
  const rowH = 26;
  const top = 30 + (options.title ? 22 : 0) + (options.subtitle ? 18 : 0);
  const left = labelW;
  const right = W - 150;
  const plotH = rowH * bars.length;
  const footnotes = options.footnotes ?? [];
  const H = top + plotH + 46 + 16 * footnotes.length + 10;
  const px = (log: number): number => left + ((log - lo) / (hiD - lo)) * (right - left);
  const x0 = px(Math.log10(ref));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${num(H)}" viewBox="0 0 ${W} ${num(H)}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${num(H)}" fill="white"/>`);
  let y = 8;
  if (options.title)
    parts.push(`<text x="${W / 2}" y="${(y += 18)}" text-anchor="middle" font-size="15" font-weight="bold">${esc(options.title)}</text>`);
  if (options.subtitle) parts.push(`<text x="${W / 2}" y="${(y += 18)}" text-anchor="middle" fill="#444">${esc(options.subtitle)}</text>`);
  // Legend.
  const ly = top - 12;
  parts.push(
    `<rect x="${num(right - 170)}" y="${ly - 9}" width="10" height="10" fill="${ABOVE}"/><text x="${num(right - 156)}" y="${ly}" fill="#333">${esc(options.aboveLabel ?? "faster")}</text>`,
  );
  parts.push(
    `<rect x="${num(right - 80)}" y="${ly - 9}" width="10" height="10" fill="${BELOW}"/><text x="${num(right - 66)}" y="${ly}" fill="#333">${esc(options.belowLabel ?? "slower")}</text>`,
  );
  // Decade grid and ticks.
  for (let d = lo; d <= hiD; d++) {
    const x = px(d);
    parts.push(`<line x1="${num(x)}" y1="${top}" x2="${num(x)}" y2="${top + plotH}" stroke="#ddd"/>`);
    parts.push(`<text x="${num(x)}" y="${top + plotH + 16}" text-anchor="middle" fill="#333">${formatRatio(10 ** d)}</text>`);
  }
  parts.push(
    `<text x="${num((left + right) / 2)}" y="${top + plotH + 34}" text-anchor="middle" fill="#333">${esc(options.axisLabel ?? "ratio")} (log scale)</text>`,
  );
  // Bars.
  bars.forEach((b, k) => {
    const yc = top + k * rowH + rowH / 2;
    const xv = px(logs[k]!);
    const above = b.value >= ref;
    const xa = Math.min(x0, xv);
    const w = Math.max(1, Math.abs(xv - x0));
    const text = formatRatio(b.value) + (b.note ? ` ${b.note}` : "");
    parts.push(`<text x="${left - 8}" y="${num(yc + 4)}" text-anchor="end" fill="#222">${esc(b.label)}</text>`);
    parts.push(
      `<rect class="bar" data-value="${b.value}" x="${num(xa)}" y="${num(yc - 8)}" width="${num(w)}" height="16" fill="${above ? ABOVE : BELOW}"><title>${esc(`${b.label}: ${text}`)}</title></rect>`,
    );
    const tx = Math.max(xv, x0) + 5;
    parts.push(`<text x="${num(tx)}" y="${num(yc + 4)}" fill="#222">${esc(text)}</text>`);
  });
  parts.push(`<line x1="${num(x0)}" y1="${top - 4}" x2="${num(x0)}" y2="${top + plotH + 4}" stroke="#222" stroke-width="1.5"/>`);
  footnotes.forEach((f, k) => parts.push(`<text x="8" y="${top + plotH + 56 + 16 * k}" fill="#555" font-size="11">${esc(f)}</text>`));
  parts.push("</svg>");
  return parts.join("\n");
}
