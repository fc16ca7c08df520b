import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { allClose, CpuBackend, defaultBackend, qr, rand, randn, singularValues, svd, tensor, type DenseTensor } from "../../src/index.js";
import { bidiagonalDC } from "../../src/linalg/bidiagonal-dc.js";
import { jacobiSingularValues } from "./jacobi-svd-oracle.js";

/** Errors of an SVD, by explicit loops: max |UᵀU − I|, max |VᵀV − I|, ‖A − U S Vᵀ‖_F / ‖A‖_F. */
function svdErrors(a: DenseTensor, r: { u: DenseTensor; s: Float64Array; vt: DenseTensor }): { orthU: number; orthV: number; rec: number } {
  const [m, n] = a.shape as [number, number];
  const k = r.s.length;
  const U = r.u.toTypedArray();
  const V = r.vt.toTypedArray();
  const A = a.toTypedArray();
  let orthU = 0;
  let orthV = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let x = 0;
      for (let p = 0; p < m; p++) x += U[p * k + i]! * U[p * k + j]!;
      let y = 0;
      for (let c = 0; c < n; c++) y += V[i * n + c]! * V[j * n + c]!;
      orthU = Math.max(orthU, Math.abs(x - (i === j ? 1 : 0)));
      orthV = Math.max(orthV, Math.abs(y - (i === j ? 1 : 0)));
    }
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0;
      for (let l = 0; l < k; l++) x += U[i * k + l]! * r.s[l]! * V[l * n + j]!;
      num += (x - A[i * n + j]!) ** 2;
      den += A[i * n + j]! ** 2;
    }
  }
  return { orthU, orthV, rec: den === 0 ? Math.sqrt(num) : Math.sqrt(num / den) };
}

function expectGoodSvd(a: DenseTensor, tolFactor = 1): { s: Float64Array } {
  const r = svd(a);
  const k = Math.min(a.shape[0]!, a.shape[1]!);
  const tol = 1e-14 * Math.max(k, 10) * tolFactor;
  const { orthU, orthV, rec } = svdErrors(a, r);
  expect(orthU).toBeLessThan(tol);
  expect(orthV).toBeLessThan(tol);
  expect(rec).toBeLessThan(tol);
  expect(r.s.length).toBe(k);
  for (let i = 0; i < k; i++) {
    expect(r.s[i]!).toBeGreaterThanOrEqual(0);
    if (i > 0) expect(r.s[i]!).toBeLessThanOrEqual(r.s[i - 1]!);
  }
  return r;
}

function expectValues(s: Float64Array, ref: readonly number[], tol: number): void {
  expect(s.length).toBe(ref.length);
  let err = 0;
  for (let i = 0; i < s.length; i++) err = Math.max(err, Math.abs(s[i]! - ref[i]!));
  expect(err).toBeLessThan(tol);
}

const fromFlat = (data: ArrayLike<number>, m: number, n: number): DenseTensor =>
  tensor(Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => data[i * n + j]!)));

/** An upper bidiagonal matrix with diagonal `d` and superdiagonal `e`. */
function bidiagonal(d: readonly number[], e: readonly number[]): DenseTensor {
  const n = d.length;
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    x[i * n + i] = d[i]!;
    if (i < n - 1) x[i * n + i + 1] = e[i]!;
  }
  return fromFlat(x, n, n);
}

// Sizes around the divide-and-conquer leaf (25 rows) and the bidiagonalisation panel (32 columns).
const SIZES = [1, 2, 3, 24, 25, 26, 33, 64, 100, 257];

