/**
 * registerOptimizer: user path finders behind a name, usable everywhere `optimize` is; bad names and
 * bad paths are typed errors that name the optimizer. Results are checked against the reference einsum.
 */
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import {
  InvalidArgumentError,
  InvalidPathError,
  MemoryLimitError,
  UnknownOptimizerError,
  allClose,
  contract,
  contractExpression,
  contractPath,
  einsum,
  getOptimizer,
  optimizerNames,
  randn,
  referenceEinsum,
  registerOptimizer,
  unregisterOptimizer,
  type EinsumProblem,
  type Path,
} from "../../../src/index.js";

/** Right to left: the last two operands first, then each earlier one with the running result. */
function rightToLeft(problem: EinsumProblem): Path {
  const n = problem.inputs.length;
  if (n === 1) return [[0]];
  const path: number[][] = [[n - 2, n - 1]];
  for (let i = n - 3; i >= 0; i--) path.push([i, n + path.length - 1]);
  return path;
}

const registered: string[] = [];
function register(...args: Parameters<typeof registerOptimizer>): void {
  registerOptimizer(...args);
  registered.push(args[0]);
}
afterEach(() => {
  for (const name of registered.splice(0)) unregisterOptimizer(name);
});

describe("registerOptimizer", () => {
  test("a registered finder is used by einsum, contract, contractPath and contractExpression (property vs reference)", () => {
    let calls = 0;
    register("right-to-left", (p) => {
      calls++;
      return rightToLeft(p);
    });
    expect(optimizerNames()).toContain("right-to-left");
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 5 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 6, maxLength: 6 }),
        fc.nat(),
        (n, dims, seed) => {
          const labels = "abcdef";
          const terms = Array.from({ length: n }, (_, k) => labels[k]! + labels[k + 1]!);
          const eq = `${terms.join(",")}->a${labels[n]}`;
          const xs = terms.map((_, k) => randn([dims[k]!, dims[k + 1]!], { seed: seed + k }));
          const ref = referenceEinsum(eq, xs);
          const before = calls;
          expect(allClose(einsum(eq, xs, { optimize: "right-to-left", cachePlan: false }), ref, { rtol: 1e-10, atol: 1e-12 })).toBe(true);
          expect(allClose(contract(eq, ...xs, { optimize: "right-to-left", cachePlan: false }), ref, { rtol: 1e-10, atol: 1e-12 })).toBe(
            true,
          );
          expect(
            allClose(contractExpression(eq, ...xs.map((x) => x.shape), { optimize: "right-to-left" })(...xs), ref, {
              rtol: 1e-10,
              atol: 1e-12,
            }),
          ).toBe(true);
          const { info } = contractPath(eq, ...xs, { optimize: "right-to-left" });
          expect(info.steps.length).toBe(n - 1);
          expect(calls - before).toBe(4);
        },
      ),
      { numRuns: 25 },
    );
  });

  test("the path is the finder's (linear form at the API edge)", () => {
    register("right-to-left", rightToLeft);
    expect(contractPath("ab,bc,cd,de->ae", [2, 3], [3, 4], [4, 5], [5, 6], { optimize: "right-to-left" }).path).toEqual([
      [2, 3],
      [1, 2],
      [0, 1],
    ]);
  });

  test("bad names are typed errors; built-ins cannot be replaced; re-registering needs { replace: true }", () => {
    for (const bad of ["", " mine", "my optimizer", "-x", "a|b", "ü"])
      expect(() => registerOptimizer(bad, rightToLeft)).toThrow(InvalidArgumentError);
    for (const builtIn of ["auto", "greedy", "sequential", "optimal"]) {
      expect(() => registerOptimizer(builtIn, rightToLeft)).toThrow(/built-in/);
      expect(() => registerOptimizer(builtIn, rightToLeft, { replace: true })).toThrow(InvalidArgumentError);
    }
    expect(() => registerOptimizer("not-a-function", 42 as unknown as typeof rightToLeft)).toThrow(InvalidArgumentError);
    register("mine", rightToLeft);
    expect(() => registerOptimizer("mine", rightToLeft)).toThrow(/already registered/);
    registerOptimizer("mine", (p) => getOptimizer("greedy")(p, {}), { replace: true });
    expect(unregisterOptimizer("mine")).toBe(true);
    expect(unregisterOptimizer("mine")).toBe(false);
    expect(unregisterOptimizer("greedy")).toBe(false);
    expect(() =>
      einsum("ab,bc,cd->ad", [randn([2, 2], { seed: 1 }), randn([2, 2], { seed: 2 }), randn([2, 2], { seed: 3 })], { optimize: "mine" }),
    ).toThrow(UnknownOptimizerError);
  });

  test("a replaced finder is used at once: plans cached for the old one are not reused", () => {
    const xs = [randn([2, 3], { seed: 1 }), randn([3, 4], { seed: 2 }), randn([4, 5], { seed: 3 })];
    register("swap", () => [
      [0, 1],
      [2, 3],
    ]);
    const first = einsum("ab,bc,cd->ad", xs, { optimize: "swap" });
    let used = false;
    registerOptimizer(
      "swap",
      (p) => {
        used = true;
        return rightToLeft(p);
      },
      { replace: true },
    );
    const second = einsum("ab,bc,cd->ad", xs, { optimize: "swap" });
    expect(used).toBe(true);
    expect(allClose(second, first, { rtol: 1e-12 })).toBe(true);
  });

  test("a finder that returns an invalid path: a typed error naming the optimizer", () => {
    const xs = [randn([2, 3], { seed: 1 }), randn([3, 4], { seed: 2 }), randn([4, 5], { seed: 3 })];
    const bad: [string, () => unknown][] = [
      [
        "reuses-an-operand",
        () => [
          [0, 1],
          [0, 2],
        ],
      ],
      ["leaves-two", () => [[0, 1]]],
      [
        "future-id",
        () => [
          [0, 4],
          [1, 2],
        ],
      ],
      ["not-an-array", () => "0,1"],
      ["empty", () => []],
      [
        "fractional",
        () => [
          [0, 1.5],
          [2, 3],
        ],
      ],
    ];
    for (const [name, finder] of bad) {
      register(name, finder as () => Path);
      let error: unknown;
      try {
        einsum("ab,bc,cd->ad", xs, { optimize: name });
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(InvalidPathError);
      expect((error as InvalidPathError).optimizer).toBe(name);
      expect((error as InvalidPathError).code).toBe("invalid-path");
      expect((error as Error).message).toContain(`optimizer '${name}'`);
    }
  });

  test("a registered finder's path is held to memoryLimit like the built-ins'", () => {
    register("outer-first", () => [
      [0, 2],
      [1, 3],
    ]);
    const xs = [randn([8, 2], { seed: 1 }), randn([2, 8], { seed: 2 }), randn([8, 8], { seed: 3 })];
    expect(() => einsum("ab,bc,cd->ad", xs, { optimize: "outer-first", memoryLimit: 100 })).toThrow(MemoryLimitError);
    expect(allClose(einsum("ab,bc,cd->ad", xs, { optimize: "outer-first" }), referenceEinsum("ab,bc,cd->ad", xs), { rtol: 1e-12 })).toBe(
      true,
    );
  });
});
