import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  contractPath,
  getOptimizer,
  InvalidPathError,
  linearToSsa,
  makeProblem,
  MemoryLimitError,
  optimizerNames,
  pathCost,
  ssaToLinear,
  UnknownOptimizerError,
  validateSsa,
  type EinsumProblem,
} from "../../../src/index.js";
import { searchPath, searchSmall } from "../../../src/tensor/paths/search.js";
import { toNetwork } from "../../../src/tensor/paths/compact.js";
import { bruteForceMinimum } from "../../oracles/brute-force-path.js";
import { rescoreLinear } from "../../oracles/path-cost.js";
import { corpus, SLOW_OPTIMAL_CASES } from "./corpus.js";

/** Tensor networks: up to 7 operands, hyperedges, outer products, size-1 labels, disconnected parts. */
const arbNetwork = fc
  .record({
    nLabels: fc.integer({ min: 1, max: 7 }),
    nOps: fc.integer({ min: 1, max: 7 }),
    seed: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
    sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 7, maxLength: 7 }),
    keepMask: fc.nat({ max: 127 }),
  })
  .map(({ nLabels, nOps, seed, sizes, keepMask }) => {
    const labels = "abcdefg".slice(0, nLabels).split("");
    let s = 0;
    const inputs = Array.from({ length: nOps }, () => {
      const k = seed[s++ % seed.length]! % 4;
      return [...new Set(Array.from({ length: k }, () => labels[seed[s++ % seed.length]! % nLabels]!))];
    });
    const used = [...new Set(inputs.flat())];
    const output = used.filter((_, i) => (keepMask >> i) & 1);
    const sz: Record<string, number> = {};
    labels.forEach((l, i) => (sz[l] = sizes[i]!));
    return { inputs, output, sizes: sz };
  });

const problemOf = (n: { inputs: string[][]; output: string[]; sizes: Record<string, number> }): EinsumProblem =>
  makeProblem({ inputs: n.inputs, output: n.output, sizes: n.sizes });

describe("every optimizer returns a valid path", () => {
  test.each(optimizerNames())("%s (property)", (name) => {
    fc.assert(
      fc.property(arbNetwork, (n) => {
        const p = problemOf(n);
        const path = getOptimizer(name)(p, { timeLimitMs: 20, seed: 1 });
        validateSsa(path, p.inputs.length);
        // The reported cost equals the independent rescoring of the same path.
        const cost = pathCost(p, path);
        const r = rescoreLinear(n.inputs, n.output, n.sizes, ssaToLinear(path, p.inputs.length));
        return cost.multiplyAdds === BigInt(r.flops) && cost.size === r.size;
      }),
      { numRuns: 60 },
    );
  });
});

