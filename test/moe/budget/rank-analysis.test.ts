/**
 * Expert-rank bounds, and measured numerical ranks of planted low-rank layers and of the official
 * layers' dense expert tensors (reference fixtures).
 */
import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  DenseTensor,
  InvalidArgumentError,
  InvalidShapeError,
  maxExpertRank,
  randn,
  rankProfile,
  readSafetensors,
  triplesFromRing,
} from "../../../src/index.js";
import type { MuMoEConfig } from "../../../src/moe/config.js";
import { singularValues } from "../../../src/linalg/svd.js";

/** Dense CP expert tensor W[n,i,o] = Σ_r U0[n,r] U1[i,r] U2[o,r] (one level), by loops. */
function cpDense(n: number, i: number, o: number, r: number, seed: number): DenseTensor {
  const [u0, u1, u2] = [randn([n, r], { seed }), randn([i, r], { seed: seed + 1 }), randn([o, r], { seed: seed + 2 })];
  const out = new Float64Array(n * i * o);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < i; b++)
      for (let c = 0; c < o; c++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += u0.get(a, k) * u1.get(b, k) * u2.get(c, k);
        out[(a * i + b) * o + c] = s;
      }
  return new DenseTensor(out, [n, i, o]);
}

/** Dense TR expert tensor with E levels: W[n_1..n_E, i, o] = trace(C_1[:,n_1,:] ⋯ C_E[:,n_E,:] C_in[:,i,:] C_out[:,o,:]). */
function trDense(levels: number[], i: number, o: number, ring: number[], seed: number): DenseTensor {
  const dims = [...levels, i, o];
  const cores = dims.map((d, k) => randn([ring[k]!, d, ring[(k + 1) % ring.length]!], { seed: seed + k }));
  const total = dims.reduce((a, b) => a * b, 1);
  const out = new Float64Array(total);
  const idx = new Array<number>(dims.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat;
    for (let k = dims.length - 1; k >= 0; k--) {
      idx[k] = rem % dims[k]!;
      rem = Math.floor(rem / dims[k]!);
    }
    // M = product of the slices, then its trace.
    let m: number[][] = Array.from({ length: ring[0]! }, (_, a) => Array.from({ length: ring[0]! }, (_, b) => (a === b ? 1 : 0)));
    cores.forEach((core, k) => {
      const rows = m.length;
      const inner = ring[k]!;
      const cols = ring[(k + 1) % ring.length]!;
      const next = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
      for (let a = 0; a < rows; a++)
        for (let b = 0; b < cols; b++) for (let c = 0; c < inner; c++) next[a]![b]! += m[a]![c]! * core.get(c, idx[k]!, b);
      m = next;
    });
    let tr = 0;
    for (let a = 0; a < m.length; a++) tr += m[a]![a]!;
    out[flat] = tr;
  }
  return new DenseTensor(out, dims);
}

describe("expert-rank bounds", () => {
  test("spec values", () => {
    expect(maxExpertRank({ kind: "linear", inputDim: 768, outputDim: 1000 })).toBe(768);
    expect(maxExpertRank({ kind: "dense", inputDim: 768, outputDim: 1000, nExperts: 8 })).toBe(768);
    expect(maxExpertRank({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: 165 })).toBe(165);
    expect(maxExpertRank({ kind: "tr", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: triplesFromRing([4, 4, 52]) })).toBe(208);
    expect(maxExpertRank({ kind: "tr", inputDim: 30, outputDim: 30, expertDims: [5], ranks: triplesFromRing([2, 3, 4]) })).toBe(8);
    expect(maxExpertRank({ kind: "cp", inputDim: 16, outputDim: 32, secondDim: 8, expertDims: [4], ranks: 12 }, 2)).toBe(8);
    expect(() => maxExpertRank({ kind: "cp", inputDim: 16, outputDim: 32, expertDims: [4], ranks: 12 }, 2)).toThrow(InvalidArgumentError);
  });
});

