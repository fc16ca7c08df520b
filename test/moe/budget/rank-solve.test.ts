/**
 * Parameter matching: the official ceil rule reproduced, "under" never exceeds the budget and is
 * optimal, infeasible budgets reported as a typed result and error.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  InfeasibleBudgetError,
  InvalidArgumentError,
  layerBudget,
  linearTarget,
  matchRank,
  solveRank,
  triplesFromRing,
  type RankMatch,
  type RankTemplate,
} from "../../../src/index.js";
import { resolveLayer } from "../../../src/moe/budget/spec.js";

/** The official finetune.py formulas, transcribed (CP; TR with R1 = R2 = 4), one level, bias on. */
function officialCp(i: number, o: number, n: number, p: number): number {
  return Math.ceil((p - n * i) / (i + 1 + o + n));
}
function officialTr(i: number, o: number, n: number, p: number): number {
  return Math.ceil((p - (4 * n * 4 + n * i)) / ((i + 1) * 4 + 4 * o));
}

const arbTemplate = fc
  .record({
    kind: fc.constantFrom("cp" as const, "tr" as const),
    inputDim: fc.integer({ min: 1, max: 400 }),
    outputDim: fc.integer({ min: 1, max: 400 }),
    secondDim: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
    expertDims: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 2 }),
    useBias: fc.boolean(),
    applyLn: fc.boolean(),
    fixed: fc.integer({ min: 1, max: 6 }),
  })
  .map(({ fixed, ...t }) => ({ template: t as RankTemplate, fixed }));

const arbTarget = fc.bigInt({ min: 1n, max: 5_000_000n });

const paramsAt = (template: RankTemplate, r: number, fixed: number): bigint =>
  layerBudget({
    ...template,
    ranks: template.kind === "cp" ? r : triplesFromRing([...Array<number>(template.expertDims.length + 1).fill(fixed), r]),
  } as never).params;

/** Whether rank r is usable at all (the expert tensor can use it). */
const admissible = (template: RankTemplate, r: number, fixed: number): boolean => {
  try {
    resolveLayer({
      ...template,
      ranks: template.kind === "cp" ? r : triplesFromRing([...Array<number>(template.expertDims.length + 1).fill(fixed), r]),
    } as never);
    return true;
  } catch {
    return false;
  }
};

/**
 * Where the official formula gives a rank ≥ 1 we find one too: the same, or a smaller one when the
 * expert tensor's maximal rank caps it; where it gives < 1 the budget is infeasible.
 */
function expectOfficial(m: RankMatch, want: number): void {
  if (want < 1) {
    expect(m.feasible).toBe(false);
    return;
  }
  if (!m.feasible) throw new Error(`infeasible, but the official rule gives rank ${want}`);
  if (m.limitedBy === "budget") expect(m.rank).toBe(want);
  else expect(m.rank).toBeLessThan(want);
}

