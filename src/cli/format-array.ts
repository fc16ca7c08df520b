/**
 * A numpy-style printout of a tensor for the terminal: numpy's `str(array)` layout (nested brackets,
 * aligned columns, `nan`/`inf`), summarised with `…` like numpy's `threshold`/`edgeitems` when the
 * tensor is large.
 * @module
 */
import type { DenseTensor } from "../tensor/dense.js";

/** numpy's defaults: summarise above 1000 elements, keeping 3 items at each edge of an axis. */
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 8;

/** Index lists (with -1 for the `…` gap) shown along an axis of length `n`. */
function shownIndices(n: number, summarise: boolean): number[] {
  if (!summarise || n <= 2 * EDGE_ITEMS) return [...Array(n).keys()];
  return [0, 1, 2, -1, n - 3, n - 2, n - 1];
}

/** Formats the finite values the way numpy does for one array: one fixed or one scientific layout. */
function valueFormatter(values: readonly number[]): (x: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const scientific = max >= 1e8 || (abs.length > 0 && (min < 1e-4 || max / min > 1e3));
  const special = (x: number): string | undefined =>
    Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : undefined;
  if (scientific) {
    const parts = finite.map((v) => {
      const [m, e] = v.toExponential(PRECISION).split("e") as [string, string];
      return { m: m.replace(/0+$/, "").replace(/\.$/, "."), e: Number(e) };
    });
    const frac = Math.max(0, ...parts.map((p) => (p.m.split(".")[1] ?? "").length));
    return (x) => {
      const s = special(x);
      if (s !== undefined) return s;
      const [m, e] = x.toExponential(PRECISION).split("e") as [string, string];
      const [int, f = ""] = m.split(".") as [string, string?];
      const mant = `${int}.${f.slice(0, frac).padEnd(frac, "0")}`;
      const ex = Number(e);
      return `${mant}e${ex < 0 ? "-" : "+"}${String(Math.abs(ex)).padStart(2, "0")}`;
    };
  }
  const fracOf = (v: number): string => (v.toFixed(PRECISION).split(".")[1] ?? "").replace(/0+$/, "");
  const frac = Math.max(0, ...finite.map((v) => fracOf(v).length));
  return (x) => {
    const s = special(x);
    if (s !== undefined) return s;
    const [int] = x.toFixed(PRECISION).split(".") as [string];
    const sign = x < 0 && int === "0" ? "-" : "";
    // numpy's "maxprec" mode: digits each value needs, the rest of the column padded with spaces.
    return `${sign}${int}.${fracOf(x).padEnd(frac, " ")}`;
  };
}

/**
 * numpy's `str(x)` layout for a float tensor, summarised with `…` above 1000 elements.
 * For example `formatArray(tensor([[1, 2.5], [NaN, -Infinity]]))` is `"[[ 1.   2.5]\n [ nan -inf]]"`.
 */
export function formatArray(x: DenseTensor): string {
  const shape = x.shape;
  const summarise = x.size > THRESHOLD;
  const axes = shape.map((n) => shownIndices(n, summarise));
  // Gather the shown values first: they decide the common format and width.
  const shown: number[] = [];
  const visit = (axis: number, index: number[]): void => {
    if (axis === shape.length) {
      shown.push(x.get(...index));
      return;
    }
    for (const i of axes[axis]!) if (i >= 0) visit(axis + 1, [...index, i]);
  };
  if (x.size > 0) visit(0, []);
  const fmt = valueFormatter(shown);
  if (shape.length === 0) return fmt(x.get());
  const width = Math.max(1, ...shown.map((v) => fmt(v).length));
  const cell = (v: number): string => {
    const s = fmt(v);
    // Fixed layout pads the fraction with spaces, so right-align on the integer part.
    return s.padStart(width);
  };
  const render = (axis: number, index: number[], indent: string): string => {
    if (shape[axis] === 0) return "[]";
    if (axis === shape.length - 1) {
      return `[${axes[axis]!.map((i) => (i < 0 ? "…" : cell(x.get(...index, i)))).join(" ")}]`;
    }
    const sep = "\n".repeat(shape.length - axis - 1);
    const rows = axes[axis]!.map((i) => (i < 0 ? "…" : render(axis + 1, [...index, i], indent + " ")));
    return `[${rows.join(sep + indent + " ")}]`;
  };
  return render(0, [], "");
}
