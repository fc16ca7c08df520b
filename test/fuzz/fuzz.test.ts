/**
 * A short fuzz run (the CI runs `npm run fuzz -- --cases 5000`, with a per-case watchdog in a worker),
 * plus the cases the fuzzer found, kept as regressions.
 */
import { describe, expect, test } from "vitest";
import {
  contract,
  contractExpression,
  contractPath,
  cpAls,
  createMuMoE,
  einsum,
  einsumSublist,
  InvalidPathError,
  InvalidShapeError,
  MultilinearError,
  randn,
  tensor,
  ttSvd,
} from "../../src/index.js";
import { CASE_KINDS, runCase } from "./cases.js";
import { parseEquationOracle } from "../oracles/equation.js";
import { thrown } from "../helpers/thrown.js";

describe("fuzz", () => {
  test("300 cases of every kind pass", () => {
    const failures = [];
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const r = runCase(20240601, i);
      seen.add(r.kind);
      if (!r.ok) failures.push(`case ${i} [${r.kind}]: ${r.message}\n  ${r.repro}`);
    }
    expect(failures).toEqual([]);
    expect([...seen].sort()).toEqual([...CASE_KINDS].sort());
  });

  test("a case is a pure function of (seed, index)", () => {
    expect(runCase(5, 17)).toEqual(runCase(5, 17));
  });

  test("the equation oracle refuses what numpy refuses", () => {
    expect(
      parseEquationOracle("ij,jk->ik", [
        [2, 3],
        [3, 4],
      ]).ok,
    ).toBe(true);
    for (const eq of ["ij,jk->i,k", "i.j", "ij->ii", "ij->k", "ij-k", "...i...", "ij,jk->ik->i"])
      expect(
        parseEquationOracle(eq, [
          [2, 3],
          [3, 4],
        ]).ok,
        eq,
      ).toBe(false);
    expect(
      parseEquationOracle("...ij,jk->ik", [
        [5, 2, 3],
        [3, 4],
      ]).ok,
    ).toBe(false);
  });
});

describe("regressions found by the fuzzer", () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);

  test("interleaved form with a broadcast (size-1) repeated label keeps its axes", () => {
    // The interleaved call was once spelled through the parsed problem's equation, which drops size-1 broadcast axes.
    const x = randn([1, 1], { seed: 1 });
    const y = randn([3, 2, 2, 2], { seed: 2 });
    const got = contract(x, ["p", "p"], y, ["...", -7, 2, 2, "p"]);
    const want = einsumSublist([
      { tensor: x, labels: ["p", "p"] },
      { tensor: y, labels: ["...", -7, 2, 2, "p"] },
    ]);
    expect(got.shape).toEqual([3]);
    expect(got.toArray()).toEqual(want.toArray());
  });

  test.each([
    ["contractExpression with a non-string equation", () => contractExpression(null as never, [2, 2])],
    ["contractExpression with a bad shape", () => contractExpression("ij,jk->ik", [1e10, 1e10], 0 as never)],
    ["einsumSublist with a non-list", () => einsumSublist([[1, 2], [3]] as never)],
    ["einsumSublist with a number as the output", () => einsumSublist([{ tensor: a, labels: [0, 1] }], 5 as never)],
    ["ttSvd with a non-tensor", () => ttSvd([NaN] as never)],
    ["ttSvd with ranks: null", () => ttSvd(randn([3, 3, 3], { seed: 1 }), { ranks: null as never })],
    ["cpAls with a fake network operand", () => cpAls({ shape: "x", dtype: "float64", network: () => 1 } as never, 2)],
    [
      "layer.forward with a bigint",
      () => createMuMoE({ kind: "cp", inputDim: 4, outputDim: 3, expertDims: [4], ranks: 2 }, { seed: 1 }).forward(-5n as never),
    ],
  ])("%s is a MultilinearError", (_, f) => {
    expect(thrown(f)).toBeInstanceOf(MultilinearError);
  });

  test.each([
    [
      "createMuMoE with inputDim 1e10",
      () => createMuMoE({ kind: "cp", inputDim: 1e10, outputDim: 3, expertDims: [4], ranks: 2 }, { seed: 1 }),
    ],
    [
      "createMuMoE with outputDim 1e10",
      () => createMuMoE({ kind: "cp", inputDim: 4, outputDim: 1e10, expertDims: [4], ranks: 2 }, { seed: 1 }),
    ],
    ["cpAls with rank 2^53", () => cpAls(randn([3, 3, 3], { seed: 1 }), 2 ** 53, { maxIter: 2 })],
    ["cpAls with rank 1e10", () => cpAls(randn([3, 3, 3], { seed: 1 }), 1e10, { maxIter: 2 })],
  ])("%s is refused by the size check, not by an allocation RangeError", (_, f) => {
    const e = thrown(f);
    expect(e).toBeInstanceOf(InvalidShapeError);
    expect((e as InvalidShapeError).message).toMatch(/cannot allocate \d+ elements|has an invalid size|more than one tensor can hold/);
  });

  test("a path finder that returns a non-path is an InvalidPathError", () => {
    const e = thrown(() => contractPath("ab,bc,cd->ad", [2, 3], [3, 4], [4, 5], { optimize: (() => 1) as never }));
    expect(e).toBeInstanceOf(InvalidPathError);
    expect(thrown(() => einsum("ab,bc,cd->ad", [a, a, a], { optimize: (() => "x") as never }))).toBeInstanceOf(InvalidPathError);
  });
});