describe("numerical rank of planted layers equals the bound", () => {
  test("CP, R < min(I, O): every expert has rank R (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 2, max: 14 }),
        fc.integer({ min: 2, max: 14 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer(),
        (n, i, o, r, seed) => {
          const config: MuMoEConfig = { kind: "cp", inputDim: i, outputDim: o, expertDims: [n], ranks: r, useBias: false };
          const p = rankProfile({ toDense: () => cpDense(n, i, o, r, seed), config });
          expect(p.bound).toBe(Math.min(i, o, r));
          expect(p.ranks).toEqual(new Array(n).fill(Math.min(i, o, r)));
        },
      ),
      { numRuns: 60 },
    );
  });

  test("TR, one level: rank R3·min(R1, R2) (not R2·R3) — ring (2, 3, 4) gives 8", () => {
    const config: MuMoEConfig = {
      kind: "tr",
      inputDim: 20,
      outputDim: 20,
      expertDims: [3],
      ranks: triplesFromRing([2, 3, 4]),
      useBias: false,
    };
    const p = rankProfile({ toDense: () => trDense([3], 20, 20, [2, 3, 4], 7), config });
    expect(p.ranks).toEqual([8, 8, 8]);
    expect(p.bound).toBe(8);
  });

  test("TR, two levels: rank R4·min(R1, R2, R3), tighter than R4·min(R1, R3) — ring (3, 2, 4, 5) gives 10", () => {
    const config: MuMoEConfig = {
      kind: "tr",
      inputDim: 24,
      outputDim: 24,
      expertDims: [2, 2],
      ranks: triplesFromRing([3, 2, 4, 5]),
      useBias: false,
    };
    const p = rankProfile({ toDense: () => trDense([2, 2], 24, 24, [3, 2, 4, 5], 11), config });
    expect(p.ranks).toEqual([10, 10, 10, 10]);
    expect(p.bound).toBe(10);
  });

  test("TR, random small rings (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 2, max: 16 }),
        fc.integer({ min: 2, max: 16 }),
        fc.integer(),
        (ring, i, o, seed) => {
          const config: MuMoEConfig = {
            kind: "tr",
            inputDim: i,
            outputDim: o,
            expertDims: [2],
            ranks: triplesFromRing(ring),
            useBias: false,
          };
          const p = rankProfile({ toDense: () => trDense([2], i, o, ring, seed), config });
          expect(p.ranks).toEqual([p.bound, p.bound]);
        },
      ),
      { numRuns: 40 },
    );
  });

  test("the bias row is excluded by default when the config has a bias", () => {
    // W[n] = [[1, 0], [0, 0], [0, 1]] with I = 2: the first two rows have rank 1; all three rows have rank 2.
    const w = new DenseTensor(new Float64Array([1, 0, 0, 0, 0, 1]), [1, 3, 2]);
    const config: MuMoEConfig = { kind: "cp", inputDim: 2, outputDim: 2, expertDims: [1], ranks: 1 };
    expect(rankProfile({ toDense: () => w, config }).ranks).toEqual([1]);
    expect(rankProfile({ toDense: () => w }).ranks).toEqual([2]);
    expect(rankProfile({ toDense: () => w }, { inputDim: 1 }).ranks).toEqual([1]);
  });
});

describe("numerical rank of the official layers (fixtures' dense_weight)", () => {
  const dir = new URL("../../fixtures/mumoe-reference/", import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".safetensors") && !f.endsWith("_f32.safetensors"))
    .sort();
  test.each(files)("%s: every expert at its bound", (file) => {
    const st = readSafetensors(new Uint8Array(readFileSync(new URL(file, dir))), file);
    const args = (JSON.parse(st.metadata["config"]!) as { constructor_args: unknown }).constructor_args as {
      MuMoE_layer: string;
      input_dim: number;
      output_dim: number;
      expert_dims: number[];
      ranks: MuMoEConfig["ranks"];
      second_dim: number;
      use_bias: boolean;
    };
    const config: MuMoEConfig = {
      kind: args.MuMoE_layer === "CPMuMoE" ? "cp" : "tr",
      inputDim: args.input_dim,
      outputDim: args.output_dim,
      expertDims: args.expert_dims,
      ranks: args.ranks,
      secondDim: args.second_dim,
      useBias: args.use_bias,
    };
    const w = st.tensors.get("dense_weight")!;
    const p = rankProfile({ toDense: () => w, config });
    expect(p.sliceShape).toEqual([config.inputDim, config.outputDim]);
    expect(p.ranks.length).toBe(config.expertDims.reduce((a, b) => a * b, 1));
    expect(p.min).toBe(p.bound);
    expect(p.max).toBe(p.bound);
  });
});

describe("singular values", () => {
  test("match a planted spectrum Q1·diag(s)·Q2ᵀ to 1e-12 relative (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (m, n, seed) => {
        const k = Math.min(m, n);
        const s = Array.from({ length: k }, (_, j) => 10 ** (-j * 0.7));
        // Householder reflections make exact orthogonal factors.
        const house = (size: number, sd: number) => {
          const v = randn([size], { seed: sd });
          const vv = Array.from({ length: size }, (_, a) => v.get(a));
          const nn = vv.reduce((a, x) => a + x * x, 0);
          return (a: number, b: number) => (a === b ? 1 : 0) - (2 * vv[a]! * vv[b]!) / nn;
        };
        const q1 = house(m, seed);
        const q2 = house(n, seed + 1);
        const at = (a: number, b: number) => {
          let t = 0;
          for (let j = 0; j < k; j++) t += q1(a, j) * s[j]! * q2(b, j);
          return t;
        };
        const mat = new DenseTensor(
          Float64Array.from({ length: m * n }, (_, p) => at(Math.floor(p / n), p % n)),
          [m, n],
        );
        const got = singularValues(mat);
        for (let j = 0; j < k; j++) expect(Math.abs(got[j]! - s[j]!)).toBeLessThan(1e-12 * s[0]!);
      }),
      { numRuns: 100 },
    );
  });
});

describe("rankProfile errors", () => {
  const w = new DenseTensor(new Float64Array(12), [2, 3, 2]);
  test.each([
    [
      "matrix instead of expert tensor",
      () => rankProfile({ toDense: () => new DenseTensor(new Float64Array(4), [2, 2]) }),
      InvalidShapeError,
    ],
    ["inputDim too large", () => rankProfile({ toDense: () => w }, { inputDim: 4 }), InvalidShapeError],
    ["expert out of range", () => rankProfile({ toDense: () => w }, { experts: [2] }), InvalidArgumentError],
    ["bad rtol", () => rankProfile({ toDense: () => w }, { rtol: 0 }), InvalidArgumentError],
  ] as const)("%s", (_, f, cls) => {
    expect(f).toThrow(cls);
  });

  test("a zero expert has rank 0", () => {
    expect(rankProfile({ toDense: () => w }).ranks).toEqual([0, 0]);
  });
});
