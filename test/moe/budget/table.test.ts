/** Plain-text tables and sweeps. */
import { describe, expect, test } from "vitest";
import {
  budgetSweep,
  describeLayer,
  expertRange,
  formatBudgetTable,
  formatCount,
  formatSweepTable,
  InvalidArgumentError,
  sweepChartSvg,
  triplesFromRing,
} from "../../../src/index.js";

describe("formatBudgetTable", () => {
  test("the demo's layer next to its reference layers", () => {
    const t = formatBudgetTable({ kind: "cp", inputDim: 16, outputDim: 24, expertDims: [8], ranks: 12, useBias: false });
    const lines = t.split("\n");
    expect(lines[0]).toMatch(/^layer\s+params\s+active params\s+MACs\/token\s+FLOPs\/token\s+naive MACs\s+max expert rank$/);
    const row = (name: string) =>
      lines
        .find((l) => l.startsWith(name))!
        .trim()
        .split(/\s{2,}/);
    expect(row("linear 16→24")).toEqual(["linear 16→24", "384", "384", "384", "768", "16"]);
    // CP: 12·(8+16+24) + 16·8 = 704 params; MACs 16·8 + 12·48 + 12 = 716; naive 8·16·24·12 + 8·16·24 + 8·24.
    expect(row("CPμMoE N=8 R=12")).toEqual([
      "CPμMoE N=8 R=12",
      "704",
      "704",
      "716",
      "1,432",
      formatCount(8n * 16n * 24n * 12n + 8n * 16n * 24n + 8n * 24n + 128n),
      "12",
    ]);
    expect(row("sparse MoE N=8 top-2")[2]).toBe(formatCount(2n * 384n + 128n));
    expect(t).toContain("FLOPs = 2 × MACs");
  });

  test("without comparison rows; a reference layer is not listed twice", () => {
    expect(formatBudgetTable({ kind: "linear", inputDim: 4, outputDim: 4 }, { compare: false }).trim().split("\n").length).toBe(4);
    const t = formatBudgetTable({ kind: "dense", inputDim: 4, outputDim: 4, nExperts: 3 });
    expect(t.match(/^dense MoE N=3/gm)!.length).toBe(1);
  });

  test("names", () => {
    expect(describeLayer({ kind: "tr", inputDim: 4, outputDim: 8, expertDims: [16, 2], ranks: triplesFromRing([4, 4, 4, 4]) })).toBe(
      "TRμMoE N=16×2 R=(4,4,4,4)",
    );
    expect(describeLayer({ kind: "linear", inputDim: 768, outputDim: 3072, secondDim: 768 })).toBe("MLP 768→3072→768");
    expect(formatCount(1209139200n)).toBe("1,209,139,200");
    expect(formatCount(-581n)).toBe("-581");
  });
});

describe("sweeps", () => {
  test("expertRange", () => {
    expect(expertRange(16, 4096)).toEqual([16, 32, 64, 128, 256, 512, 1024, 2048, 4096]);
  });

  test("matched ranks follow the CLIP table; infeasible where the gate exceeds the target", () => {
    const s = budgetSweep({ inputDim: 768, outputDim: 1000, experts: [64, 512, 1024] });
    const [r64, r512, r1024] = s.rows;
    expect(r64!.entries.cp).toMatchObject({ feasible: true, ranks: 393, params: 769_521n });
    expect(r512!.entries.tr).toMatchObject({ feasible: true, ranks: [4, 4, 52], params: 769_360n });
    expect(r1024!.entries.cp.feasible).toBe(false);
    expect(r1024!.entries.dense).toMatchObject({ feasible: true, params: 1024n * 769n * 1000n + 768n * 1024n });
    const table = formatSweepTable(s);
    expect(table).toContain("infeasible");
    expect(table.split("\n")[0]).toContain("linear target 769,000");
  });

  test("fixed ranks are used as given", () => {
    const s = budgetSweep({ inputDim: 64, outputDim: 64, experts: [16], cpRank: 8, trRanks: [2, 2, 8] });
    expect(s.rows[0]!.entries.cp).toMatchObject({ ranks: 8 });
    expect(s.rows[0]!.entries.tr).toMatchObject({ ranks: [2, 2, 8] });
    expect(sweepChartSvg(s)).toContain("CPμMoE<");
  });

  test("an empty range is rejected", () => {
    expect(() => expertRange(100, 50)).toThrow(InvalidArgumentError);
    expect(() => expertRange(3, 3)).toThrow(/no power of two/);
    expect(() => budgetSweep({ inputDim: 4, outputDim: 4, experts: [] })).toThrow(InvalidArgumentError);
  });
});
