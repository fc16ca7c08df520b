import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  contract,
  contractExpression,
  contractPath,
  einsum,
  findSlices,
  formatPathInfo,
  getOptimizer,
  MemoryLimitError,
  parseEinsum,
  pathCost,
  pathInfoJson,
  pathTreeSvg,
  randn,
  referenceEinsum,
  sharedIntermediates,
  allClose,
} from "../../../src/index.js";
import { runCli } from "../../helpers/cli.js";

describe("slicing", () => {
  test("every slice fits the limit and the sum equals the unsliced result (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 5 }), fc.nat(), (a, b, seed) => {
        const eq = "ab,bc,cd,de->ae";
        const shapes = [
          [a, b],
          [b, b + 1],
          [b + 1, b + 2],
          [b + 2, a],
        ];
        const xs = shapes.map((s, k) => randn(s, { seed: seed + k }));
        const p = parseEinsum(eq, shapes);
        const path = getOptimizer("greedy")(p, {});
        const full = pathCost(p, path).size;
        const limit = Math.max(a * a, Number(full) / 2);
        const s = findSlices(p, path, limit);
        if (s.size > BigInt(Math.floor(limit))) return false;
        if (s.multiplyAdds < s.unslicedMultiplyAdds && s.labels.length > 0) return false;
        return allClose(contract(eq, ...xs, { sliceLimit: limit }), einsum(eq, xs), { rtol: 1e-12, atol: 1e-12 });
      }),
      { numRuns: 40 },
    );
  });
  test("repeated and broadcast labels are fixed on every axis", () => {
    const x = randn([4, 4, 3], { seed: 1 });
    const y = randn([1, 3, 5], { seed: 2 });
    const eq = "iij,kjl->kl";
    expect(allClose(contract(eq, x, y, { sliceLimit: 5 }), referenceEinsum(eq, [x, y]), { rtol: 1e-12 })).toBe(true);
  });
  test("slicing cannot shrink the output", () => {
    const p = parseEinsum("ab,bc->ac", [
      [10, 3],
      [3, 10],
    ]);
    expect(() => findSlices(p, [[0, 1]], 50)).toThrow(MemoryLimitError);
  });
});

describe("reusable expressions", () => {
  test("plan once, run many; constants are folded", () => {
    const w1 = randn([6, 5], { seed: 1 });
    const w2 = randn([5, 4], { seed: 2 });
    const expr = contractExpression("bi,ij,jk->bk", [3, 6], w1, w2);
    expect(expr.variables).toEqual([0]);
    for (let s = 0; s < 3; s++) {
      const x = randn([3, 6], { seed: 10 + s });
      expect(allClose(expr(x), einsum("bi,ij,jk->bk", [x, w1, w2]), { rtol: 1e-12 })).toBe(true);
    }
    expect(() => expr(randn([3, 6], { seed: 1 }), w1)).toThrow(/takes 1 operand/);
    expect(() => expr(randn([4, 6], { seed: 1 }))).toThrow(/planned for \[3, 6\]/);
  });
  test("shared intermediates are computed once across contractions", () => {
    const [a, b, c] = [randn([4, 5], { seed: 1 }), randn([5, 6], { seed: 2 }), randn([6, 3], { seed: 3 })];
    const path = {
      path: [
        [0, 1],
        [0, 1],
      ],
    };
    const { result, hits } = sharedIntermediates((shared) => [
      einsum("ij,jk,kl->il", [a, b, c], { optimize: path, shared }),
      einsum("ij,jk,kl->il", [a, b, c], { optimize: path, shared }),
    ]);
    expect(hits).toBe(2);
    expect(result[0]!.toArray()).toEqual(result[1]!.toArray());
  });
});