describe("the official ceil rule", () => {
  test("CP and TR ranks equal finetune.py's formulas wherever they are ≥ 1 (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2048 }), fc.integer({ min: 1, max: 2048 }), fc.integer({ min: 1, max: 4096 }), (i, o, n) => {
        const p = i * o + o;
        expectOfficial(matchRank({ kind: "cp", inputDim: i, outputDim: o, expertDims: [n] }, BigInt(p)), officialCp(i, o, n, p));
        const tr: RankTemplate = { kind: "tr", inputDim: i, outputDim: o, expertDims: [n] };
        // A tiny expert tensor cannot take the fixed ranks R1 = R2 = 4 at all: a typed error, not a rank.
        if (!admissible(tr, 1, 4)) expect(() => matchRank(tr, BigInt(p))).toThrow(InvalidArgumentError);
        else expectOfficial(matchRank(tr, BigInt(p)), officialTr(i, o, n, p));
      }),
      { numRuns: 400 },
    );
  });

  test("ceil: the smallest rank reaching the target (property)", () => {
    fc.assert(
      fc.property(arbTemplate, arbTarget, ({ template, fixed }, target) => {
        const m = matchRank(template, target, { mode: "ceil", fixedRanks: fixed });
        if (!m.feasible) {
          expect(m.fixedParams >= target).toBe(true);
          expect(m.minimumParams).toBe(paramsAt(template, 1, fixed));
          return;
        }
        expect(m.params).toBe(paramsAt(template, m.rank, fixed));
        expect(m.difference).toBe(m.params - target);
        if (m.limitedBy === "budget") {
          expect(m.params >= target).toBe(true);
          expect(m.params - target < m.slope).toBe(true); // overshoot below one rank unit
          if (m.rank > 1) expect(paramsAt(template, m.rank - 1, fixed) < target).toBe(true);
        } else {
          expect(m.params < target).toBe(true);
          expect(admissible(template, m.rank + 1, fixed)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("under: match or stay under", () => {
  test("never exceeds the budget, and no larger admissible rank does (property)", () => {
    fc.assert(
      fc.property(arbTemplate, arbTarget, ({ template, fixed }, target) => {
        const m = matchRank(template, target, { mode: "under", fixedRanks: fixed });
        if (!m.feasible) {
          expect(paramsAt(template, 1, fixed) > target).toBe(true);
          return;
        }
        expect(m.rank >= 1).toBe(true);
        expect(m.params <= target).toBe(true);
        expect(admissible(template, m.rank, fixed)).toBe(true);
        // Optimal: the next rank is over budget or not admissible.
        const next = m.rank + 1;
        expect(!admissible(template, next, fixed) || paramsAt(template, next, fixed) > target).toBe(true);
        expect(m.relativeDifference).toBeCloseTo(Number(m.params - target) / Number(target), 12);
        expect(m.relativeDifference <= 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test("CLIP head, N=512: one rank below the official ceil values (CP 165 → 164, TR 52 → 51)", () => {
    const cp = matchRank({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512] }, 769_000n, { mode: "under" });
    const tr = matchRank({ kind: "tr", inputDim: 768, outputDim: 1000, expertDims: [512] }, 769_000n, { mode: "under" });
    expect(cp).toMatchObject({ feasible: true, rank: 164, params: 769_581n - 2_281n });
    // TR at 52 costs 769,360, 360 over the target.
    expect(tr).toMatchObject({ feasible: true, rank: 51, params: 769_360n - 7_076n });
  });
});

describe("targets, fixed ranks, caps and errors", () => {
  test("linearTarget counts what the μMoE block replaces", () => {
    expect(linearTarget({ inputDim: 768, outputDim: 3072, secondDim: 768, applyLn: true })).toBe(4_723_968n);
    expect(linearTarget({ inputDim: 768, outputDim: 1000, useBias: false })).toBe(768_000n);
  });

  test("TR fixed ranks come from the template's triples when given", () => {
    const m = solveRank({ kind: "tr", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: triplesFromRing([2, 8, 1]) }, 769_000n);
    expect((m.config.ranks as readonly (readonly number[])[]).map((t) => t[0])).toEqual([2, 8, m.rank]);
  });

  test("a budget larger than the tensor can use is capped at the maximal rank", () => {
    const m = matchRank({ kind: "cp", inputDim: 2, outputDim: 3, expertDims: [2] }, 10_000n);
    // Expert tensor 2×3×3: maximal CP rank 2·3 = 6.
    expect(m).toMatchObject({ feasible: true, rank: 6, limitedBy: "max-rank" });
  });

  test("solveRank throws InfeasibleBudgetError with the numbers", () => {
    const f = () => solveRank({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [2048] }, 769_000n);
    expect(f).toThrow(InfeasibleBudgetError);
    try {
      f();
    } catch (e) {
      expect(e).toMatchObject({ code: "infeasible-budget", target: 769_000n, minimumParams: 2048n * 768n + (2048n + 769n + 1000n) });
    }
  });

  test.each([
    ["zero target", () => matchRank({ kind: "cp", inputDim: 4, outputDim: 4, expertDims: [4] }, 0n)],
    ["reference layer", () => matchRank({ kind: "dense" as never, inputDim: 4, outputDim: 4, expertDims: [4] }, 10n)],
    ["bad mode", () => matchRank({ kind: "cp", inputDim: 4, outputDim: 4, expertDims: [4] }, 10n, { mode: "round" as never })],
    [
      "wrong number of fixed ranks",
      () => matchRank({ kind: "tr", inputDim: 4, outputDim: 4, expertDims: [4] }, 100n, { fixedRanks: [4, 4, 4] }),
    ],
    ["non-positive size", () => matchRank({ kind: "cp", inputDim: 0, outputDim: 4, expertDims: [4] }, 100n)],
  ])("%s → InvalidArgumentError", (_, f) => {
    expect(f).toThrow(InvalidArgumentError);
  });
});
