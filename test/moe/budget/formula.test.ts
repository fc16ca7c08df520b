/**
 * The symbolic formulas (mathjs, evaluated with bigints) against the tensor-by-tensor counts, and TeX.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { budgetTex, evaluateFormula, formulaToTex, InvalidArgumentError, layerBudget } from "../../../src/index.js";
import { arbLayerSpec } from "../../arbitraries/budget.js";

describe("formulas equal the exact counts", () => {
  test("params, active params, MACs, naive MACs and the expert-rank bound (property)", () => {
    fc.assert(
      fc.property(arbLayerSpec, (spec) => {
        const b = layerBudget(spec);
        const ev = (e: string) => evaluateFormula(e, b.symbols);
        expect(ev(b.formulas.params)).toBe(b.params);
        expect(ev(b.formulas.activeParams)).toBe(b.activeParams);
        expect(ev(b.formulas.macs)).toBe(b.macs);
        if (b.naiveMacs !== undefined) expect(ev(b.formulas.naiveMacs!)).toBe(b.naiveMacs);
        expect(ev(b.formulas.maxExpertRank)).toBe(BigInt(b.maxExpertRank));
      }),
      { numRuns: 400 },
    );
  });

  test("the spec's formulas, as written there", () => {
    const cp = layerBudget({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: 165 });
    expect(cp.formulas.params).toBe("R*(N + (I + 1) + O) + I*N");
    expect(cp.formulas.macs).toBe("I*N + R*(N + (I + 1) + O) + R");
    expect(cp.formulas.maxExpertRank).toBe("min(I, O, R)");
    const tr = layerBudget({
      kind: "tr",
      inputDim: 768,
      outputDim: 1000,
      expertDims: [512],
      ranks: [
        [4, null, 4],
        [4, null, 52],
        [52, null, 4],
      ],
    });
    expect(tr.formulas.params).toBe("R_1*N*R_2 + R_2*(I + 1)*R_3 + R_3*O*R_1 + I*N");
    expect(tr.formulas.macs).toBe("I*N + R_1*R_2*N + R_2*R_3*(I + 1) + R_1*R_2*R_3 + R_1*R_3*O");
    expect(tr.formulas.maxExpertRank).toBe("min(I, O, R_3*min(R_1, R_2))");
    expect(layerBudget({ kind: "sparse", inputDim: 4, outputDim: 4, nExperts: 8, topK: 2 }).formulas.macs).toBe("I*N + K*I*O + K*O");
    const h = layerBudget({ kind: "cp", inputDim: 8, outputDim: 8, expertDims: [4, 2], ranks: 8 });
    expect(h.formulas.params).toBe("R*(N_1 + N_2 + (I + 1) + O) + I*(N_1 + N_2)");
    expect(h.formulas.macs).toBe("I*(N_1 + N_2) + R*(N_1 + N_2 + (I + 1) + O) + 2*R");
  });

  test("symbols hold the layer's sizes", () => {
    const b = layerBudget({
      kind: "tr",
      inputDim: 7,
      outputDim: 9,
      secondDim: 5,
      expertDims: [3, 2],
      ranks: [
        [2, null, 3],
        [3, null, 4],
        [4, null, 5],
        [5, null, 2],
      ],
    });
    expect(b.symbols).toEqual({ I: 7n, O: 9n, D: 5n, N_1: 3n, N_2: 2n, R_1: 2n, R_2: 3n, R_3: 4n, R_4: 5n });
  });
});

describe("TeX", () => {
  test("subscripts and products", () => {
    expect(formulaToTex("R_1*R_2*N")).toBe("R_{1}\\cdot R_{2}\\cdot N");
    expect(formulaToTex("min(I, O, R_3*min(R_1, R_2))")).toBe("\\min\\left( I, O, R_{3}\\cdot\\min\\left( R_{1}, R_{2}\\right)\\right)");
  });

  test("every formula of every kind renders", () => {
    fc.assert(
      fc.property(arbLayerSpec, (spec) => {
        const tex = budgetTex(layerBudget(spec));
        for (const t of Object.values(tex)) {
          expect(t.length).toBeGreaterThan(0);
          expect(t).not.toMatch(/\\mathrm\{N\}|\\cdot[A-Za-z]/); // no unit typesetting, no glued control words
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("evaluateFormula errors", () => {
  test.each([
    ["R*(N", {}],
    ["R*N", { R: 2n }],
    ["R/N", { R: 1, N: 0 }],
  ] as const)("%s → InvalidArgumentError", (expr, scope) => {
    expect(() => evaluateFormula(expr, scope)).toThrow(InvalidArgumentError);
  });

  test("huge counts stay exact", () => {
    expect(evaluateFormula("N*I*O*R", { N: 4096, I: 12288, O: 49152, R: 12288 })).toBe(4096n * 12288n * 49152n * 12288n);
  });
});
