/**
 * Linear algebra and decompositions run on the backend they are given: every GEMM goes to it (a spy
 * on that backend sees them, the default backend sees none), and the results agree with the default
 * backend's (WebAssembly kernels where available) and with an independent loop check.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  CpuBackend,
  CPTensor,
  cpAls,
  cpToTensor,
  defaultBackend,
  kron,
  khatriRao,
  lstsq,
  matrixRank,
  pinv,
  randn,
  singularValues,
  solveSymmetric,
  svd,
  tensor,
  trAls,
  trSvd,
  TTTensor,
  ttRound,
  ttSvd,
  type DenseTensor,
} from "../../src/index.js";
import { WorkArrays } from "../../src/tensor/backends/cpu/work-arrays.js";

/** max |a − b| by explicit loops over the flat entries. */
function maxDiff(a: DenseTensor, b: DenseTensor): number {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  expect(x.length).toBe(y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  return d;
}

/** `u · diag(s) · vt` by explicit loops. */
function reconstruct(u: DenseTensor, s: Float64Array, vt: DenseTensor): DenseTensor {
  const [m, k] = u.shape as [number, number];
  const n = vt.shape[1]!;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let p = 0; p < k; p++) t += u.get(i, p) * s[p]! * vt.get(p, j);
      out[i * n + j] = t;
    }
  return tensor(Array.from({ length: m }, (_, i) => Array.from(out.subarray(i * n, i * n + n))));
}

