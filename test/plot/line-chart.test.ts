/** The SVG line chart: log scaling, gaps, legend, ticks, well-formed output, errors. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatTick, InvalidArgumentError, renderLineChart, type ChartPanel } from "../../src/index.js";

/** Every tag closes, in order (a minimal well-formedness check). */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}

const polylines = (svg: string): [number, number][][] =>
  [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]!.split(" ").map((p) => p.split(",").map(Number) as [number, number]));

const panel = (series: ChartPanel["series"], extra: Partial<ChartPanel> = {}): ChartPanel => ({
  title: "P",
  xLabel: "experts",
  yLabel: "params",
  series,
  ...extra,
});

describe("renderLineChart", () => {
  test("log axes: equal ratios are equal distances; larger y is higher", () => {
    const svg = renderLineChart({ panels: [panel([{ name: "a", points: [1, 10, 100, 1000].map((x) => ({ x, y: 5 * x })) }])] });
    const [line] = polylines(svg);
    expect(line!.length).toBe(4);
    const dx = line!.slice(1).map((p, k) => p[0] - line![k]![0]);
    const dy = line!.slice(1).map((p, k) => p[1] - line![k]![1]);
    for (const d of dx) expect(d).toBeCloseTo(dx[0]!, 1);
    for (const d of dy) expect(d).toBeCloseTo(dy[0]!, 1);
    expect(dx[0]! > 0 && dy[0]! < 0).toBe(true);
  });

  test("a null y splits the line; legend, labels and ticks are present; output is well formed", () => {
    const svg = renderLineChart({
      title: "T & <co>",
      subtitle: "sub",
      panels: [
        panel(
          [
            {
              name: "first",
              points: [
                { x: 16, y: 100 },
                { x: 32, y: 200 },
                { x: 64, y: null },
                { x: 128, y: 800 },
                { x: 256, y: 1600 },
              ],
            },
            {
              name: "second",
              points: [
                { x: 16, y: 1e6 },
                { x: 256, y: 1e7 },
              ],
            },
          ],
          { xTicks: [16, 32, 64, 128, 256], note: "identical: none" },
        ),
      ],
    });
    expect(polylines(svg).length).toBe(3);
    expect(balanced(svg)).toBe(true);
    expect(svg).toContain("T &amp; &lt;co&gt;");
    for (const s of ["first", "second", "experts", "params", "identical: none", ">256<", ">100<", ">1k<", ">10M<"])
      expect(svg).toContain(s);
  });

  test("two panels share one legend entry per series", () => {
    const s = [
      {
        name: "only",
        points: [
          { x: 1, y: 1 },
          { x: 2, y: 3 },
        ],
      },
    ];
    const svg = renderLineChart({ panels: [panel(s), panel(s)] });
    expect(svg.match(/>only</g)!.length).toBe(1);
    expect(svg).toMatch(/width="960"/);
  });

  test("deterministic and well formed for arbitrary positive data (property)", () => {
    const pts = fc.array(
      fc.record({
        x: fc.double({ min: 1e-3, max: 1e9, noNaN: true }),
        y: fc.option(fc.double({ min: 1e-3, max: 1e15, noNaN: true }), { nil: null }),
      }),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(fc.array(pts, { minLength: 1, maxLength: 6 }), (series) => {
        const withY = series.map((points, k) => ({ name: `s${k}`, points: [...points, { x: 1, y: 1 }] }));
        const a = renderLineChart({ panels: [panel(withY)] });
        expect(a).toBe(renderLineChart({ panels: [panel(withY)] }));
        expect(balanced(a)).toBe(true);
        expect(a).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 60 },
    );
  });

  test.each([
    ["zero y", [{ x: 1, y: 0 }]],
    ["negative x", [{ x: -1, y: 2 }]],
    ["infinite y", [{ x: 1, y: Infinity }]],
    ["no points", [{ x: 1, y: null }]],
  ])("%s → InvalidArgumentError", (_, points) => {
    expect(() => renderLineChart({ panels: [panel([{ name: "a", points }])] })).toThrow(InvalidArgumentError);
  });

  test("tick labels", () => {
    expect([1, 10, 100, 1e3, 1e4, 1e6, 1e9, 1e12, 2.5e6].map(formatTick)).toEqual([
      "1",
      "10",
      "100",
      "1k",
      "10k",
      "1M",
      "1G",
      "1T",
      "2.5M",
    ]);
  });
});
