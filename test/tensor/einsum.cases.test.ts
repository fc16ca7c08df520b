/**
 * Hand-picked einsum cases against the naive oracle: sizes large enough for the packed GEMM path
 * (blocking edges, odd sizes, strided and Fortran-order operands), aliased operands, and a corpus of
 * expressions that are easy to get wrong.
 */
import { describe, expect, test } from "vitest";
import { einsum, optimizerNames, referenceEinsum, type DType } from "../../src/index.js";
import { seededValues } from "../arbitraries/einsum.js";
import { expectMatchesOracle, materialize } from "../helpers/tensors.js";
import { naiveEinsum } from "../oracles/naive-einsum.js";

/** Splits a plain equation (single-character labels, explicit output, no ellipsis) for the oracle. */
function oracleOf(equation: string, shapes: number[][]): { inputs: string[][]; output: string[]; shapes: number[][] } {
  const [lhs, rhs] = equation.split("->") as [string, string];
  return { inputs: lhs.split(",").map((t) => [...t]), output: [...rhs], shapes };
}

const MEDIUM: [string, number[][]][] = [
  [
    "ij,jk->ik",
    [
      [70, 45],
      [45, 13],
    ],
  ],
  [
    "ij,jk->ik",
    [
      [13, 300],
      [300, 9],
    ],
  ],
  [
    "ij,kj->ik",
    [
      [66, 37],
      [35, 37],
    ],
  ],
  [
    "ji,jk->ik",
    [
      [40, 65],
      [40, 33],
    ],
  ],
  [
    "bij,bjk->bik",
    [
      [3, 33, 20],
      [3, 20, 31],
    ],
  ],
  [
    "ijk,kjl->il",
    [
      [17, 6, 7],
      [7, 6, 19],
    ],
  ],
  [
    "abc,cd->abd",
    [
      [5, 7, 90],
      [90, 11],
    ],
  ],
  ["ij,j->i", [[129, 70], [70]]],
  ["i,ij->j", [[70], [70, 129]]],
  [
    "ab,bc,cd->ad",
    [
      [31, 40],
      [40, 29],
      [29, 35],
    ],
  ],
];

describe("medium sizes reach the packed GEMM path and match the oracle", () => {
  test.each(
    MEDIUM.flatMap(([eq, shapes]) =>
      (["float64", "float32"] as DType[]).flatMap((dtype) =>
        [0, 1, 2].map((layout) => [eq, JSON.stringify(shapes), dtype, layout, shapes] as const),
      ),
    ),
  )("%s %s %s layout %i", (eq, _, dtype, layout, shapes) => {
    const round = dtype === "float32" ? Math.fround : (x: number): number => x;
    const data = shapes.map((s, k) =>
      Float64Array.from(
        seededValues(
          1000 + k,
          s.reduce((a, b) => a * b, 1),
        ),
        round,
      ),
    );
    const xs = shapes.map((s, k) => materialize(s, data[k]!, (layout + k) % 3, dtype));
    expectMatchesOracle(einsum(eq, xs), naiveEinsum(oracleOf(eq, shapes), data), dtype === "float32" ? 2e-5 : 1e-12, eq);
  });
});

describe("a corpus of easily-mishandled expressions", () => {
  const CORPUS: [string, number[][]][] = [
    [
      "ab,ab,ab->ab",
      [
        [3, 4],
        [3, 4],
        [3, 4],
      ],
    ],
    [
      "ab,ab,ab->",
      [
        [3, 4],
        [3, 4],
        [3, 4],
      ],
    ],
    [
      "ab,bc,bd->bcd",
      [
        [2, 3],
        [3, 4],
        [3, 5],
      ],
    ],
    [
      "abc,abc->ab",
      [
        [2, 3, 4],
        [2, 3, 4],
      ],
    ],
    [
      "ab,ba->ab",
      [
        [3, 4],
        [4, 3],
      ],
    ],
    [
      "aab,bc->ac",
      [
        [3, 3, 4],
        [4, 5],
      ],
    ],
    [
      "aab,bcc->ac",
      [
        [3, 3, 4],
        [4, 5, 5],
      ],
    ],
    ["abab->ab", [[2, 3, 2, 3]]],
    ["abba->", [[2, 3, 3, 2]]],
    [
      "ii,ii->i",
      [
        [4, 4],
        [4, 4],
      ],
    ],
    [
      "ij,ij,jk->ik",
      [
        [3, 4],
        [3, 4],
        [4, 5],
      ],
    ],
    ["i,i,i,i->", [[5], [5], [5], [5]]],
    ["a,b,c,d->abcd", [[2], [3], [2], [3]]],
    [
      "ab,cd,ef->abcdef",
      [
        [2, 2],
        [1, 2],
        [2, 1],
      ],
    ],
    [
      "abc,bca,cab->abc",
      [
        [2, 3, 4],
        [3, 4, 2],
        [4, 2, 3],
      ],
    ],
    [
      "ij,jk,ki->",
      [
        [3, 4],
        [4, 5],
        [5, 3],
      ],
    ],
    [
      "ij,jk,kl,li->i",
      [
        [2, 3],
        [3, 4],
        [4, 5],
        [5, 2],
      ],
    ],
    [
      "abcd,dcba->",
      [
        [2, 3, 4, 5],
        [5, 4, 3, 2],
      ],
    ],
    ["ab,->ab", [[2, 3], []]],
    [",,->", [[], [], []]],
    ["a,a->a", [[1], [6]]],
    [
      "ab,bc->ac",
      [
        [2, 1],
        [6, 3],
      ],
    ],
    [
      "ab,cb->ac",
      [
        [3, 0],
        [4, 0],
      ],
    ],
    [
      "ab,bc->ac",
      [
        [0, 3],
        [3, 4],
      ],
    ],
    ["aa,a->", [[0, 0], [0]]],
  ];

  test.each(CORPUS.flatMap(([eq, shapes]) => optimizerNames().map((o) => [eq, o, shapes] as const)))("%s (%s)", (eq, optimize, shapes) => {
    const data = shapes.map((s, k) =>
      seededValues(
        77 + k,
        s.reduce((a, b) => a * b, 1),
      ),
    );
    const xs = shapes.map((s, k) => materialize(s, data[k]!, k % 3));
    const expected = naiveEinsum(oracleOf(eq, shapes), data);
    expectMatchesOracle(einsum(eq, xs, { optimize }), expected, 1e-12, eq);
    expectMatchesOracle(referenceEinsum(eq, xs), expected, 1e-12, `reference ${eq}`);
  });

  test("the same tensor object may appear several times", () => {
    const data = seededValues(5, 12);
    const a = materialize([3, 4], data, 1);
    const expected = naiveEinsum(
      oracleOf("ij,kj,il->kl", [
        [3, 4],
        [3, 4],
        [3, 4],
      ]),
      [data, data, data],
    );
    expectMatchesOracle(einsum("ij,kj,il->kl", [a, a, a]), expected, 1e-12);
    expect(a.toTypedArray()).toEqual(Float64Array.from(data));
  });

  test("operands are not modified", () => {
    const data = seededValues(6, 24);
    const x = materialize([2, 3, 4], data, 2);
    const before = Array.from(x.data);
    einsum("abc->cab", [x]);
    einsum("abc,abc->", [x, x]);
    expect(Array.from(x.data)).toEqual(before);
  });
});
