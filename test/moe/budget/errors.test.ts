/** Bad layer descriptions → typed errors, raised before any counting. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ConfigError, InvalidArgumentError, layerBudget, resolveLayer, type MultilinearError, type LayerSpec } from "../../../src/index.js";

describe("bad input", () => {
  test.each<[string, LayerSpec, new (...a: never[]) => MultilinearError, RegExp]>([
    ["zero input", { kind: "linear", inputDim: 0, outputDim: 4 }, InvalidArgumentError, /inputDim must be a positive integer/],
    ["negative output", { kind: "dense", inputDim: 4, outputDim: -1, nExperts: 2 }, InvalidArgumentError, /outputDim/],
    ["fractional experts", { kind: "dense", inputDim: 4, outputDim: 4, nExperts: 2.5 }, InvalidArgumentError, /nExperts/],
    ["negative second layer", { kind: "linear", inputDim: 4, outputDim: 4, secondDim: -2 }, InvalidArgumentError, /secondDim/],
    [
      "top-k > experts",
      { kind: "sparse", inputDim: 4, outputDim: 4, nExperts: 4, topK: 5 },
      InvalidArgumentError,
      /topK 5 is larger than the number of experts 4/,
    ],
    ["top-k 0", { kind: "sparse", inputDim: 4, outputDim: 4, nExperts: 4, topK: 0 }, InvalidArgumentError, /topK/],
    ["zero slots", { kind: "soft", inputDim: 4, outputDim: 4, nExperts: 4, slotsPerExpert: 0 }, InvalidArgumentError, /slotsPerExpert/],
    ["no expert levels", { kind: "cp", inputDim: 4, outputDim: 4, expertDims: [], ranks: 2 }, InvalidArgumentError, /expertDims/],
    [
      "zero experts in a level",
      { kind: "cp", inputDim: 4, outputDim: 4, expertDims: [4, 0], ranks: 2 },
      InvalidArgumentError,
      /expertDims\[1\]/,
    ],
    ["zero CP rank", { kind: "cp", inputDim: 4, outputDim: 4, expertDims: [4], ranks: 0 }, InvalidArgumentError, /CP rank/],
    [
      "CP given triples",
      { kind: "cp", inputDim: 4, outputDim: 4, expertDims: [4], ranks: [[1, null, 1]] },
      InvalidArgumentError,
      /CP rank/,
    ],
    ["TR given a number", { kind: "tr", inputDim: 4, outputDim: 4, expertDims: [4], ranks: 3 }, ConfigError, /rank triples/],
    [
      "TR triples do not chain",
      {
        kind: "tr",
        inputDim: 4,
        outputDim: 4,
        expertDims: [4],
        ranks: [
          [2, null, 3],
          [4, null, 2],
          [2, null, 2],
        ],
      },
      ConfigError,
      /do not chain/,
    ],
    [
      "TR wrong number of triples",
      {
        kind: "tr",
        inputDim: 4,
        outputDim: 4,
        expertDims: [4, 2],
        ranks: [
          [2, null, 2],
          [2, null, 2],
          [2, null, 2],
        ],
      },
      ConfigError,
      /4 cores but 3/,
    ],
    [
      "unknown kind",
      { kind: "tucker", inputDim: 4, outputDim: 4 } as unknown as LayerSpec,
      InvalidArgumentError,
      /unknown layer kind 'tucker'/,
    ],
  ])("%s", (_, spec, cls, message) => {
    expect(() => layerBudget(spec)).toThrow(cls);
    expect(() => layerBudget(spec)).toThrow(message);
  });

  test("any non-positive or non-integer size is rejected (property)", () => {
    const bad = fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true }), fc.constant(Number.NaN), fc.constant(2 ** 60));
    fc.assert(
      fc.property(bad, fc.constantFrom("inputDim", "outputDim", "nExperts"), (v, field) => {
        const spec = { kind: "dense", inputDim: 4, outputDim: 4, nExperts: 4, [field]: v } as LayerSpec;
        expect(() => layerBudget(spec)).toThrow(InvalidArgumentError);
      }),
    );
  });
});

describe("ranks beyond what the expert tensor can use are counted, with a warning", () => {
  test("CP: the issue's 4×114×521 example counts R·(N + Ĩ + O) + I·N and says by how much", () => {
    const b = layerBudget({ kind: "cp", inputDim: 113, outputDim: 521, expertDims: [4], ranks: 518 });
    expect(b.params).toBe(518n * (4n + 114n + 521n) + 113n * 4n);
    expect(b.warnings).toHaveLength(1);
    expect(b.warnings[0]).toMatch(/CP rank 518 is larger than possible.*4×114×521, by 62.*above 456/);
  });
  test("CP within the bound and other layers: no warning; at the bound exactly: none", () => {
    expect(layerBudget({ kind: "cp", inputDim: 113, outputDim: 521, expertDims: [4], ranks: 456 }).warnings).toEqual([]);
    expect(layerBudget({ kind: "cp", inputDim: 113, outputDim: 521, expertDims: [4], ranks: 457 }).warnings[0]).toMatch(/by 1:/);
    expect(layerBudget({ kind: "linear", inputDim: 4, outputDim: 8 }).warnings).toEqual([]);
  });
  test("CP second layer and TR bonds are checked too", () => {
    const two = layerBudget({ kind: "cp", inputDim: 4, outputDim: 8, expertDims: [2], ranks: 11, secondDim: 2 });
    expect(two.warnings.some((w) => /first-layer.*2×5×8, by 1/.test(w))).toBe(true);
    expect(two.warnings.some((w) => /second-layer.*2×9×2, by 7/.test(w))).toBe(true);
    const tr = layerBudget({
      kind: "tr",
      inputDim: 1,
      outputDim: 1,
      expertDims: [2],
      ranks: [
        [1, null, 1],
        [1, null, 5],
        [5, null, 1],
      ],
    });
    expect(tr.warnings).toEqual([expect.stringMatching(/R_3 = 5 is larger than possible.*2×2×1, by 1: it has only 4 entries/)]);
  });
  test("resolveLayer's strict mode (the default) still refuses them, naming the bound", () => {
    expect(() => resolveLayer({ kind: "cp", inputDim: 4, outputDim: 8, expertDims: [2], ranks: 11 })).toThrow(
      /larger than possible.*2×5×8.*above 10[\s\S]*rank ≤ 10/,
    );
  });
});
