/** The SVG ratio bar chart: log-scale bar lengths, colours, labels, well-formed output, errors. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../../src/index.js";
import { formatRatio, renderBarChart } from "../../src/plot/bar-chart.js";
import { elements, parseXml, type XmlElement } from "../helpers/xml.js";

const barsOf = (svg: string): XmlElement[] => elements(parseXml(svg)).filter((e) => e.name === "rect" && e.attributes.class === "bar");
const width = (e: XmlElement): number => Number(e.attributes.width);

describe("renderBarChart", () => {
  test("well formed, one bar per value with its exact value, label, title and value text", () => {
    const svg = renderBarChart({
      title: "T & <co>",
      subtitle: "sub",
      bars: [
        { label: "a vs b", value: 0.421 },
        { label: "c", value: 206, note: "(note)" },
      ],
      footnotes: ["from X"],
    });
    const root = parseXml(svg);
    expect(root.name).toBe("svg");
    const bars = barsOf(svg);
    expect(bars.map((b) => Number(b.attributes["data-value"]))).toEqual([0.421, 206]);
    expect(bars.map((b) => b.children.find((c) => c.name === "title")!.text)).toEqual(["a vs b: 0.421×", "c: 206× (note)"]);
    const texts = elements(root)
      .filter((e) => e.name === "text")
      .map((e) => e.text);
    for (const t of ["T & <co>", "sub", "a vs b", "c", "0.421×", "206× (note)", "from X", "1×", "0.1×", "1,000×"])
      expect(texts).toContain(t);
  });

  test("log scale around the reference: 2× and 0.5× are equally long, on either side, in different colours", () => {
    const [up, down, ten] = barsOf(
      renderBarChart({
        bars: [
          { label: "up", value: 2 },
          { label: "down", value: 0.5 },
          { label: "ten", value: 10 },
        ],
      }),
    );
    expect(width(up!)).toBeCloseTo(width(down!), 1);
    expect(Number(down!.attributes.x) + width(down!)).toBeCloseTo(Number(up!.attributes.x), 1);
    expect(up!.attributes.fill).not.toBe(down!.attributes.fill);
    expect(width(ten!) / width(up!)).toBeCloseTo(1 / Math.log10(2), 1);
  });

  test("property: bar length is proportional to |log(value / reference)|", () => {
    const ratio = fc.double({ min: 1e-3, max: 1e4, noNaN: true }).filter((v) => Math.abs(Math.log10(v)) > 0.05);
    fc.assert(
      fc.property(fc.array(ratio, { minLength: 2, maxLength: 8 }), (values) => {
        const bars = barsOf(renderBarChart({ bars: values.map((value, k) => ({ label: `b${k}`, value })) }));
        expect(bars.map((b) => Number(b.attributes["data-value"]))).toEqual(values);
        const perDecade = bars.map((b, k) => width(b) / Math.abs(Math.log10(values[k]!)));
        for (const p of perDecade) expect(Math.abs(p - perDecade[0]!)).toBeLessThan(0.02 * perDecade[0]! + 0.3);
      }),
      { numRuns: 50 },
    );
  });

  test("bad input is an InvalidArgumentError with a hint", () => {
    for (const bars of [
      [],
      [{ label: "z", value: 0 }],
      [{ label: "n", value: Number.NaN }],
      [{ label: "i", value: Infinity }],
      [{ label: "m", value: -2 }],
    ]) {
      try {
        renderBarChart({ bars });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect((e as InvalidArgumentError).hint).toBeTruthy();
      }
    }
  });
});

describe("formatRatio", () => {
  test("three significant digits, thousands separated", () => {
    expect([0.137, 0.4213, 1.11, 3.554, 206, 1200, 12345.6].map(formatRatio)).toEqual([
      "0.137×",
      "0.421×",
      "1.11×",
      "3.55×",
      "206×",
      "1,200×",
      "12,346×",
    ]);
  });
});
