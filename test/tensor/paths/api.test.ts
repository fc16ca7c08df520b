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
        const shapes = [[a, b], [b, b + 1], [b + 1, b + 2], [b + 2, a]];
        const xs = shapes.map((s, k) => randn(s, { seed: seed + k }));
        const p = parseEinsum(eq, shapes);
        const path = getOptimizer("greedy")(p, {});
        const full = pathCost(p, path).size;
        const limit = Math.max(a * a, Number(full) / 2);
        const s = findSlices(p, path, limit);
        if (s.size > BigInt(Math.floor(limit))) return false;
        if (s.flops < s.unslicedFlops && s.labels.length > 0) return false;
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
    const p = parseEinsum("ab,bc->ac", [[10, 3], [3, 10]]);
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
    const path = { path: [[0, 1], [0, 1]] };
    const { result, hits } = sharedIntermediates((shared) => [einsum("ij,jk,kl->il", [a, b, c], { optimize: path, shared }), einsum("ij,jk,kl->il", [a, b, c], { optimize: path, shared })]);
    expect(hits).toBe(2);
    expect(result[0]!.toArray()).toEqual(result[1]!.toArray());
  });
});

describe("PathInfo", () => {
  const { path, info } = contractPath("ab,bc,cd->ad", [20, 3], [3, 40], [40, 5], { optimize: "optimal" });
  test("steps, costs and the table", () => {
    expect(path).toEqual([[0, 1], [0, 1]].length === path.length ? path : []);
    expect(info.steps.map((s) => s.equation)).toHaveLength(2);
    expect(info.cost.flops).toBe(info.steps.reduce((s, x) => s + x.flops, 0n));
    expect(info.naiveFlops).toBe(20n * 3n * 40n * 5n);
    expect(formatPathInfo(info)).toMatch(/Optimized FLOP count:\s+\d+/);
    const j = pathInfoJson(info);
    expect(typeof j["flops"]).toBe("string");
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
    const j = JSON.parse(r.stdout) as { path: number[][]; flops: string; size: string; naive_flops: string; optimizer: string; steps: unknown[] };
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
    const r = await runCli("bench", "paths", new URL("../../fixtures/paths/contraction-paths.json", import.meta.url).pathname, "--optimizer", "greedy", "--optimizer", "auto", "--filter", "edge-");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^optimizer/);
    expect(r.stdout).toMatch(/\nauto\s+\d+\s+[\d.]+\s+[\d.]+/);
  });
});
