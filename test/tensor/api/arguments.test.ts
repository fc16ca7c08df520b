/**
 * What a numpy / opt_einsum user types: each call here crashed with a TypeError or RangeError from
 * inside the library before (or was silently misread); now it works as numpy / opt_einsum would, or
 * fails with a typed error whose hint gives the fix. Expected values are computed by hand or by the
 * naive oracle, not by the library.
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
  executePlan,
  InvalidArgumentError,
  InvalidShapeError,
  layerBudget,
  matchRank,
  MemoryLimitError,
  MuMoELayer,
  parseEinsum,
  planProblem,
  randn,
  rand,
  readNpy,
  readSafetensors,
  solveRank,
  tensor,
  trAls,
  ttSvd,
  UnknownOptionError,
  writeSafetensors,
  zeros,
  FileFormatError,
  defaultBackend,
} from "../../../src/index.js";
import { naiveEinsum } from "../../oracles/naive-einsum.js";
import { npyFile } from "../../fuzz/cases.js";
import { thrown } from "../../helpers/thrown.js";

const a = tensor([
  [1, 2],
  [3, 4],
]);
const A3 = [
  [37, 54],
  [81, 118],
]; // a·a·a by hand

describe("calling conventions", () => {
  test("optimize as a raw opt_einsum path list (linear format)", () => {
    expect(
      contract("ij,jk,kl->il", a, a, a, {
        optimize: [
          [1, 2],
          [0, 1],
        ],
      }).toArray(),
    ).toEqual(A3);
    expect(
      contractPath("ab,bc,cd->ad", [2, 30], [30, 4], [4, 50], {
        optimize: [
          [1, 2],
          [0, 1],
        ],
      }).path,
    ).toEqual([
      [1, 2],
      [0, 1],
    ]);
    expect(
      einsum("ij,jk,kl->il", [a, a, a], {
        optimize: {
          path: [
            [1, 2],
            [0, 1],
          ],
        },
      }).toArray(),
    ).toEqual(A3);
    expect(contract("ij,jk,kl->il", a, a, a, { optimize: true }).toArray()).toEqual(A3);
    expect(contract("ij,jk,kl->il", a, a, a, { optimize: false }).toArray()).toEqual(A3);
    expect(thrown(() => contract("ij,jk->ik", a, a, { optimize: [["x"]] as never }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => contract("ij,jk->ik", a, a, { optimize: 3 as never }))).toBeInstanceOf(InvalidArgumentError);
  });

  test("operands as arguments, options last and optional", () => {
    expect(einsum("ij,jk->ik", a, a).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(einsum("ij,jk->ik", a, a, { optimize: "greedy" }).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(einsum("ii->", [a]).item()).toBe(5);
    expect(einsum("ii->", [a], undefined).item()).toBe(5);
  });

  test("nested arrays of any depth and typed arrays as operands", () => {
    expect(
      einsum(
        "ij,jk->ik",
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ).toArray(),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(
      einsum("ij,jk->ik", [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ]).toArray(),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(
      einsum("ii", [
        [1, 2],
        [3, 4],
      ]).item(),
    ).toBe(5); // one term: the array is the operand
    expect(einsum("ij->", [[1, 2]]).item()).toBe(3);
    expect(einsum("ijk->k", [[[[1, 2]], [[3, 4]]]]).toArray()).toEqual([4, 6]);
    expect(einsum("i,i->", new Float64Array([1, 2]), new Float64Array([3, 4])).item()).toBe(11);
    const f32 = einsum("i,i->", [new Float32Array([1, 2]), new Float32Array([3, 4])]);
    expect([f32.dtype, f32.item()]).toEqual(["float32", 11]);
    expect(einsum("i->", new Int32Array([1, 2, 3])).item()).toBe(6);
    expect(einsum(",->", 2, 3).item()).toBe(6);
    expect(thrown(() => einsum("i->", new BigInt64Array([2n ** 60n])))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => einsum("ij->", [[1, 2], [3]]))).toBeInstanceOf(InvalidShapeError);
    expect(thrown(() => einsum("i->", "abc" as never))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => einsum("i->", null as never))).toBeInstanceOf(InvalidArgumentError);
    const self: unknown[] = [];
    self.push(self);
    expect(thrown(() => einsum("i->", self as never))).toBeInstanceOf(InvalidShapeError);
  });

  test("numpy's interleaved form, for einsum and contract", () => {
    expect(contract(a, [0, 1], a, [1, 2], [0, 2]).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(einsum(a, [0, 1], a, [1, 2], [0, 2]).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(einsum(a, [0, 1], a, [1, 2]).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]); // implicit output
    expect(einsum(a, [0, 0]).item()).toBe(5);
    // Implicit output orders by the label values (numbers ascending), not by first appearance.
    expect(einsum(a, [5, 1]).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(contract(a, [0, 1], a, [1, 2], [0, 2], { optimize: "greedy" }).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
    expect(thrown(() => einsum(a, "ij" as never))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => (einsum as (...x: unknown[]) => unknown)())).toBeInstanceOf(InvalidArgumentError);
  });

  test("memoryLimit: 'max_input' is the element count of the largest input", () => {
    // ab,bc,cd with sizes 2,30,4,50: the largest input has 200 elements.
    const { info } = contractPath("ab,bc,cd->ad", [2, 30], [30, 4], [4, 50], { memoryLimit: "max_input", optimize: "optimal" });
    expect(info.cost.size <= 200n).toBe(true);
    const x = randn([2, 30], { seed: 1 });
    const y = randn([30, 4], { seed: 2 });
    const z = randn([4, 50], { seed: 3 });
    const got = contract("ab,bc,cd->ad", x, y, z, { memoryLimit: "max_input" });
    const want = naiveEinsum(
      {
        inputs: [
          ["a", "b"],
          ["b", "c"],
          ["c", "d"],
        ],
        output: ["a", "d"],
        shapes: [
          [2, 30],
          [30, 4],
          [4, 50],
        ],
      },
      [x.toTypedArray(), y.toTypedArray(), z.toTypedArray()],
    );
    const d = got.toTypedArray().map((v, i) => Math.abs(v - want.data[i]!));
    expect(Math.max(...d)).toBeLessThan(1e-12);
    // An outer product's output is larger than every input: no path fits.
    expect(thrown(() => contract("i,j->ij", tensor([1, 2]), tensor([3, 4]), { memoryLimit: "max_input" }))).toBeInstanceOf(
      MemoryLimitError,
    );
    expect(thrown(() => contract("i,j->ij", tensor([1, 2]), tensor([3, 4]), { memoryLimit: "max" as never }))).toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  test("randn, rand and createMuMoE without an options object", () => {
    expect(randn([2, 3]).shape).toEqual([2, 3]);
    expect(rand([4]).shape).toEqual([4]);
    const layer = createMuMoE({ kind: "cp", inputDim: 4, outputDim: 8, expertDims: [16], ranks: 16 });
    expect(layer.parameterCount()).toBe(528n);
    expect(randn([2, 3], { seed: 4 }).toArray()).toEqual(randn([2, 3], { seed: 4 }).toArray());
  });

  test("matchRank takes a number target as well as a bigint", () => {
    const t = { kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512] } as const;
    const m = matchRank(t, 769000);
    expect(m.feasible && m.rank).toBe(165);
    expect(matchRank(t, 769000)).toEqual(matchRank(t, 769000n));
    expect(solveRank(t, 769000).rank).toBe(165);
    expect(thrown(() => matchRank(t, 1.5))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => matchRank(t, 2 ** 60))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe("unknown keys name the closest valid one", () => {
  const cp = { kind: "cp", inputDim: 4, outputDim: 3, expertDims: [4], ranks: 2 } as const;
  test.each([
    ["einsum options", () => einsum("ij->", [a], { optimise: "greedy" } as never), "optimise", "optimize"],
    ["contract options", () => contract("ij->", a, { sliceLimt: 4 } as never), "sliceLimt", "sliceLimit"],
    ["contractPath options", () => contractPath("ij->", [2, 2], { memorylimit: 4 } as never), "memorylimit", "memoryLimit"],
    ["contractExpression options", () => contractExpression("ij->", [2, 2], { dtyp: "float32" } as never), "dtyp", "dtype"],
    [
      "einsumSublist options",
      () => einsumSublist([{ tensor: a, labels: [0, 1] }], [0], { cachePlans: false } as never),
      "cachePlans",
      "cachePlan",
    ],
    ["μMoE config", () => createMuMoE({ ...cp, useBais: false } as never, { seed: 1 }), "useBais", "useBias"],
    ["createMuMoE options", () => createMuMoE(cp, { seeds: 1 } as never), "seeds", "seed"],
    ["MuMoELayer options", () => new MuMoELayer(cp, createMuMoE(cp, { seed: 1 }).weights, { topk: 2 } as never), "topk", "topK"],
    ["layer spec", () => layerBudget({ kind: "sparse", inputDim: 4, outputDim: 3, nExperts: 4, topk: 2 } as never), "topk", "topK"],
    [
      "matchRank template",
      () => matchRank({ kind: "cp", inputDim: 8, outputDim: 8, expertDims: [4], aplyLn: true } as never, 100),
      "aplyLn",
      "applyLn",
    ],
    [
      "matchRank options",
      () => matchRank({ kind: "cp", inputDim: 8, outputDim: 8, expertDims: [4] }, 100, { mod: "under" } as never),
      "mod",
      "mode",
    ],
    ["cpAls options", () => cpAls(randn([3, 3, 3], { seed: 1 }), 2, { maxIters: 3 } as never), "maxIters", "maxIter"],
    ["trAls options", () => trAls(randn([3, 3, 3], { seed: 1 }), 2, { tolerance: 1e-3 } as never), "tolerance", "tol"],
    ["ttSvd options", () => ttSvd(randn([3, 3, 3], { seed: 1 }), { rank: 2 } as never), "rank", "ranks"],
    ["randn options", () => randn([2], { sed: 1 } as never), "sed", "seed"],
    ["tensor options", () => tensor([1], { dType: "float32" } as never), "dType", "dtype"],
  ])("%s", (_, f, key, suggestion) => {
    const e = thrown(f);
    expect(e).toBeInstanceOf(UnknownOptionError);
    expect((e as UnknownOptionError).key).toBe(key);
    expect((e as UnknownOptionError).suggestion).toBe(suggestion);
    expect((e as UnknownOptionError).hint).toContain(`did you mean '${suggestion}'?`);
  });

  test("the 'context' and 'shared' options of einsum are valid keys", () => {
    expect(thrown(() => einsum("ij->", [a], { context: undefined, shared: undefined } as never))).toBeUndefined();
  });

  test("a key far from every valid one gets no suggestion", () => {
    const e = thrown(() => einsum("ij->", [a], { colour: "red" } as never)) as UnknownOptionError;
    expect(e.suggestion).toBeUndefined();
    expect(e.hint).toMatch(/^use only: optimize, /);
  });
});

describe("dtypes as numpy", () => {
  const x64 = randn([3, 4], { seed: 1 });
  const y32 = randn([4, 2], { seed: 2, dtype: "float32" });
  const want = naiveEinsum(
    {
      inputs: [
        ["i", "j"],
        ["j", "k"],
      ],
      output: ["i", "k"],
      shapes: [
        [3, 4],
        [4, 2],
      ],
    },
    [x64.toTypedArray(), y32.toTypedArray()],
  );
  const close = (got: ArrayLike<number>): number => Math.max(...Array.from(got, (v, i) => Math.abs(v - want.data[i]!)));

  test("mixed float32/float64 operands are computed in float64", () => {
    for (const got of [
      einsum("ij,jk->ik", [x64, y32]),
      einsum("ij,jk->ik", x64, y32),
      contract("ij,jk->ik", x64, y32, { sliceLimit: 6 }),
      einsumSublist(
        [
          { tensor: x64, labels: [0, 1] },
          { tensor: y32, labels: [1, 2] },
        ],
        [0, 2],
      ),
      contractExpression("ij,jk->ik", [3, 4], y32)(x64),
      contractExpression("ij,jk->ik", x64, [4, 2])(y32),
      executePlan(
        planProblem(
          parseEinsum("ij,jk->ik", [
            [3, 4],
            [4, 2],
          ]),
        ),
        [x64, y32],
        defaultBackend(),
      ),
    ]) {
      expect(got.dtype).toBe("float64");
      expect(close(got.toTypedArray())).toBeLessThan(1e-12);
    }
  });

  test("float32 operands alone stay float32", () => {
    expect(einsum("ij,jk->ik", [x64.astype("float32"), y32]).dtype).toBe("float32");
    expect(contractExpression("ij,jk->ik", [3, 4], y32)(x64.astype("float32")).dtype).toBe("float32");
  });

  test("integer .npy and safetensors data read as float64; beyond ±2^53 is refused", () => {
    const le = (values: bigint[]): Uint8Array => {
      const b = new Uint8Array(values.length * 8);
      values.forEach((v, i) => new DataView(b.buffer).setBigInt64(i * 8, v, true));
      return b;
    };
    const ok = readNpy(npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", le([2n ** 53n, -3n])));
    expect([ok.dtype, ...(ok.toArray() as number[])]).toEqual(["float64", 2 ** 53, -3]);
    const e = thrown(() =>
      readNpy(npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", le([1n, 2n ** 53n + 1n])), "big.npy"),
    );
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).message).toMatch(/big\.npy: int64 element 1 is 9007199254740993, beyond 2\^53/);
    const u8 = readNpy(npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", Uint8Array.from([0, 7, 255])));
    expect([u8.dtype, u8.toArray()]).toEqual(["float64", [0, 7, 255]]);
    const st = writeSafetensors({ big: { tensor: zeros([1]), dtype: "I64" } });
    // Overwrite the stored value with 2^60.
    new DataView(st.buffer).setBigInt64(st.length - 8, 2n ** 60n, true);
    expect(thrown(() => readSafetensors(st))).toBeInstanceOf(FileFormatError);
  });
});
