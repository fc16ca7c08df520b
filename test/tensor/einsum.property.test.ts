/**
 * The central property: einsum (parse → path → plan → execute) equals the naive oracle of
 * test/oracles on generated problems in numpy's full grammar, for every registered optimizer and for
 * random explicit paths.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  einsum,
  einsumSublist,
  optimizerNames,
  parseSublist,
  referenceContract,
  referenceEinsum,
  type DenseTensor,
  type DType,
  type EinsumOptions,
} from "../../src/index.js";
import { einsumCaseArb, wideSublistArb, type EinsumCase } from "../arbitraries/einsum.js";
import { naiveEinsum } from "../oracles/naive-einsum.js";
import { expectMatchesOracle, LAYOUTS, materialize } from "../helpers/tensors.js";

/** A random valid SSA path over `n` operands (steps of 1–3 operands), from a seed. */
function randomSsaPath(n: number, seed: number): number[][] {
  let s = seed >>> 0 || 1;
  const next = (m: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % m;
  };
  const alive = [...Array(n).keys()];
  let id = n;
  const path: number[][] = [];
  let unary = 0;
  while (alive.length > 1 || path.length === 0) {
    const maxK = Math.min(3, alive.length);
    let k = 2 + next(maxK - 1);
    if (alive.length === 1 || (unary < 2 && next(6) === 0)) {
      k = 1;
      unary++;
    }
    const step: number[] = [];
    for (let i = 0; i < k; i++) step.push(alive.splice(next(alive.length), 1)[0]!);
    path.push(step);
    alive.push(id++);
  }
  return path;
}

/** The same path in opt_einsum's linear form (positions in the shrinking operand list). */
function toLinear(ssa: readonly number[][], n: number): number[][] {
  const current = [...Array(n).keys()];
  let next = n;
  return ssa.map((step) => {
    const positions = step.map((id) => current.indexOf(id));
    for (const p of [...positions].sort((a, b) => b - a)) current.splice(p, 1);
    current.push(next++);
    return positions;
  });
}

const optimizeArb = fc.oneof(
  fc.constantFrom(...optimizerNames()).map((name) => ({ name, make: (): EinsumOptions => ({ optimize: name }) })),
  fc.integer().map((seed) => ({
    name: `random SSA path (seed ${seed})`,
    make: (n: number): EinsumOptions => ({ optimize: { path: randomSsaPath(n, seed), format: "ssa" } }),
  })),
  fc.integer().map((seed) => ({
    name: `random linear path (seed ${seed})`,
    make: (n: number): EinsumOptions => ({ optimize: { path: toLinear(randomSsaPath(n, seed), n) } }),
  })),
);

function run(c: EinsumCase, dtype: DType, options: EinsumOptions): DenseTensor {
  const xs = c.shapes.map((s, k) => materialize(s, c.data[k]!, c.layouts[k]!, dtype));
  if (c.form === "string") return einsum(c.equation, xs, options);
  return einsumSublist(
    xs.map((tensor, k) => ({ tensor, labels: c.sublists[k]! })),
    c.sublistOutput,
    options,
  );
}

function describeCase(c: EinsumCase): string {
  return `${c.form} ${JSON.stringify(c.equation)} shapes ${JSON.stringify(c.shapes)} layouts ${c.layouts.map((l) => LAYOUTS[l]).join("/")}`;
}