describe("optimal is optimal", () => {
  test("equals the brute-force minimum over all pairwise orders (property)", () => {
    fc.assert(
      fc.property(
        arbNetwork.filter((n) => n.inputs.length >= 2 && n.inputs.length <= 6),
        (n) => {
          const p = problemOf(n);
          const opt = pathCost(p, getOptimizer("optimal")(p, {})).multiplyAdds;
          const brute = bruteForceMinimum(n.inputs, n.output, n.sizes);
          // dp-outer may also use single-operand reductions, which can beat any pairwise order.
          return opt === brute && pathCost(p, getOptimizer("dp-outer")(p, {})).multiplyAdds <= brute;
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("the bit-mask search for tiny networks", () => {
  test("finds the same minimum as the general search and respects a memory limit (property)", () => {
    fc.assert(
      fc.property(
        arbNetwork.filter((n) => n.inputs.length >= 2 && n.inputs.length <= 5),
        fc.integer({ min: 1, max: 200 }),
        (n, limit) => {
          const net = toNetwork(problemOf(n));
          const fast = searchSmall(net)!;
          expect(fast.flops).toBe(searchPath(net).flops);
          expect(fast.flops).toBe(Number(bruteForceMinimum(n.inputs, n.output, n.sizes)));
          // Under a memory limit: the same answer as the general search, or none when nothing fits.
          const limited = searchSmall(net, limit);
          const general = searchPath(net, { memoryLimit: limit });
          expect(limited?.flops ?? Infinity).toBe(general.flops);
          if (limited) expect(pathCost(problemOf(n), limited.path).size <= BigInt(limit)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("declines networks beyond its limits", () => {
    const wide = makeProblem({ inputs: [["a"], ["a"], ["a"], ["a"], ["a"], ["a"]], output: [], sizes: { a: 2 } });
    expect(searchSmall(toNetwork(wide))).toBeUndefined();
  });
});

describe("the corpus", () => {
  test("every reference path rescores to its flops and size, to the digit", () => {
    let checked = 0;
    for (const c of corpus.cases) {
      const p = makeProblem({ inputs: c.operands, output: c.output, sizes: c.sizes });
      for (const [name, ref] of Object.entries(c.reference)) {
        const cost = pathCost(p, linearToSsa(ref.path, c.operands.length));
        expect(cost.multiplyAdds.toString(), `${c.id} ${name}`).toBe(ref.flops);
        expect(cost.size.toString(), `${c.id} ${name}`).toBe(ref.size);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
  test("optimal and dp match the reference wherever the corpus has one (small cases)", () => {
    for (const c of corpus.cases.filter((x) => x.n_inputs <= 9)) {
      const p = makeProblem({ inputs: c.operands, output: c.output, sizes: c.sizes });
      for (const name of ["optimal", "dp"] as const) {
        const ref = c.reference[name];
        // The few cases the exhaustive search needs seconds for run in optimizers.long.test.ts.
        if (!ref || (name === "optimal" && SLOW_OPTIMAL_CASES.includes(c.id))) continue;
        const ours = pathCost(p, getOptimizer(name === "dp" ? "dp-outer" : name)(p, {})).multiplyAdds;
        expect(ours <= BigInt(ref.flops), `${c.id} ${name}: ${ours} vs ${ref.flops}`).toBe(true);
      }
    }
  });
  test("auto is never worse than opt_einsum's auto", () => {
    for (const c of corpus.cases.filter((x) => x.n_inputs <= 40)) {
      const p = makeProblem({ inputs: c.operands, output: c.output, sizes: c.sizes });
      const ours = pathCost(p, getOptimizer("auto")(p, {})).multiplyAdds;
      expect(ours <= BigInt(c.reference["auto"]!.flops), c.id).toBe(true);
    }
  });
});

describe("memory limits", () => {
  test.each(["greedy", "optimal", "branch-2", "dp", "random-greedy", "auto", "anneal"])("%s never exceeds the limit (property)", (name) => {
    fc.assert(
      fc.property(
        arbNetwork.filter((n) => n.inputs.length >= 2),
        fc.integer({ min: 1, max: 200 }),
        (n, limit) => {
          const p = problemOf(n);
          try {
            const path = getOptimizer(name)(p, { memoryLimit: limit, timeLimitMs: 20 });
            return pathCost(p, path).size <= BigInt(limit);
          } catch (e) {
            return e instanceof MemoryLimitError;
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("bad input", () => {
  const p = makeProblem({
    inputs: [
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
    ],
    output: ["a", "d"],
    sizes: { a: 4, b: 5, c: 6, d: 7 },
  });
  test("unknown optimizer lists the valid names", () => {
    expect(() => getOptimizer("fastest")).toThrow(UnknownOptimizerError);
    expect(() => getOptimizer("fastest")).toThrow(/use one of: sequential, auto/);
  });
  test("a limit below the largest input", () => {
    // Output a·d = 28 fits, the largest input c·d = 42 does not.
    expect(() => getOptimizer("greedy")(p, { memoryLimit: 30 })).toThrow(MemoryLimitError);
    expect(() => getOptimizer("greedy")(p, { memoryLimit: 30 })).toThrow(/largest input/);
    expect(() => getOptimizer("greedy")(p, { memoryLimit: 20 })).toThrow(/the output needs 28/);
  });
  test("invalid user paths name the bad step", () => {
    expect(() =>
      contractPath("ab,bc,cd->ad", [4, 5], [5, 6], [6, 7], {
        optimize: {
          path: [
            [0, 3],
            [0, 1],
          ],
        },
      }),
    ).toThrow(InvalidPathError);
    expect(() =>
      contractPath("ab,bc,cd->ad", [4, 5], [5, 6], [6, 7], {
        optimize: {
          path: [
            [0, 3],
            [0, 1],
          ],
        },
      }),
    ).toThrow(/step 0: position 3 is out of range/);
    expect(() => contractPath("ab,bc,cd->ad", [4, 5], [5, 6], [6, 7], { optimize: { path: [[0, 1]] } })).toThrow(/leaves 2 operands/);
  });
});

describe("determinism", () => {
  test.each(["random-greedy", "anneal", "hyper", "auto-hq"])("%s gives the same path for the same seed", (name) => {
    const c = corpus.cases.find((x) => x.id.startsWith("rrg-d3-n20"))!;
    const p = makeProblem({ inputs: c.operands, output: c.output, sizes: c.sizes });
    // A generous time limit: the work is bounded by move/trial counts, so seeded runs repeat exactly.
    const a = getOptimizer(name)(p, { seed: 5, timeLimitMs: 60_000 });
    const b = getOptimizer(name)(p, { seed: 5, timeLimitMs: 60_000 });
    expect(a).toEqual(b);
  });
});
