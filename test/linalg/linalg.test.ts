import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  cholesky,
  eigh,
  einsum,
  fold,
  InvalidShapeError,
  kron,
  lstsq,
  pinv,
  qr,
  randn,
  singularValues,
  solveSymmetric,
  svd,
  tensor,
  unfold,
  type DenseTensor,
} from "../../src/index.js";

/** Independent checks: products by explicit loops. */
function mm(a: DenseTensor, b: DenseTensor): number[][] {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  return Array.from({ length: m }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.get(i, p) * b.get(p, j);
      return s;
    }),
  );
}
const maxDiff = (a: number[][], b: number[][]): number => Math.max(0, ...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i]![j]!))));
const eye = (n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

const arbMatrix = fc
  .record({ m: fc.integer({ min: 1, max: 14 }), n: fc.integer({ min: 1, max: 14 }), seed: fc.nat() })
  .map(({ m, n, seed }) => randn([m, n], { seed }));

describe("SVD", () => {
  test("reconstruction, orthogonality, order (property, ~1e-13)", () => {
    fc.assert(
      fc.property(arbMatrix, (a) => {
        const { u, s, vt } = svd(a);
        const k = s.length;
        const us = u.clone();
        for (let i = 0; i < u.shape[0]!; i++) for (let j = 0; j < k; j++) us.set(us.get(i, j) * s[j]!, i, j);
        const scale = Math.max(1, ...Array.from(a.toTypedArray(), Math.abs));
        if (maxDiff(mm(us, vt), a.toArray() as number[][]) > 1e-13 * scale * 4) return false;
        if (maxDiff(mm(u.transpose().contiguous(), u), eye(k)) > 1e-13) return false;
        if (maxDiff(mm(vt, vt.transpose().contiguous()), eye(k)) > 1e-13) return false;
        for (let i = 1; i < k; i++) if (s[i]! > s[i - 1]! || s[i]! < 0) return false;
        return true;
      }),
      { numRuns: 150 },
    );
  });
  test("100×100 and a tall 300×60 stay at ~1e-13", () => {
    for (const a of [randn([100, 100], { seed: 1 }), randn([300, 60], { seed: 2 })]) {
      const { u, s, vt } = svd(a);
      const rec = einsum("ik,k,kj->ij", [u, tensor([...s]), vt]);
      let err = 0;
      for (let i = 0; i < a.size; i++) err = Math.max(err, Math.abs(rec.data[i]! - a.data[i]!));
      expect(err).toBeLessThan(1e-12);
      expect(maxDiff(einsum("ik,il->kl", [u, u]).toArray() as number[][], eye(s.length))).toBeLessThan(1e-13);
    }
  });
  test("rank-deficient and zero matrices", () => {
    const low = einsum("ik,kj->ij", [randn([12, 2], { seed: 3 }), randn([2, 9], { seed: 4 })]);
    const s = svd(low).s;
    expect(s[1]! / s[0]!).toBeGreaterThan(1e-3);
    expect(s[2]! / s[0]!).toBeLessThan(1e-14);
    expect([
      ...svd(
        tensor([
          [0, 0],
          [0, 0],
        ]),
      ).s,
    ]).toEqual([0, 0]);
  });
  test("truncated and sign-flipped", () => {
    const a = randn([8, 6], { seed: 5 });
    const t = svd(a, { rank: 2, flipSigns: true });
    expect(t.u.shape).toEqual([8, 2]);
    expect(t.vt.shape).toEqual([2, 6]);
    for (let j = 0; j < 2; j++) {
      const col = [...t.u.select(1, j).toTypedArray()];
      const big = col.reduce((p, v) => (Math.abs(v) > Math.abs(p) ? v : p), 0);
      expect(big).toBeGreaterThan(0);
    }
    expect(() => svd(a, { rank: 7 })).toThrow(/rank 7/);
  });
});

describe("QR, solvers, eigh, products", () => {
  test("QR: Q orthonormal, R upper triangular, A = QR (property)", () => {
    fc.assert(
      fc.property(arbMatrix, (a) => {
        const { q, r } = qr(a);
        const k = q.shape[1]!;
        if (maxDiff(mm(q, r), a.toArray() as number[][]) > 1e-12) return false;
        if (maxDiff(mm(q.transpose().contiguous(), q), eye(k)) > 1e-13) return false;
        for (let i = 0; i < r.shape[0]!; i++) for (let j = 0; j < Math.min(i, r.shape[1]!); j++) if (r.get(i, j) !== 0) return false;
        return true;
      }),
      { numRuns: 100 },
    );
  });
  test("Cholesky solve, least squares, pseudo-inverse", () => {
    const b = randn([5, 5], { seed: 1 });
    const spd = einsum("ik,jk->ij", [b, b]);
    for (let i = 0; i < 5; i++) spd.set(spd.get(i, i) + 1, i, i);
    const rhs = randn([5, 2], { seed: 2 });
    const x = solveSymmetric(spd, rhs);
    expect(maxDiff(mm(spd, x), rhs.toArray() as number[][])).toBeLessThan(1e-12);
    expect(
      cholesky(
        tensor([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toBeUndefined();
    const a = randn([9, 4], { seed: 3 });
    const y = randn([9, 1], { seed: 4 });
    const sol = lstsq(a, y);
    // Normal equations: Aᵀ(A x − y) = 0.
    const res = mm(a, sol).map((r, i) => [r[0]! - y.get(i, 0)]);
    expect(maxDiff(mm(a.transpose().contiguous(), tensor(res)), [[0], [0], [0], [0]])).toBeLessThan(1e-12);
    const p = pinv(a);
    expect(maxDiff(mm(tensor(mm(a, p)), a), a.toArray() as number[][])).toBeLessThan(1e-12);
  });
  test("symmetric eigendecomposition", () => {
    const b = randn([7, 7], { seed: 5 });
    const s = einsum("ik,jk->ij", [b, b]);
    const { values, vectors } = eigh(s);
    const rec = mm(tensor(mm(vectors, tensor(eye(7).map((r, i) => r.map((v) => v * values[i]!))))), vectors.transpose().contiguous());
    expect(maxDiff(rec, s.toArray() as number[][])).toBeLessThan(1e-11);
    for (let i = 1; i < 7; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    expect(() =>
      eigh(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toThrow(/not symmetric/);
  });
  test("kron and fold/unfold round trip", () => {
    expect(kron(tensor([[1, 2]]), tensor([[1], [10]])).toArray()).toEqual([
      [1, 2],
      [10, 20],
    ]);
    const x = randn([3, 4, 5], { seed: 6 });
    for (let m = 0; m < 3; m++) expect(fold(unfold(x, m), m, [3, 4, 5]).toArray()).toEqual(x.toArray());
  });
  test("non-matrices and non-finite entries are refused", () => {
    expect(() => svd(randn([2, 2, 2], { seed: 1 }))).toThrow(InvalidShapeError);
    expect(() => svd(tensor([[1, NaN]]))).toThrow(/non-finite/);
    expect(() => singularValues(randn([2, 2, 2], { seed: 1 }))).toThrow(InvalidShapeError);
    expect(() =>
      singularValues(
        tensor([
          [1, 2],
          [Infinity, 3],
        ]),
      ),
    ).toThrow(/non-finite/);
    // Every position of odd- and even-sized views (offset, contiguous or not), each kind of bad value.
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const [rows, cols] of [
        [3, 5],
        [4, 4],
      ] as const) {
        for (let at = 0; at < rows * cols; at++) {
          const big = randn([rows + 1, cols], { seed: at });
          big.data[cols + at] = bad;
          const view = big.slice(0, 1, rows + 1);
          expect(() => svd(view)).toThrow(new RegExp(`non-finite entry \\(${bad}\\) at flat index ${at}`));
          expect(() => svd(view.transpose())).toThrow(/non-finite/);
        }
      }
    }
  });
});