describe("SVD (blocked bidiagonalisation + divide and conquer)", () => {
  test.each(SIZES)("random n = %i (square): orthogonal factors, reconstruction, values match one-sided Jacobi", (n) => {
    const a = randn([n, n], { seed: 100 + n });
    const { s } = expectGoodSvd(a);
    expectValues(s, jacobiSingularValues(a.toTypedArray(), n, n), 1e-13 * Math.max(n, 10) * s[0]!);
  });

  test.each([
    [40, 26],
    [26, 40],
    [70, 64],
    [64, 130],
    [300, 33],
    [5, 100],
  ])("random %i×%i (tall and wide)", (m, n) => {
    const a = randn([m, n], { seed: m * 1000 + n });
    const { s } = expectGoodSvd(a);
    expectValues(s, jacobiSingularValues(a.toTypedArray(), m, n), 1e-13 * Math.max(m, n) * s[0]!);
  });

  test("repeated singular values: identity, an orthogonal matrix, block-diagonal copies", () => {
    const n = 70;
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    expectValues(expectGoodSvd(fromFlat(eye, n, n)).s, Array<number>(n).fill(1), 1e-15);
    const q = qr(randn([90, 90], { seed: 7 })).q;
    expectValues(expectGoodSvd(q).s, Array<number>(90).fill(1), 1e-13);
    // Eight copies of one random 9×9 block, interleaved by a permutation: each value 8 times.
    const b = randn([9, 9], { seed: 8 }).toTypedArray();
    const bs = jacobiSingularValues(b, 9, 9);
    const copies = 8;
    const N = 9 * copies;
    const perm = Array.from({ length: N }, (_, i) => (i * 29) % N);
    const x = new Float64Array(N * N);
    for (let c = 0; c < copies; c++)
      for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) x[perm[c * 9 + i]! * N + perm[c * 9 + j]!] = b[i * 9 + j]!;
    expectValues(
      expectGoodSvd(fromFlat(x, N, N)).s,
      bs.flatMap((v) => Array<number>(copies).fill(v)),
      1e-13 * bs[0]!,
    );
  });

  test("exactly rank-deficient: zeros in s, factors still orthogonal", () => {
    for (const [m, n, r] of [
      [90, 90, 7],
      [60, 45, 1],
      [40, 80, 30],
    ] as const) {
      const l = randn([m, r], { seed: m + r }).toTypedArray();
      const rt = randn([r, n], { seed: n + r }).toTypedArray();
      const x = new Float64Array(m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) for (let p = 0; p < r; p++) x[i * n + j] = x[i * n + j]! + l[i * r + p]! * rt[p * n + j]!;
      const { s } = expectGoodSvd(fromFlat(x, m, n));
      expect(s[r - 1]! / s[0]!).toBeGreaterThan(1e-6);
      for (let i = r; i < s.length; i++) expect(s[i]! / s[0]!).toBeLessThan(1e-13);
    }
  });

  test("zero rows and columns, and the zero matrix", () => {
    const n = 50;
    const x = randn([n, n], { seed: 11 }).toTypedArray().slice();
    for (let i = 0; i < n; i += 3) for (let j = 0; j < n; j++) x[i * n + j] = 0;
    for (let j = 1; j < n; j += 4) for (let i = 0; i < n; i++) x[i * n + j] = 0;
    expectGoodSvd(fromFlat(x, n, n));
    const { s } = expectGoodSvd(fromFlat(new Float64Array(60 * 60), 60, 60));
    expect([...s].every((v) => v === 0)).toBe(true);
  });

  test("graded rows (1e-8 … 1e8) and graded bidiagonals", () => {
    const n = 80;
    const g = randn([n, n], { seed: 12 }).toTypedArray();
    const x = Float64Array.from(g, (v, t) => v * 10 ** (-8 + (16 * Math.floor(t / n)) / (n - 1)));
    const { s } = expectGoodSvd(fromFlat(x, n, n));
    expectValues(s, jacobiSingularValues(x, n, n), 1e-13 * n * s[0]!);
    const d = Array.from({ length: 60 }, (_, i) => 10 ** (-i / 4));
    const e = Array.from({ length: 59 }, (_, i) => 10 ** (-i / 4 - 0.1));
    const bi = bidiagonal(d, e);
    expectValues(expectGoodSvd(bi).s, jacobiSingularValues(bi.toTypedArray(), 60, 60), 1e-14);
  });

  test("bidiagonals with zero and clustered diagonal entries (deflation paths)", () => {
    const n = 120;
    const cases = [
      bidiagonal(
        Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : 1 + (i % 5))),
        Array<number>(n - 1).fill(0.5),
      ),
      bidiagonal(
        Array.from({ length: n }, (_, i) => 1 + 1e-15 * i),
        Array.from({ length: n - 1 }, (_, i) => (i % 13 === 0 ? 1e-17 : 1e-3)),
      ),
      bidiagonal(
        Array.from({ length: n }, () => 1),
        Array.from({ length: n - 1 }, () => 1),
      ),
    ];
    for (const b of cases) {
      const { s } = expectGoodSvd(b);
      expectValues(s, jacobiSingularValues(b.toTypedArray(), n, n), 1e-13 * n * s[0]!);
    }
  });

  test("property: small random shapes across the leaf size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 45 }), fc.integer({ min: 1, max: 45 }), fc.nat(), fc.boolean(), (m, n, seed, lowRank) => {
        let a: DenseTensor = randn([m, n], { seed });
        if (lowRank && Math.min(m, n) > 2) {
          // Duplicate half of the rows: rank ≤ ⌈m/2⌉.
          const x = a.toTypedArray().slice();
          for (let i = 1; i < m; i += 2) x.copyWithin(i * n, (i - 1) * n, i * n);
          a = fromFlat(x, m, n);
        }
        const r = svd(a);
        const { orthU, orthV, rec } = svdErrors(a, r);
        const tol = 1e-14 * Math.max(m, n, 10);
        return orthU < tol && orthV < tol && rec < tol && r.s.every((v, i) => v >= 0 && (i === 0 || v <= r.s[i - 1]!));
      }),
      { numRuns: 60 },
    );
  });
});