describe("linear algebra on a given backend", () => {
  const ts = new CpuBackend({ kernels: "ts", threads: 1 });
  afterEach(() => vi.restoreAllMocks());

  /** Counts the GEMMs of `f` on `backend` and on the default backend. */
  function gemmsOf<R>(backend: CpuBackend, f: () => R): { result: R; mine: number; elsewhere: number } {
    const mine = vi.spyOn(backend, "batchedMatmul");
    const elsewhere = vi.spyOn(defaultBackend(), "batchedMatmul");
    const result = f();
    const counts = { mine: mine.mock.calls.length, elsewhere: elsewhere.mock.calls.length };
    mine.mockRestore();
    elsewhere.mockRestore();
    return { result, ...counts };
  }

  test.each([
    [120, 120],
    [150, 90],
    [70, 130],
  ])("svd %i×%i: the GEMMs go to the backend given, the result equals the default backend's", (m, n) => {
    const a = randn([m, n], { seed: m + n });
    const { result, mine, elsewhere } = gemmsOf(ts, () => svd(a, { backend: ts }));
    expect(mine).toBeGreaterThan(0);
    expect(elsewhere).toBe(0);
    const ref = svd(a);
    for (let i = 0; i < ref.s.length; i++) expect(Math.abs(result.s[i]! - ref.s[i]!)).toBeLessThan(1e-12 * ref.s[0]!);
    expect(maxDiff(reconstruct(result.u, result.s, result.vt), a)).toBeLessThan(1e-11);
  });

  test("singularValues, matrixRank, lstsq, pinv, solveSymmetric, khatriRao and kron take { backend }", () => {
    const a = randn([80, 60], { seed: 1 });
    const sv = gemmsOf(ts, () => singularValues(a, { backend: ts }));
    expect(sv.mine).toBeGreaterThan(0);
    expect(sv.elsewhere).toBe(0);
    const ref = singularValues(a);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(sv.result[i]! - ref[i]!)).toBeLessThan(1e-12 * ref[0]!);
    const rank = gemmsOf(ts, () => matrixRank(a, { backend: ts }));
    expect(rank.result).toBe(60);
    expect(rank.elsewhere).toBe(0);

    const tall = randn([9, 4], { seed: 3 });
    const y = randn([9, 2], { seed: 4 });
    const ls = gemmsOf(ts, () => lstsq(tall, y, { backend: ts }));
    expect(ls.mine).toBeGreaterThan(0);
    expect(ls.elsewhere).toBe(0);
    expect(maxDiff(ls.result, lstsq(tall, y))).toBeLessThan(1e-12);
    const pi = gemmsOf(ts, () => pinv(tall, { backend: ts }));
    expect(pi.mine).toBeGreaterThan(0);
    expect(pi.elsewhere).toBe(0);
    expect(maxDiff(pi.result, pinv(tall))).toBeLessThan(1e-12);
    // Singular: Cholesky fails, the pseudo-inverse path runs.
    const singular = tensor([
      [1, 2],
      [2, 4],
    ]);
    const sy = gemmsOf(ts, () => solveSymmetric(singular, tensor([[1], [2]]), { backend: ts }));
    expect(sy.elsewhere).toBe(0);
    expect(maxDiff(sy.result, tensor([[0.2], [0.4]]))).toBeLessThan(1e-12);

    const kr = gemmsOf(ts, () =>
      khatriRao(
        [
          tensor([
            [1, 2],
            [3, 4],
          ]),
          tensor([
            [1, 1],
            [0, 2],
          ]),
        ],
        { backend: ts },
      ),
    );
    expect(kr.result.toArray()).toEqual([
      [1, 2],
      [0, 4],
      [3, 4],
      [0, 8],
    ]);
    expect(kr.elsewhere).toBe(0);
    expect(gemmsOf(ts, () => kron(tensor([[1, 2]]), tensor([[1], [10]]), { backend: ts })).elsewhere).toBe(0);
  });

  test("decompositions pass their backend down to the SVDs and least squares", () => {
    const tt = new TTTensor([randn([1, 6, 2], { seed: 1 }), randn([2, 7, 3], { seed: 2 }), randn([3, 8, 1], { seed: 3 })]);
    const x = tt.toDense();
    const fitTt = gemmsOf(ts, () => ttSvd(x, { tol: 1e-12, backend: ts }));
    expect(fitTt.mine).toBeGreaterThan(0);
    expect(fitTt.result.tt.ranks).toEqual([1, 2, 3, 1]);
    expect(fitTt.result.relError).toBeLessThan(1e-12);
    const rounded = gemmsOf(ts, () => ttRound(fitTt.result.tt, { tol: 1e-10, backend: ts }));
    expect(rounded.mine).toBeGreaterThan(0);
    expect(rounded.elsewhere).toBe(0);
    expect(maxDiff(rounded.result.toDense(), x)).toBeLessThan(1e-10);

    const fitTr = gemmsOf(ts, () => trSvd(x, [1, 2, 3], { backend: ts }));
    expect(fitTr.mine).toBeGreaterThan(0);
    expect(fitTr.result.relError).toBeLessThan(1e-12);
    const als = gemmsOf(ts, () => trAls(x, [1, 2, 3], { init: fitTr.result.tr, maxIter: 3, backend: ts }));
    expect(als.mine).toBeGreaterThan(0);
    expect(als.result.errors[als.result.errors.length - 1]!).toBeLessThan(1e-10);

    const planted = new CPTensor(undefined, [randn([6, 2], { seed: 1 }), randn([5, 2], { seed: 2 }), randn([4, 2], { seed: 3 })]);
    const cp = gemmsOf(ts, () => cpAls(cpToTensor(planted), 2, { tol: 1e-14, maxIter: 200, backend: ts }));
    expect(cp.mine).toBeGreaterThan(0);
    expect(cp.result.errors[cp.result.errors.length - 1]!).toBeLessThan(1e-6);
  });
});

describe("WorkArrays", () => {
  test("a key hands out the same memory again, grown when asked for more, zeroed on request", () => {
    const w = new WorkArrays();
    const a = w.take("k", 4);
    a.set([1, 2, 3, 4]);
    const b = w.take("k", 3);
    expect(b.buffer).toBe(a.buffer);
    expect([...w.take("k", 2, true)]).toEqual([0, 0]);
    expect(w.take("k", 8).length).toBe(8);
    expect(w.take("other", 2).buffer).not.toBe(a.buffer);
  });

  test("a borrowed key is not handed out twice; released, it is reused", () => {
    const w = new WorkArrays();
    const first = w.borrow("k", 4);
    const second = w.borrow("k", 4);
    expect(second.data.buffer).not.toBe(first.data.buffer);
    second.release();
    first.release();
    first.release();
    expect(w.borrow("k", 4).data.buffer).toBe(first.data.buffer);
  });

  test("pools belong to their backend", () => {
    const one = new CpuBackend({ kernels: "ts" });
    const two = new CpuBackend({ kernels: "ts" });
    expect(one.workArrays).not.toBe(two.workArrays);
    expect(one.workArrays.take("k", 2).buffer).not.toBe(two.workArrays.take("k", 2).buffer);
  });
});