describe("PathInfo", () => {
  const { path, info } = contractPath("ab,bc,cd->ad", [20, 3], [3, 40], [40, 5], { optimize: "optimal" });
  test("steps, costs and the table", () => {
    expect(path).toEqual([
      [1, 2],
      [0, 1],
    ]);
    expect(info.steps.map((s) => s.equation)).toEqual(["bc,cd->bd", "ab,bd->ad"]);
    expect(info.cost.flops).toBe(info.steps.reduce((s, x) => s + x.flops, 0n));
    expect(info.cost.multiplyAdds).toBe(info.steps.reduce((s, x) => s + x.multiplyAdds, 0n));
    expect(info.naiveMultiplyAdds).toBe(20n * 3n * 40n * 5n);
    const j = pathInfoJson(info);
    expect(typeof j["flops"]).toBe("string");
    expect(j["multiply_adds"]).toBe("900");
  });
  // numpy 2.4 `np.einsum_path(eq, *ones, optimize="optimal")[1]` for these shapes (numpy adds 1 to
  // its optimized count and prints %.3e; opt_einsum and we print the exact count without the 1).
  const NUMPY = [
    {
      eq: "ab,bc,cd->ad",
      shapes: [
        [20, 3],
        [3, 40],
        [40, 5],
      ],
      naive: 36000n,
      opt: 1800n,
      scaling: [4, 3],
      largest: 100n,
      speedup: "20.000",
      last: "ab,bd->ad",
      remaining: "ad->ad",
    },
    {
      eq: "ij,jk,kl->il",
      shapes: [
        [2, 3],
        [3, 4],
        [4, 5],
      ],
      naive: 360n,
      opt: 128n,
      scaling: [4, 3],
      largest: 10n,
      speedup: "2.813",
      last: "kl,ik->il",
      remaining: "il->il",
    },
    {
      eq: "ab,ab->ab",
      shapes: [
        [3, 4],
        [3, 4],
      ],
      naive: 24n,
      opt: 12n,
      scaling: [2, 2],
      largest: 12n,
      speedup: "2.000",
      last: "ab,ab->ab",
      remaining: "ab->ab",
    },
    {
      eq: "abc,cd,de->abe",
      shapes: [
        [2, 3, 4],
        [4, 5],
        [5, 6],
      ],
      naive: 2160n,
      opt: 528n,
      scaling: [5, 4],
      largest: 36n,
      speedup: "4.091",
      last: "abc,ce->abe",
      remaining: "abe->abe",
    },
  ];
  test.each(NUMPY)("numpy's numbers and layout for $eq", (c) => {
    const { info } = contractPath(c.eq, ...c.shapes, { optimize: "optimal" });
    expect(info.naiveFlops).toBe(c.naive);
    expect(info.cost.flops).toBe(c.opt);
    expect([info.naiveScaling, info.scaling]).toEqual(c.scaling);
    expect(info.largestIntermediate).toBe(c.largest);
    const text = formatPathInfo(info).split("\n");
    const field = (name: string): string | undefined => text.find((l) => l.startsWith(`${name.padStart(22)}:  `))?.slice(25);
    expect(field("Complete contraction")).toBe(c.eq);
    expect(field("Naive scaling")).toBe(String(c.scaling[0]));
    expect(field("Optimized scaling")).toBe(String(c.scaling[1]));
    expect(field("Naive FLOP count")).toBe(String(c.naive));
    expect(field("Optimized FLOP count")).toBe(String(c.opt));
    expect(field("Theoretical speedup")).toBe(c.speedup);
    expect(field("Largest intermediate")).toBe(`${c.largest} elements`);
    const rule = text.indexOf("-".repeat(74));
    expect(text[rule + 1]).toBe("scaling                  current                                remaining");
    expect(text[rule + 2]).toBe("-".repeat(74));
    // numpy's row: "%4d    %24s %40s" % (scaling, step einsum, remaining + "->" + output).
    const lastRow = `${String(c.scaling[1]).padStart(4)}    ${c.last.padStart(24)} ${c.remaining.padStart(40)}`;
    expect(text[text.length - 1]).toBe(lastRow);
  });
  test("long counts keep the exact value and add numpy's %.3e", () => {
    const { info } = contractPath("ab,bc->ac", [1000, 1000], [1000, 1000]);
    expect(formatPathInfo(info)).toContain("  Optimized FLOP count:  2000000000 (2.000e+09)");
  });
  test("SVG tree", () => {
    const svg = pathTreeSvg(info);
    expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect((svg.match(/<circle/g) ?? []).length).toBe(3 + 2);
  });
});

describe("CLI", () => {
  test("multilinear path --json", async () => {
    const r = await runCli("path", "ab,bc,cd->ad", "--shapes", "[[20,3],[3,40],[40,5]]", "--optimizer", "optimal", "--json");
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      path: number[][];
      flops: string;
      size: string;
      naive_flops: string;
      optimizer: string;
      steps: unknown[];
    };
    expect(j.optimizer).toBe("optimal");
    expect(BigInt(j.flops)).toBeLessThan(BigInt(j.naive_flops));
    expect(j.steps).toHaveLength(2);
  });
  test("bad input: one line, exit 2", async () => {
    for (const argv of [
      ["path", "ab,bc->ac"],
      ["path", "ab,bc->ac", "--shapes", "[[2,3]]"],
      ["path", "ab,bc->ac", "--shapes", "[[2,3],[3,4]]", "--optimizer", "fastest"],
      ["path", "ab,bc->ac", "--shapes", "not json"],
      ["bench", "paths", "/nonexistent.json"],
    ]) {
      const r = await runCli(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });
  test("bench paths runs a corpus and summarises against the references", async () => {
    const r = await runCli(
      "bench",
      "paths",
      new URL("../../fixtures/paths/contraction-paths.json", import.meta.url).pathname,
      "--optimizer",
      "greedy",
      "--optimizer",
      "auto",
      "--filter",
      "edge-",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^optimizer/);
    expect(r.stdout).toMatch(/\nauto\s+\d+\s+[\d.]+\s+[\d.]+/);
  });
});
