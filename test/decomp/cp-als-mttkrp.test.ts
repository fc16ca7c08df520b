import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  CpuBackend,
  CPTensor,
  cpAls,
  cpToTensor,
  DenseTensor,
  mttkrpOf,
  rand,
  randn,
  type Backend,
  type CPAlsOptions,
} from "../../src/index.js";
import { MttkrpSweep, sweepSplit } from "../../src/decomp/fit/mttkrp.js";
import { naiveEinsum, type OracleResult } from "../oracles/naive-einsum.js";
import { expectMatchesOracle, LAYOUTS, materialize } from "../helpers/tensors.js";

/** `X_(m) · KhatriRao(U_k, k ≠ m)` by the naive einsum oracle: axis k of X is label k, the rank is "r". */
function oracleMttkrp(
  shape: readonly number[],
  x: ArrayLike<number>,
  factors: readonly ArrayLike<number>[],
  rank: number,
  mode: number,
): OracleResult {
  const others = shape.map((_, k) => k).filter((k) => k !== mode);
  return naiveEinsum(
    {
      inputs: [shape.map((_, k) => k), ...others.map((k) => [k, "r"])],
      output: [mode, "r"],
      shapes: [shape, ...others.map((k) => [shape[k]!, rank])],
    },
    [x, ...others.map((k) => factors[k]!)],
  );
}

/** 3- to 5-way shapes with modes of size 1 to 4 (size-1 modes included), a rank and a seed. */
const arbProblem = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 5 }),
    rank: fc.integer({ min: 1, max: 4 }),
    seed: fc.nat({ max: 10_000 }),
  })
  .chain((p) =>
    fc.record({
      shape: fc.constant(p.shape),
      rank: fc.constant(p.rank),
      seed: fc.constant(p.seed),
      mode: fc.integer({ min: 0, max: p.shape.length - 1 }),
      layout: fc.integer({ min: 0, max: LAYOUTS.length - 1 }),
    }),
  );

const backends = [new CpuBackend({ threads: 1 }), new CpuBackend({ kernels: "ts" })];

describe("MTTKRP kernels against the naive oracle", () => {
  test("mttkrpOf on 3- to 5-way tensors, any mode, any layout (property)", () => {
    fc.assert(
      fc.property(arbProblem, ({ shape, rank, seed, mode, layout }) => {
        const x = randn(shape, { seed });
        const factors = shape.map((n, k) => randn([n, rank], { seed: seed + k + 1 }));
        const got = mttkrpOf(materialize(shape, x.data, layout), factors, mode);
        expectMatchesOracle(
          got,
          oracleMttkrp(
            shape,
            x.data,
            factors.map((f) => f.data),
            rank,
            mode,
          ),
          1e-12,
          `shape [${shape}] rank ${rank} mode ${mode}`,
        );
      }),
      { numRuns: 150 },
    );
  });

  test.each(backends.map((b) => [b.kernels, b] as const))(
    "a whole sweep with factors replaced as it goes, on the %s kernels (property)",
    (_, backend) => {
      fc.assert(
        fc.property(arbProblem, ({ shape, rank, seed }) => {
          const x = randn(shape, { seed }) as DenseTensor<"float64">;
          const sweep = new MttkrpSweep(x, rank, backend);
          const factors = shape.map((n, k) => randn([n, rank], { seed: seed + k + 1 }).data as Float64Array);
          // Two sweeps: the cached partials must follow every replaced factor.
          for (let s = 0; s < 2; s++) {
            for (let m = 0; m < shape.length; m++) {
              const got = new DenseTensor(sweep.mttkrp(factors, m), [shape[m]!, rank]);
              expectMatchesOracle(
                got,
                oracleMttkrp(shape, x.data, factors, rank, m),
                1e-12,
                `sweep ${s} mode ${m} shape [${shape}] rank ${rank}`,
              );
              factors[m] = randn([shape[m]!, rank], { seed: seed + 100 * (s + 1) + m }).data as Float64Array;
            }
          }
        }),
        { numRuns: 60 },
      );
    },
  );

  test("the split keeps each partial no larger than X: small trailing or leading modes are grouped", () => {
    expect(sweepSplit([100, 100, 100], 10)).toEqual({ trailing: 1, leading: 1 });
    expect(sweepSplit([6, 5, 1, 2], 4)).toEqual({ trailing: 3, leading: 1 });
    expect(sweepSplit([1, 2, 3, 7], 5)).toEqual({ trailing: 1, leading: 3 });
    // Never past each other: the leading run stops where the trailing one starts.
    expect(sweepSplit([1, 1, 1], 3)).toEqual({ trailing: 2, leading: 1 });
  });
});