describe("einsum equals the naive oracle", () => {
  test("float64, rtol 1e-12, 1,000 generated problems", () => {
    let checked = 0;
    fc.assert(
      fc.property(einsumCaseArb, optimizeArb, (c, opt) => {
        const expected = naiveEinsum(c.oracle, c.data);
        const y = run(c, "float64", opt.make(c.shapes.length));
        expect(y.dtype).toBe("float64");
        expectMatchesOracle(y, expected, 1e-12, `${describeCase(c)} optimize ${opt.name}`);
        checked++;
      }),
      { numRuns: 1000 * Number(process.env.FC_SCALE ?? 1) },
    );
    expect(checked).toBeGreaterThanOrEqual(1000);
  });

  test("float32, rtol 2e-5, 300 generated problems", () => {
    fc.assert(
      fc.property(einsumCaseArb, optimizeArb, (c, opt) => {
        const data32 = c.data.map((d) => Float64Array.from(d, Math.fround));
        const expected = naiveEinsum(c.oracle, data32);
        const y = run({ ...c, data: data32 }, "float32", opt.make(c.shapes.length));
        expect(y.dtype).toBe("float32");
        expectMatchesOracle(y, expected, 2e-5, `${describeCase(c)} optimize ${opt.name}`);
      }),
      { numRuns: 300 * Number(process.env.FC_SCALE ?? 1) },
    );
  });

  test("sublist form with 53–80 labels", () => {
    fc.assert(
      fc.property(wideSublistArb, optimizeArb, (c, opt) => {
        const y = run(c, "float64", opt.make(c.shapes.length));
        expectMatchesOracle(y, naiveEinsum(c.oracle, c.data), 1e-12, `${describeCase(c)} optimize ${opt.name}`);
      }),
      { numRuns: 60 * Number(process.env.FC_SCALE ?? 1) },
    );
  });
});

describe("the library's reference einsum equals the test oracle", () => {
  test("300 generated problems", () => {
    fc.assert(
      fc.property(einsumCaseArb, (c) => {
        const xs = c.shapes.map((s, k) => materialize(s, c.data[k]!, c.layouts[k]!));
        const y =
          c.form === "string"
            ? referenceEinsum(c.equation, xs)
            : referenceContract(parseSublist(c.sublists, c.shapes, c.sublistOutput), xs);
        expectMatchesOracle(y, naiveEinsum(c.oracle, c.data), 1e-12, describeCase(c));
      }),
      { numRuns: 300 },
    );
  });
});

describe("the arbitrary covers the grammar", () => {
  // Guards the generator itself: a property that never sees ellipses or hyperedges proves little.
  test("features appear in a sample", () => {
    const sample = fc.sample(einsumCaseArb, { numRuns: 1000, seed: 42 });
    const count = (f: (c: EinsumCase) => boolean): number => sample.filter(f).length;
    const labelsOf = (c: EinsumCase): unknown[][] => c.oracle.inputs.map((t) => t.filter((l) => typeof l !== "symbol"));
    const features = {
      string: count((c) => c.form === "string"),
      sublist: count((c) => c.form === "sublist"),
      implicit: count((c) => (c.form === "string" ? !c.equation.includes("->") : c.sublistOutput === undefined)),
      ellipsis: count((c) => c.oracle.inputs.some((t) => t.some((l) => typeof l === "symbol"))),
      repeatedInOperand: count((c) => labelsOf(c).some((t) => new Set(t).size < t.length)),
      hyperedge: count((c) => {
        const n = new Map<unknown, number>();
        for (const t of labelsOf(c)) for (const l of new Set(t)) n.set(l, (n.get(l) ?? 0) + 1);
        return [...n].some(([l, k]) => k >= 3 || (k >= 2 && c.oracle.output.includes(l)));
      }),
      summedInOneOperand: count((c) => {
        const terms = labelsOf(c);
        return terms.some((t, k) => t.some((l) => !c.oracle.output.includes(l) && terms.every((u, j) => j === k || !u.includes(l))));
      }),
      scalarOperand: count((c) => c.shapes.some((s) => s.length === 0)),
      sizeZero: count((c) => c.shapes.some((s) => s.includes(0))),
      broadcastOne: count((c) => {
        const sizes = new Map<unknown, Set<number>>();
        c.oracle.inputs.forEach((t, k) => t.forEach((l, a) => sizes.set(l, (sizes.get(l) ?? new Set()).add(c.shapes[k]![a]!))));
        return [...sizes.values()].some((s) => s.has(1) && s.size > 1);
      }),
      sixOperands: count((c) => c.shapes.length === 6),
      spaces: count((c) => c.form === "string" && /\s/.test(c.equation)),
      nonAscii: count((c) => c.form === "string" && /[^\x00-\x7f]/.test(c.equation)),
    };
    for (const [name, n] of Object.entries(features)) expect(n, name).toBeGreaterThanOrEqual(20);
  });
});
