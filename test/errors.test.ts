/**
 * One test per error type: the class, its `code`, its data fields, and a message that says what is
 * wrong and how to fix it. Errors for oversized work are raised before anything large is allocated.
 */
import { describe, expect, test } from "vitest";
import {
  BackendLimitError,
  ConfigError,
  CpuBackend,
  DTypeMismatchError,
  EinsumSyntaxError,
  FileFormatError,
  InvalidArgumentError,
  InvalidPathError,
  InvalidShapeError,
  MemoryLimitError,
  MultilinearError,
  NotConvergedError,
  OperandCountError,
  OutputLabelError,
  RankMismatchError,
  Rng,
  ShapeMismatchError,
  UnknownOptimizerError,
  UnknownOptionError,
  einsum,
  einsumSublist,
  executePlanOnBackend,
  linearToSsa,
  makeProblem,
  parseDType,
  parseEinsum,
  parseSublist,
  planContraction,
  planProblem,
  rand,
  readNpy,
  referenceEinsum,
  scalar,
  tensor,
  zeros,
  type ErrorCode,
} from "../src/index.js";

/** Runs `f`, expects it to throw an instance of `cls`, and returns the error. */
function thrown<E extends MultilinearError>(cls: abstract new (...args: never[]) => E, f: () => unknown): E {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    expect(e).toBeInstanceOf(MultilinearError);
    return e as E;
  }
  return expect.fail(`expected ${cls.name} to be thrown`);
}

/** The common shape of every error: code, name, what/hint in the message. */
function expectWellFormed(e: MultilinearError, code: ErrorCode, what: RegExp, hint: RegExp): void {
  expect(e.code).toBe(code);
  expect(e.name).toBe(e.constructor.name);
  expect(e.what).toMatch(what);
  expect(e.hint).toMatch(hint);
  expect(e.message).toBe(`${e.what}\n  fix: ${e.hint}`);
}