interface PreviousCase {
  readonly name: string;
  readonly shape: number[];
  readonly seed: number;
  readonly uniform: boolean;
  readonly planted?: number;
  readonly rank: number;
  readonly options: CPAlsOptions;
  readonly errors: number[];
  readonly converged: boolean;
  readonly weights: number[];
  readonly factors: number[][];
}

const previous = JSON.parse(readFileSync(new URL("./cp-als-previous.json", import.meta.url), "utf8")) as { cases: PreviousCase[] };

function dataOf(c: PreviousCase): DenseTensor {
  if (c.planted !== undefined)
    return cpToTensor(
      new CPTensor(
        undefined,
        c.shape.map((n, k) => randn([n, c.planted!], { seed: c.seed + k })),
      ),
    );
  return c.uniform ? rand(c.shape, { seed: c.seed }) : randn(c.shape, { seed: c.seed });
}

/** |Δe| allowed between two fits of the same trajectory: the expansion's cancellation leaves ~ε/e of noise in e. */
const errorTolerance = (e: number): number => 1e-12 + 1e-14 / e;

describe("cpAls follows the previous (einsum-based) implementation", () => {
  test.each(previous.cases.map((c) => [c.name, c] as const))("%s: same errors, factors and weights", (_, c) => {
    const fit = cpAls(dataOf(c), c.rank, c.options);
    expect(fit.iterations).toBe(c.errors.length);
    expect(fit.converged).toBe(c.converged);
    fit.errors.forEach((e, i) => expect(Math.abs(e - c.errors[i]!), `iteration ${i + 1}`).toBeLessThanOrEqual(errorTolerance(e)));
    fit.cp.factors.forEach((f, k) =>
      f.toTypedArray().forEach((v, i) => expect(Math.abs(v - c.factors[k]![i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v)))),
    );
    fit.cp.weights.toTypedArray().forEach((v, i) => expect(Math.abs(v - c.weights[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
  });

  test("a backend that is not the CPU one runs the planned contractions, with the same results", () => {
    const cpu = new CpuBackend({ threads: 1 });
    // Delegates every operation, so it is not recognised as the CPU backend.
    const other: Backend<DenseTensor> = {
      name: "delegate",
      limits: cpu.limits,
      upload: (t) => cpu.upload(t),
      download: (t) => cpu.download(t),
      reshape: (t, s) => cpu.reshape(t, s),
      permute: (t, a) => cpu.permute(t, a),
      diagonal: (t, a, b) => cpu.diagonal(t, a, b),
      sumAxes: (t, a) => cpu.sumAxes(t, a),
      batchedMatmul: (a, b) => cpu.batchedMatmul(a, b),
    };
    for (const c of previous.cases) {
      const x = dataOf(c);
      const fast = cpAls(x, c.rank, { ...c.options, backend: cpu });
      const planned = cpAls(x, c.rank, { ...c.options, backend: other });
      expect(planned.iterations).toBe(fast.iterations);
      planned.errors.forEach((e, i) => expect(Math.abs(e - fast.errors[i]!)).toBeLessThanOrEqual(errorTolerance(e)));
      planned.cp.factors.forEach((f, k) => {
        const a = f.toTypedArray();
        fast.cp.factors[k]!.toTypedArray().forEach((v, i) => expect(Math.abs(v - a[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
      });
    }
  });

  test("onIteration sees every error; a CP tensor init with weights is taken as given", () => {
    const x = randn([5, 4, 3], { seed: 21 });
    const seen: number[] = [];
    const init = new CPTensor(new DenseTensor(new Float64Array([2, 0.5]), [2]), [
      randn([5, 2], { seed: 22 }),
      randn([4, 2], { seed: 23 }),
      randn([3, 2], { seed: 24 }),
    ]);
    const fit = cpAls(x, 2, { init, maxIter: 5, tol: 0, onIteration: (it, e) => seen.push(it, e) });
    expect(seen).toEqual(fit.errors.flatMap((e, i) => [i + 1, e]));
    // The weights fold into factor 0: the same fit as from the pre-scaled factors.
    const scaled = new CPTensor(undefined, [
      new DenseTensor(
        init.factors[0]!.toTypedArray().map((v, i) => v * [2, 0.5][i % 2]!),
        [5, 2],
      ),
      ...init.factors.slice(1),
    ]);
    expect(cpAls(x, 2, { init: scaled, maxIter: 5, tol: 0 }).errors).toEqual(fit.errors);
  });
});

describe("a tensor large enough to be kept in kernel memory", () => {
  test.each([
    [[40, 40, 50], 7],
    [[12, 10, 9, 70], 5],
  ])("shape %j rank %i: two sweeps match the oracle on the WebAssembly and TypeScript kernels", (shape, rank) => {
    const x = randn(shape, { seed: 3 }) as DenseTensor<"float64">;
    for (const backend of backends) {
      const sweep = new MttkrpSweep(x, rank, backend);
      const factors = shape.map((n, k) => randn([n, rank], { seed: 10 + k }).data as Float64Array);
      for (let s = 0; s < 2; s++) {
        for (let m = 0; m < shape.length; m++) {
          const got = new DenseTensor(sweep.mttkrp(factors, m), [shape[m]!, rank]);
          expectMatchesOracle(got, oracleMttkrp(shape, x.data, factors, rank, m), 1e-12, `${backend.kernels} sweep ${s} mode ${m}`);
          factors[m] = randn([shape[m]!, rank], { seed: 50 + 10 * s + m }).data as Float64Array;
        }
      }
      sweep.release();
    }
  });

  test("a second sweep on the same backend while the first is open works without kernel memory, and both stay right", () => {
    const shape = [40, 40, 50];
    const x = randn(shape, { seed: 8 }) as DenseTensor<"float64">;
    const y = randn(shape, { seed: 9 }) as DenseTensor<"float64">;
    const backend = backends[0]!;
    const outer = new MttkrpSweep(x, 4, backend);
    const inner = new MttkrpSweep(y, 4, backend);
    const factors = shape.map((n, k) => randn([n, 4], { seed: 20 + k }).data as Float64Array);
    for (let m = 0; m < 3; m++) {
      expectMatchesOracle(
        new DenseTensor(inner.mttkrp(factors, m), [shape[m]!, 4]),
        oracleMttkrp(shape, y.data, factors, 4, m),
        1e-12,
        `inner mode ${m}`,
      );
      expectMatchesOracle(
        new DenseTensor(outer.mttkrp(factors, m), [shape[m]!, 4]),
        oracleMttkrp(shape, x.data, factors, 4, m),
        1e-12,
        `outer mode ${m}`,
      );
    }
    inner.release();
    outer.release();
  });
});

describe("matrices", () => {
  test("the MTTKRP of a 2-way tensor is X·U₁ and Xᵀ·U₀", () => {
    for (const backend of backends) {
      const x = randn([30, 20], { seed: 5 }) as DenseTensor<"float64">;
      const f = [randn([30, 3], { seed: 6 }).data as Float64Array, randn([20, 3], { seed: 7 }).data as Float64Array];
      const sweep = new MttkrpSweep(x, 3, backend);
      for (let m = 0; m < 2; m++) {
        expectMatchesOracle(
          new DenseTensor(sweep.mttkrp(f, m), [x.shape[m]!, 3]),
          oracleMttkrp([30, 20], x.data, f, 3, m),
          1e-12,
          `${backend.kernels} mode ${m}`,
        );
      }
    }
  });
});