describe("singularValues (no vectors) and the backend option", () => {
  test("agree with the one-sided Jacobi oracle on tall, wide and square matrices, and leave the input alone (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.nat(1000), (m, n, seed) => {
        const a = randn([m, n], { seed });
        const before = a.toTypedArray();
        const s = singularValues(a);
        const ref = jacobiSingularValues(before, m, n);
        expect(s.length).toBe(Math.min(m, n));
        for (let i = 0; i < s.length; i++) expect(Math.abs(s[i]! - ref[i]!)).toBeLessThanOrEqual(1e-13 * Math.max(m, n) * ref[0]!);
        expect(a.toTypedArray()).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });

  test("a single-threaded backend gives the same decomposition as the default one", () => {
    const a = randn([90, 70], { seed: 4 });
    const one = new CpuBackend({ threads: 1 });
    const r1 = svd(a, { backend: one });
    const r2 = svd(a);
    expect([...r1.s]).toEqual([...r2.s]);
    expect(allClose(r1.u, r2.u, { rtol: 0, atol: 0 })).toBe(true);
    one.dispose();
  });
});

describe("the SVD's WebAssembly paths (matrix–vector products, secular passes) against the TypeScript ones", () => {
  test.each([
    [130, 130],
    [160, 70],
    [70, 160],
    [300, 97],
  ])("%i×%i: same singular values and a valid SVD with kernels 'ts' and the default kernels", (m, n) => {
    const a = randn([m, n], { seed: m + n });
    const ts = new CpuBackend({ kernels: "ts", threads: 1 });
    const wasm = new CpuBackend({ threads: 1 });
    const rTs = svd(a, { backend: ts });
    const rWasm = svd(a, { backend: wasm });
    expect(wasm.kernels === "wasm" || wasm.kernels === "ts").toBe(true);
    for (let i = 0; i < rTs.s.length; i++) expect(Math.abs(rTs.s[i]! - rWasm.s[i]!)).toBeLessThanOrEqual(1e-12 * rTs.s[0]!);
    for (const r of [rWasm, rTs]) {
      const e = svdErrors(a, r);
      expect(Math.max(e.orthU, e.orthV, e.rec)).toBeLessThan(1e-13);
    }
    const values = singularValues(a, { backend: wasm });
    for (let i = 0; i < values.length; i++) expect(Math.abs(values[i]! - rTs.s[i]!)).toBeLessThanOrEqual(1e-12 * rTs.s[0]!);
    ts.dispose();
    wasm.dispose();
  });
});

describe("kernel memory that grows during the reduction", () => {
  test("a fresh one-thread backend (unshared memory, which growing detaches) still gives a valid 400×400 SVD", () => {
    const backend = new CpuBackend({ threads: 1 });
    const before = backend.runtime?.memory.buffer.byteLength ?? 0;
    const a = randn([400, 400], { seed: 12 });
    const r = svd(a, { backend });
    const e = svdErrors(a, r);
    expect(Math.max(e.orthU, e.orthV, e.rec)).toBeLessThan(1e-13);
    // The memory did grow (else this test would not cover the detached-view path).
    if (backend.runtime) expect(backend.runtime.memory.buffer.byteLength).toBeGreaterThan(before);
    backend.dispose();
  });
});

