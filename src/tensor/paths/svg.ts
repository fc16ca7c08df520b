/**
 * The contraction tree as an SVG picture (in the spirit of cotengra's tree plots): operands at the
 * bottom, each contraction a node placed above its inputs; node colour shows the step's cost (log10
 * multiply-adds), edge width the size of the tensor passed up. Leaves are labelled with their
 * operands' indices; hovering a node shows its step, its cost and its result's size.
 * @module
 */
import { log10Big } from "./cost.js";
import type { PathInfo } from "./info.js";

/** Options of {@link pathTreeSvg}. @category Einsum & paths */
export interface TreeSvgOptions {
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
}

/** A colour on a viridis-like ramp for t in [0, 1]. */
function ramp(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ] as const;
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((v, k) => Math.round(v + (stops[i + 1]![k]! - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Renders the contraction tree of a {@link PathInfo} as a standalone SVG document.
 * @example
 * ```ts
 * import { contractPath, pathTreeSvg } from "multilinear";
 * const { info } = contractPath("ab,bc,cd->ad", [2, 3], [3, 4], [4, 5]);
 * pathTreeSvg(info).startsWith("<svg"); // => true
 * ```
 * @category Einsum & paths
 */
export function pathTreeSvg(info: PathInfo, options: TreeSvgOptions = {}): string {
  const nInputs = info.nInputs;
  const children = new Map<number, readonly number[]>();
  info.steps.forEach((s, k) => children.set(nInputs + k, s.ssa));
  const root = nInputs + info.steps.length - 1;
  // In-order leaf positions; internal nodes at the mean of their children, height = longest path to a leaf.
  const x = new Map<number, number>();
  const h = new Map<number, number>();
  let leaf = 0;
  const place = (v: number): void => {
    const kids = children.get(v);
    if (!kids) {
      x.set(v, leaf++);
      h.set(v, 0);
      return;
    }
    kids.forEach(place);
    x.set(v, kids.reduce((s, c) => s + x.get(c)!, 0) / kids.length);
    h.set(v, 1 + Math.max(...kids.map((c) => h.get(c)!)));
  };
  place(root);
  const W = options.width ?? Math.max(480, 24 * leaf + 160);
  const H = options.height ?? 420;
  const margin = { left: 40, right: 120, top: 50, bottom: 40 };
  const maxH = Math.max(1, ...h.values());
  const px = (v: number): number => margin.left + (leaf <= 1 ? 0.5 : x.get(v)! / (leaf - 1)) * (W - margin.left - margin.right);
  const py = (v: number): number => H - margin.bottom - (h.get(v)! / maxH) * (H - margin.top - margin.bottom);
  const costs = info.steps.map((s) => log10Big(s.flops));
  const cMin = Math.min(...costs);
  const cMax = Math.max(...costs, cMin + 1);
  const sizeOf = new Map<number, bigint>();
  info.steps.forEach((s, k) => sizeOf.set(nInputs + k, s.size));
  const sizes = [...sizeOf.values()].map(log10Big);
  const sMax = Math.max(1, ...sizes);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${esc(options.title ?? `contraction tree: ${info.equation.length > 60 ? info.equation.slice(0, 57) + "…" : info.equation}`)}</text>`,
  );
  parts.push(
    `<text x="${W / 2}" y="36" text-anchor="middle" fill="#444">${info.steps.length} steps, ${info.cost.flops} FLOPs (10^${info.cost.log10Flops.toFixed(2)}), largest intermediate ${info.cost.size}</text>`,
  );
  // Edges (child → parent), width by the size of the tensor passed up.
  info.steps.forEach((s, k) => {
    const p = nInputs + k;
    for (const c of s.ssa) {
      const sz = sizeOf.has(c) ? log10Big(sizeOf.get(c)!) : 0;
      const w = 1 + (5 * sz) / sMax;
      parts.push(
        `<line x1="${px(c).toFixed(1)}" y1="${py(c).toFixed(1)}" x2="${px(p).toFixed(1)}" y2="${py(p).toFixed(1)}" stroke="#888" stroke-width="${w.toFixed(2)}" stroke-linecap="round"/>`,
      );
    }
  });
  // Leaves, labelled with their indices (read from the step that consumes them).
  const terms = new Map<number, string>();
  info.steps.forEach((s) => {
    const inputs = s.equation.split("->")[0]!.split(",");
    s.ssa.forEach((id, j) => {
      if (id < nInputs && inputs[j] !== undefined) terms.set(id, inputs[j]!);
    });
  });
  for (let i = 0; i < nInputs; i++) {
    if (!x.has(i)) continue;
    const term = terms.get(i);
    const name = term === undefined ? `operand ${i}` : `operand ${i}: ${term === "" ? "scalar" : term}`;
    parts.push(`<circle cx="${px(i).toFixed(1)}" cy="${py(i).toFixed(1)}" r="3" fill="#333"><title>${esc(name)}</title></circle>`);
    if (leaf <= 40)
      parts.push(
        `<text x="${px(i).toFixed(1)}" y="${(py(i) + 14).toFixed(1)}" text-anchor="middle" fill="#333">${esc(term ?? String(i))}</text>`,
      );
  }
  // Contractions, coloured by cost.
  info.steps.forEach((s, k) => {
    const v = nInputs + k;
    const t = (costs[k]! - cMin) / (cMax - cMin);
    const r = 3 + 5 * t;
    parts.push(
      `<circle cx="${px(v).toFixed(1)}" cy="${py(v).toFixed(1)}" r="${r.toFixed(1)}" fill="${ramp(t)}" stroke="#222" stroke-width="0.5"><title>step ${k}: ${esc(s.equation)}\n${s.flops} FLOPs (${s.multiplyAdds} multiply-adds)\nresult size ${s.size}</title></circle>`,
    );
  });
  // Colour bar.
  const bx = W - margin.right + 40;
  const by = margin.top + 10;
  const bh = 160;
  for (let i = 0; i < 40; i++) {
    parts.push(
      `<rect x="${bx}" y="${(by + bh - ((i + 1) * bh) / 40).toFixed(1)}" width="14" height="${(bh / 40 + 0.5).toFixed(1)}" fill="${ramp(i / 39)}"/>`,
    );
  }
  parts.push(`<text x="${bx + 18}" y="${by + 4}" fill="#333">10^${cMax.toFixed(1)}</text>`);
  parts.push(`<text x="${bx + 18}" y="${by + bh}" fill="#333">10^${cMin.toFixed(1)}</text>`);
  parts.push(`<text x="${bx - 4}" y="${by - 8}" fill="#333">step cost</text>`);
  parts.push(`<text x="${bx - 4}" y="${by + bh + 24}" fill="#333">edge width:</text>`);
  parts.push(`<text x="${bx - 4}" y="${by + bh + 38}" fill="#333">tensor size</text>`);
  parts.push("</svg>");
  return parts.join("\n");
}