describe("EinsumSyntaxError shows a caret under the offending character", () => {
  /** Checks `position` and that the caret sits under that character of the printed equation. */
  const expectCaret = (equation: string, position: number, problem: RegExp): EinsumSyntaxError => {
    const e = thrown(EinsumSyntaxError, () =>
      parseEinsum(equation, [
        [2, 2],
        [2, 2],
      ]),
    );
    expectWellFormed(e, "einsum-syntax", problem, /./);
    expect(e.position).toBe(position);
    expect(e.equation).toBe(equation);
    const [first, eqLine, caretLine] = e.what.split("\n");
    expect(first).toMatch(problem);
    expect(eqLine).toBe(`    ${equation.replace(/\s/gu, " ")}`);
    expect(caretLine).toBe(`${" ".repeat(4 + position)}^`);
    expect([...equation][position]).toBeDefined();
    return e;
  };

  test.each([
    ["ij,j>k", 4, /'>' without a preceding '-'/],
    ["ij-k,jk", 2, /'-' must be followed by '>'/],
    ["ij,jk->ik->i", 9, /more than one '->'/],
    ["ij,jk->i,k", 8, /the output cannot have ','/],
    ["i.j,jk", 1, /'\.' is only allowed as part of '\.\.\.'/],
    ["...i...,jk", 4, /a term has more than one '\.\.\.'/],
    ["ij,jk->......", 10, /the output has more than one '\.\.\.'/],
    ["i j, j k -> i k.", 15, /'\.' is only allowed/],
    ["𝑥j,jk->𝑥>", 8, /'>' without a preceding '-'/],
    ["ij,\tjk\n->i.", 10, /'\.' is only allowed/],
  ] as const)("%j (caret at %i)", (equation, position, problem) => {
    expectCaret(equation, position, problem);
  });

  test("an ellipsis the output drops has no single position", () => {
    const e = thrown(EinsumSyntaxError, () =>
      parseEinsum("...ij,jk->ik", [
        [5, 2, 3],
        [3, 4],
      ]),
    );
    expectWellFormed(e, "einsum-syntax", /the inputs' '\.\.\.' covers 1 axis but the output has no '\.\.\.'/, /add '\.\.\.' to the output/);
    expect(e.position).toBe(-1);
  });

  test("a sublist with two ellipses", () => {
    const e = thrown(EinsumSyntaxError, () => parseSublist([["...", 0, "..."]], [[2, 3]]));
    expectWellFormed(e, "einsum-syntax", /sublist of operand 0 has more than one ellipsis/, /at most once/);
  });
});

describe("structural errors name the operand", () => {
  test("OperandCountError", () => {
    const e = thrown(OperandCountError, () => einsum("ij,jk->ik", [zeros([2, 2])]));
    expectWellFormed(
      e,
      "operand-count",
      /the equation has 2 input terms but 1 operand was given/,
      /one operand .* per comma-separated term/,
    );
    expect([e.expected, e.actual]).toEqual([2, 1]);
    const s = thrown(OperandCountError, () => parseSublist([[0], [0]], [[2]]));
    expect([s.expected, s.actual]).toEqual([2, 1]);
  });

  test("RankMismatchError", () => {
    const e = thrown(RankMismatchError, () => einsum("ij,jk->ik", [zeros([2, 3]), zeros([3, 4, 5])]));
    expectWellFormed(e, "rank-mismatch", /operand 1 has 3 axes but its term "jk" needs 2/, /one label per axis/);
    expect(e.operand).toBe(1);
    const ell = thrown(RankMismatchError, () => parseEinsum("...ijk", [[2, 3]]));
    expect(ell.what).toMatch(/operand 0 has 2 axes but its term "\.\.\.ijk" needs at least 3/);
  });

  test("ShapeMismatchError names the label, both operands and both sizes", () => {
    const e = thrown(ShapeMismatchError, () => einsum("ij,jk->ik", [zeros([2, 3]), zeros([4, 5])]));
    expectWellFormed(
      e,
      "shape-mismatch",
      /label 'j' has size 3 in operand 0 but size 4 in operand 1/,
      /same size \(or size 1 to broadcast/,
    );
    expect([e.label, e.firstOperand, e.expected, e.operand, e.actual]).toEqual(["j", 0, 3, 1, 4]);
  });

  test("ShapeMismatchError for a repeated label of one operand", () => {
    const e = thrown(ShapeMismatchError, () => parseEinsum("ii->i", [[2, 3]]));
    expectWellFormed(e, "shape-mismatch", /label 'i' is repeated in operand 0 with sizes 2 and 3/, /diagonal/);
  });

  test("ShapeMismatchError for sizes that disagree with shapes in makeProblem", () => {
    const e = thrown(ShapeMismatchError, () => makeProblem({ inputs: [["i"]], output: [], sizes: { i: 3 }, shapes: [[2]] }));
    expect(e.what).toBe("label 'i' has size 2 in operand 0 but the given sizes say 3");
  });

  test("ShapeMismatchError names an ellipsis axis '...i', not its internal symbol — regression", () => {
    const e = thrown(ShapeMismatchError, () =>
      parseEinsum("...i,...i", [
        [2, 3],
        [4, 3],
      ]),
    );
    expect(e.what).toBe("label '...0' has size 2 in operand 0 but size 4 in operand 1");
    const f = thrown(ShapeMismatchError, () =>
      parseEinsum("z...,z...", [
        [2, 5, 3],
        [2, 4],
      ]),
    );
    expect(f.label).toBe("...1");
  });

  test("ShapeMismatchError names sublist labels by their values", () => {
    const e = thrown(ShapeMismatchError, () =>
      parseSublist(
        [
          [100, 200],
          [200, 300],
        ],
        [
          [2, 3],
          [4, 5],
        ],
      ),
    );
    expect(e.label).toBe("200");
  });

  test("OutputLabelError: absent", () => {
    const e = thrown(OutputLabelError, () =>
      parseEinsum("ij,jk->iq", [
        [2, 3],
        [3, 4],
      ]),
    );
    expectWellFormed(
      e,
      "output-label",
      /output label 'q' does not occur in any input term/,
      /only use labels in the output that some input term has/,
    );
    expect([e.label, e.reason]).toEqual(["q", "absent"]);
  });

  test("OutputLabelError: repeated", () => {
    const e = thrown(OutputLabelError, () =>
      parseEinsum("ij,jk->ii", [
        [2, 3],
        [3, 4],
      ]),
    );
    expectWellFormed(e, "output-label", /output label 'i' appears more than once in the output/, /list each output label once/);
    expect([e.label, e.reason]).toEqual(["i", "repeated"]);
    const s = thrown(OutputLabelError, () => parseSublist([[7, 8]], [[2, 3]], [8, 8]));
    expect(s.label).toBe("8");
  });

  test("DTypeMismatchError (backend tensors are not promoted; einsum promotes as numpy)", () => {
    const backend = new CpuBackend();
    const plan = planProblem(parseEinsum("i,i->", [[2], [2]]));
    const e = thrown(DTypeMismatchError, () =>
      executePlanOnBackend(plan, [backend.upload(zeros([2])), backend.upload(zeros([2], { dtype: "float32" }))], backend),
    );
    expectWellFormed(e, "dtype-mismatch", /operands have mixed dtypes \(float64, float32\)/, /astype/);
    expect(e.dtypes).toEqual(["float64", "float32"]);
    expect(einsum("i,i->", [zeros([2]), zeros([2], { dtype: "float32" })]).dtype).toBe("float64");
    expect(
      einsumSublist([
        { tensor: zeros([2], { dtype: "float32" }), labels: [0] },
        { tensor: zeros([2]), labels: [0] },
      ]).dtype,
    ).toBe("float64");
  });

  test("UnknownOptionError names the closest key", () => {
    const e = thrown(UnknownOptionError, () => einsum("i->", [zeros([2])], { optimise: "greedy" } as never));
    expectWellFormed(e, "unknown-option", /einsum options has an unknown key 'optimise'/, /did you mean 'optimize'\?/);
    expect([e.key, e.suggestion, e.where]).toEqual(["optimise", "optimize", "einsum options"]);
    expect(e.known).toContain("memoryLimit");
  });
});

describe("paths, optimizers and limits", () => {
  test("InvalidPathError names the step", () => {
    const a = zeros([2, 2]);
    const e = thrown(InvalidPathError, () =>
      einsum("ij,jk,kl->il", [a, a, a], {
        optimize: {
          path: [
            [0, 1],
            [0, 5],
          ],
        },
      }),
    );
    expectWellFormed(e, "invalid-path", /path step 1: position 5 is out of range: 2 operands are left/, /distinct in-range positions/);
    expect(e.step).toBe(1);
    const leaves = thrown(InvalidPathError, () => linearToSsa([[0, 1]], 3));
    expect(leaves.what).toBe("path: the path leaves 2 operands instead of 1");
    expect(leaves.step).toBe(-1);
    const ssa = thrown(InvalidPathError, () => einsum("ij,jk->ik", [a, a], { optimize: { path: [[0, 0]], format: "ssa" } }));
    expect(ssa.what).toMatch(/operand 0 appears twice in one step/);
  });

  test("UnknownOptimizerError lists the valid names", () => {
    const e = thrown(UnknownOptimizerError, () => einsum("ij->i", [zeros([2, 2])], { optimize: "nonesuch" }));
    expectWellFormed(e, "unknown-optimizer", /unknown optimizer 'nonesuch'/, /use one of: .*greedy/);
    expect(e.known).toContain("greedy");
  });

  test("MemoryLimitError on an element limit", () => {
    const a = zeros([8, 8]);
    const e = thrown(MemoryLimitError, () => einsum("ij,kl->ijkl", [a, a], { memoryLimit: 1000 }));
    expectWellFormed(
      e,
      "memory-limit",
      /(largest intermediate|the output) needs 4096 elements, the limit is 1000/,
      /another optimizer, raise memoryLimit/,
    );
    expect([e.neededElements, e.limitElements]).toEqual([4096n, 1000n]);
  });

  test("MemoryLimitError on a huge result is raised before allocating it", () => {
    // Broadcast views: 60000×60000 operands that take one element of memory each.
    const big = scalar(1).broadcastTo([60000, 60000]);
    const e = thrown(MemoryLimitError, () => einsum("ij,jk->ik", [big, big]));
    expectWellFormed(e, "memory-limit", /estimated peak working memory needs \d+ bytes, the limit is 4294967296/, /raise maxBytes/);
    // Past what one array can hold at all.
    const huge = thrown(MemoryLimitError, () => planProblem(parseEinsum("i,j->ij", [[100000], [100000]])));
    expect(huge.what).toMatch(/more than one array can hold/);
  });

  test("BackendLimitError when a backend declares a loop limit", () => {
    const p = parseEinsum("ij,jk->ik", [
      [2, 50],
      [50, 2],
    ]);
    const e = thrown(BackendLimitError, () => planContraction(p, [[0, 1]], { limits: { maxLoop: 16, maxElements: 1e9 } }));
    expectWellFormed(e, "backend-limit", /contracts 50 elements in one loop, more than the backend allows \(16\)/, /cpu backend/);
  });
});

describe("argument, shape and file errors", () => {
  test("InvalidArgumentError", () => {
    expectWellFormed(
      thrown(InvalidArgumentError, () => parseDType("int8")),
      "invalid-argument",
      /unknown dtype 'int8'/,
      /'float32' or 'float64'/,
    );
    expectWellFormed(
      thrown(InvalidArgumentError, () => rand([2], { seed: 1, low: 1, high: 1 })),
      "invalid-argument",
      /uniform range \[1, 1\) is empty/,
      /low < high/,
    );
    expectWellFormed(
      thrown(InvalidArgumentError, () => new Rng(Number.NaN)),
      "invalid-argument",
      /seed NaN is not a finite number/,
      /integer seed/,
    );
    expectWellFormed(
      thrown(InvalidArgumentError, () => referenceEinsum("ij,jk,kl->il", [zeros([1000, 1000]), zeros([1000, 1000]), zeros([1000, 1])])),
      "invalid-argument",
      /the reference einsum would loop 1000000000 times/,
      /use einsum\(\)/,
    );
    expectWellFormed(
      thrown(InvalidArgumentError, () => parseSublist([[Number.POSITIVE_INFINITY]], [[2]])),
      "invalid-argument",
      /label Infinity/,
      /finite numbers or strings/,
    );
  });

  test("InvalidShapeError", () => {
    expectWellFormed(
      thrown(InvalidShapeError, () => zeros([2, 3]).reshape([4, 2])),
      "invalid-shape",
      /cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\]/,
      /number of elements the same/,
    );
    expectWellFormed(
      thrown(InvalidShapeError, () => tensor([[1, 2], [3]])),
      "invalid-shape",
      /ragged nested array: \[1\] should be an array of length 2/,
      /equal lengths/,
    );
    expectWellFormed(
      thrown(InvalidShapeError, () => zeros([-1])),
      "invalid-shape",
      /invalid size -1 at axis 0/,
      /non-negative integers/,
    );
    expectWellFormed(
      thrown(InvalidShapeError, () => zeros([2 ** 20, 2 ** 20])),
      "invalid-shape",
      /1099511627776 elements, more than one tensor can hold/,
      /factorized form/,
    );
  });

  test("FileFormatError names the file", () => {
    const e = thrown(FileFormatError, () => readNpy(new Uint8Array(16), "weights.npy"));
    expectWellFormed(e, "file-format", /^weights\.npy: does not start with the \.npy magic string/, /re-export the file/);
    expect(e.file).toBe("weights.npy");
  });

  test("NotConvergedError and ConfigError carry what and hint", () => {
    expectWellFormed(
      new NotConvergedError("ALS stopped at 1e-3 after 100 sweeps", "raise maxIter"),
      "not-converged",
      /ALS stopped/,
      /raise maxIter/,
    );
    expectWellFormed(new ConfigError("ranks must be positive", "pass ranks ≥ 1"), "config", /ranks must be positive/, /ranks ≥ 1/);
  });
});
