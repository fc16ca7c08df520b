/**
 * The parsed expression: labels, output order, sizes, broadcasting, sublist names.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ELLIPSIS, getSymbol, makeProblem, parseEinsum, parseSublist } from "../../../src/index.js";
import { einsumCaseArb } from "../../arbitraries/einsum.js";
import { labelSizes } from "../../oracles/naive-einsum.js";

describe("parseEinsum on generated problems", () => {
  test("named output labels, label sizes and operand shapes agree with the generator", () => {
    fc.assert(
      fc.property(einsumCaseArb, (c) => {
        const p = c.form === "string" ? parseEinsum(c.equation, c.shapes) : parseSublist(c.sublists, c.shapes, c.sublistOutput);
        const name = (l: string): unknown => (p.labelNames ? p.labelNames.get(l) : l);
        expect(p.output.length).toBe(c.oracle.output.length);
        c.oracle.output.forEach((l, i) => {
          if (typeof l !== "symbol") expect(name(p.output[i]!)).toBe(l);
        });
        const sizes = labelSizes(c.oracle);
        for (const [l, d] of sizes) if (typeof l !== "symbol") expect(p.sizes.get([...p.sizes.keys()].find((s) => name(s) === l)!)).toBe(d);
        expect(p.operandShapes).toEqual(c.shapes);
        // Effective terms drop exactly the broadcast axes, and the equation spells them.
        p.inputs.forEach((t, k) => expect(t.length + p.broadcastAxes[k]!.length).toBe(c.shapes[k]!.length));
        const effective = p.inputs.map((t) => t.map((l) => p.sizes.get(l)!));
        const again = parseEinsum(p.equation, effective);
        expect(again.inputs).toEqual(p.inputs);
        expect(again.output).toEqual(p.output);
      }),
      { numRuns: 500 },
    );
  });
});

describe("implicit output", () => {
  test("labels seen once, in code point order (uppercase before lowercase)", () => {
    expect(parseEinsum("bA", [[2, 3]]).output).toEqual(["A", "b"]);
    expect(
      parseEinsum("zA,Ab", [
        [2, 3],
        [3, 4],
      ]).output,
    ).toEqual(["b", "z"]);
    expect(parseEinsum("ii", [[2, 2]]).output).toEqual([]);
    expect(
      parseEinsum("ij,jk", [
        [2, 3],
        [3, 4],
      ]).output,
    ).toEqual(["i", "k"]);
  });

  test("astral labels sort after U+E000–U+FFFF (code points, not UTF-16 units) — regression", () => {
    expect(parseEinsum("𝑥ｘ", [[2, 3]]).output).toEqual(["ｘ", "𝑥"]);
    expect(parseSublist([["𝑥", "ｘ"]], [[2, 3]]).labelNames).toBeDefined();
    const p = parseSublist([["𝑥", "ｘ"]], [[2, 3]]);
    expect(p.output.map((l) => p.labelNames!.get(l))).toEqual(["ｘ", "𝑥"]);
  });

  test("ellipsis axes come first", () => {
    const p = parseEinsum("b...a", [[2, 5, 6, 3]]);
    expect(p.output.length).toBe(4);
    expect(p.output.slice(2)).toEqual(["a", "b"]);
    expect(p.output.slice(0, 2).map((l) => p.sizes.get(l))).toEqual([5, 6]);
  });

  test("sublist labels: numbers ascending, then strings", () => {
    const p = parseSublist([[30, "b", -2, "a", 1.5]], [[1, 2, 3, 4, 5]]);
    expect(p.output.map((l) => p.labelNames!.get(l))).toEqual([-2, 1.5, 30, "a", "b"]);
    expect(p.output.map((l) => p.sizes.get(l))).toEqual([3, 5, 1, 4, 2]);
  });
});

describe("the parsed problem", () => {
  test("spaces are ignored anywhere between tokens", () => {
    expect(
      parseEinsum(" i j ,\tj k -> i k ", [
        [2, 3],
        [3, 4],
      ]).equation,
    ).toBe("ij,jk->ik");
  });

  test("broadcast axes of size 1 are dropped from the effective terms", () => {
    const p = parseEinsum("ij,jk->ik", [
      [2, 1],
      [3, 4],
    ]);
    expect(p.broadcastAxes).toEqual([[1], []]);
    expect(p.inputs).toEqual([["i"], ["j", "k"]]);
    expect(p.sizes.get("j")).toBe(3);
    expect(p.equation).toBe("i,jk->ik");
  });

  test("ellipsis dimensions broadcast right-aligned, size 1 included", () => {
    const p = parseEinsum("...ij,...jk->...ik", [
      [2, 1, 3, 4],
      [5, 4, 6],
    ]);
    expect(p.output.map((l) => p.sizes.get(l))).toEqual([2, 5, 3, 6]);
    expect(p.broadcastAxes).toEqual([[1], []]);
  });

  test("sublist form with more than 52 labels", () => {
    const labels = Array.from({ length: 60 }, (_, i) => i * 10);
    const p = parseSublist([labels, labels.slice(0, 3)], [labels.map(() => 1), [1, 1, 1]], [0, 590]);
    expect(p.inputs[0]!.length).toBe(60);
    expect(new Set(p.inputs[0]).size).toBe(60);
    expect(p.output.map((l) => p.labelNames!.get(l))).toEqual([0, 590]);
    expect(p.labelNames!.get(getSymbol(52))).toBe(520);
  });

  test("sublist: the ellipsis value and numbers vs equal-looking strings", () => {
    const p = parseSublist(
      [
        [ELLIPSIS, 0],
        ["0", ELLIPSIS],
      ],
      [
        [4, 2],
        [3, 4],
      ],
    );
    expect(p.output.map((l) => p.labelNames!.get(l))).toEqual(["...0", 0, "0"]);
  });

  test("makeProblem takes label lists and sizes", () => {
    const p = makeProblem({
      inputs: [["x", "y"], ["y"]],
      output: ["x"],
      sizes: new Map([
        ["x", 2],
        ["y", 3],
      ]),
    });
    expect(p.operandShapes).toEqual([[2, 3], [3]]);
    expect(p.equation).toBe("xy,y->x");
  });
});

describe("getSymbol", () => {
  test("letters first, then one code point per index, never a surrogate, all distinct", () => {
    expect(getSymbol(0)).toBe("a");
    expect(getSymbol(25)).toBe("z");
    expect(getSymbol(26)).toBe("A");
    expect(getSymbol(51)).toBe("Z");
    expect(getSymbol(52)).toBe("\u00c0");
    const seen = new Set<string>();
    for (let i = 0; i < 60000; i++) {
      const s = getSymbol(i);
      const cp = s.codePointAt(0)!;
      if ([...s].length !== 1 || (cp >= 0xd800 && cp <= 0xdfff) || seen.has(s)) expect.fail(`getSymbol(${i}) = U+${cp.toString(16)}`);
      seen.add(s);
    }
    expect(new TextDecoder().decode(new TextEncoder().encode(getSymbol(55200)))).toBe(getSymbol(55200));
  });
});