describe("bidiagonalDC on structured bidiagonals (each merge path: deflation kinds, secular roots next to their poles)", () => {
  const n = 150;
  const eps = 2 ** -52;
  const u = (seed: number): Float64Array => rand([n], { seed }).toTypedArray();
  const g = (seed: number): Float64Array => randn([n], { seed }).toTypedArray();
  const [g1, g2, u3, u4, u5, u6, u7, u8, u9] = [g(1), g(2), u(3), u(4), u(5), u(6), u(7), u(8), u(9)];
  // Each: diagonal d_i and superdiagonal e_i (coupling rows i, i+1; the top merge row is 75).
  const cases: readonly [string, (i: number) => number, (i: number) => number][] = [
    ["random", (i) => g1[i]!, (i) => g2[i]!],
    ["all ones (equal values across the halves: rotations mix top and bottom vectors)", () => 1, () => 1],
    ["lower part zero (all-deflated merges; halves with no live vectors)", (i) => (i > 80 ? 0 : 1 + u3[i]!), (i) => (i >= 80 ? 0 : u4[i]!)],
    ["zero couplings at merge rows", (i) => 1 + u5[i]!, (i) => (i === 75 || i % 19 === 18 ? 0 : u6[i]!)],
    ["zero diagonal entries (d ≈ 0 rotations into z_0)", (i) => (i % 7 === 3 ? 0 : 1 + u7[i]!), (i) => u8[i]! - 0.5],
    ["couplings just above the deflation tolerance (roots within ~1e-24 of a pole)", (i) => 1 + u8[i]!, (i) => 10 ** (-12 - 1.5 * u9[i]!)],
    ["graded 1 … 1e-12", (i) => 10 ** ((-12 * i) / n), (i) => 10 ** ((-12 * i) / n - 0.3)],
  ];

  // The secular passes run as WebAssembly SIMD (default kernels) or as TypeScript loops (kernels "ts").
  const tsKernels = new CpuBackend({ kernels: "ts", threads: 1 });
  const withKernels = cases.flatMap(([name, dOf, eOf]) => (["default", "ts"] as const).map((k) => [name, k, dOf, eOf] as const));
  test.each(withKernels)(
    "%s (%s kernels): orthonormal vectors, B = U·diag(s)·Vᵀ, values match one-sided Jacobi",
    (_, kernels, dOf, eOf) => {
      const d0 = Float64Array.from({ length: n }, (_, i) => dOf(i));
      const e0 = Float64Array.from({ length: n - 1 }, (_, i) => eOf(i));
      const s = d0.slice();
      const { ub, vb } = bidiagonalDC(s, e0.slice(), n, kernels === "ts" ? tsKernels : defaultBackend());
      // ~100 ulps: about 5× what a correct merge gives here, and below what dropping the Löwner
      // recomputation of z (or a wrong factor in it) gives.
      const orthTol = 100 * eps;
      let orth = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          let x = 0;
          let y = 0;
          for (let p = 0; p < n; p++) {
            x += ub[p * n + i]! * ub[p * n + j]!;
            y += vb[p * n + i]! * vb[p * n + j]!;
          }
          orth = Math.max(orth, Math.abs(x - (i === j ? 1 : 0)), Math.abs(y - (i === j ? 1 : 0)));
        }
      }
      expect(orth).toBeLessThan(orthTol);
      const B = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        B[i * n + i] = d0[i]!;
        if (i < n - 1) B[i * n + i + 1] = e0[i]!;
      }
      let rec = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let x = 0;
          for (let l = 0; l < n; l++) x += ub[i * n + l]! * s[l]! * vb[j * n + l]!;
          rec = Math.max(rec, Math.abs(x - B[i * n + j]!));
        }
      }
      const bmax = B.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(rec).toBeLessThan(500 * eps * bmax);
      expect(s.every((x) => x >= 0)).toBe(true);
      const ref = jacobiSingularValues(B, n, n);
      expectValues(Float64Array.from(s).sort().reverse(), ref, 1e-13 * ref[0]!);
    },
  );
});
