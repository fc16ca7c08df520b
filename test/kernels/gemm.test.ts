import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CpuBackend, DenseTensor, randn, type DType } from "../../src/index.js";
import { naiveBatchedMatmul } from "../oracles/matmul.js";
import { firstDifference, maxScaledError, stridedRandom } from "./helpers.js";
import { ResidentF64 } from "../../src/kernels/level2.js";

const EPS = { float32: 2 ** -23, float64: 2 ** -52 } as const;
const backends = new Map<number, CpuBackend>();
const ts = new CpuBackend({ kernels: "ts" });

beforeAll(async () => {
  for (const t of [1, 2, 3, 4]) {
    const b = new CpuBackend({ kernels: "wasm", threads: t });
    await b.ready();
    backends.set(t, b);
  }
});
afterAll(() => {
  for (const b of backends.values()) b.dispose();
});

/** Edge sizes: 1, primes, and values just off the micro-tile and block sizes (6, 8, 144, 256, 512). */
const edgeSize = fc.constantFrom(1, 2, 3, 5, 6, 7, 8, 9, 11, 13, 17, 23, 31, 37);
const size = fc.oneof(edgeSize, fc.integer({ min: 1, max: 40 }));
const perm3 = fc.constantFrom([0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]);
const dtypeArb = fc.constantFrom<DType>("float32", "float64");

/** Element getter of a 3-axis view straight from its storage. */
function getter(x: DenseTensor): (p: number, q: number, r: number) => number {
  const [s0, s1, s2] = x.strides as [number, number, number];
  const d = x.data;
  const o = x.offset;
  return (p, q, r) => d[o + p * s0 + q * s1 + r * s2]!;
}

function oracle(a: DenseTensor, b: DenseTensor) {
  const [B, M, K] = a.shape as [number, number, number];
  return naiveBatchedMatmul(getter(a), getter(b), B, M, K, b.shape[2]!);
}

function checkAgainstOracle(a: DenseTensor, b: DenseTensor, c: DenseTensor, dtype: DType): void {
  const [B, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const ref = oracle(a, b);
  expect(c.shape).toEqual([B, M, N]);
  expect(c.dtype).toBe(dtype);
  // Sequential summation: |error| <= K·eps·Σ|products| (plus rounding of the result).
  expect(maxScaledError(c.data, ref.value, ref.absSum)).toBeLessThanOrEqual((K + 2) * EPS[dtype]);
}

describe("WebAssembly GEMM", () => {
  test("matches the naive oracle and the TypeScript GEMM on strided operands, every thread count", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        size,
        size,
        size,
        perm3,
        perm3,
        fc.boolean(),
        fc.boolean(),
        dtypeArb,
        fc.integer({ min: 1, max: 4 }),
        (B, M, K, N, pa, pb, gapA, gapB, dtype, threads) => {
          void N;
          const a = stridedRandom([B, M, K], pa, gapA, 1, dtype);
          const b = stridedRandom([B, K, N], pb, gapB, 2, dtype);
          const c = backends.get(threads)!.batchedMatmul(a, b);
          checkAgainstOracle(a, b, c, dtype);
          const d = ts.batchedMatmul(a, b);
          const ref = oracle(a, b);
          expect(maxScaledError(c.data, d.data, ref.absSum)).toBeLessThanOrEqual(2 * (K + 2) * EPS[dtype]);
        },
      ),
      { numRuns: 120 },
    );
  });

  test.each([
    [1, 1, 1, 1],
    [1, 145, 257, 513],
    [2, 150, 300, 70],
    [1, 6, 1000, 8],
    [1, 97, 3, 101],
    [5, 1, 200, 33],
  ])("large or ragged %i×%i×%i×%i (B×M×K×N): oracle, and bit-identical for 1…4 threads", (B, M, K, N) => {
    for (const dtype of ["float32", "float64"] as const) {
      const a = stridedRandom([B, M, K], [0, 2, 1], false, 3, dtype);
      const b = stridedRandom([B, K, N], [0, 1, 2], true, 4, dtype);
      const results = [1, 2, 3, 4].map((t) => backends.get(t)!.batchedMatmul(a, b));
      checkAgainstOracle(a, b, results[0]!, dtype);
      for (const r of results.slice(1)) expect(firstDifference(r.data, results[0]!.data)).toBe(-1);
    }
  });

  test("the thread pool is actually running (so the equality above compares parallel runs)", () => {
    expect(backends.get(4)!.activeThreads).toBe(4);
    expect(backends.get(1)!.activeThreads).toBe(1);
  });

  test("broadcast batch (stride 0) and empty sizes", () => {
    const one = randn([1, 20, 30], { seed: 5, dtype: "float32" });
    const a = new DenseTensor(one.data, [4, 20, 30], [0, 30, 1]);
    const b = randn([4, 30, 10], { seed: 6, dtype: "float32" });
    checkAgainstOracle(a, b, backends.get(2)!.batchedMatmul(a, b), "float32");
    const e = backends.get(2)!.batchedMatmul(randn([2, 3, 0], { seed: 1 }), randn([2, 0, 4], { seed: 2 }));
    expect(e.shape).toEqual([2, 3, 4]);
    expect([...e.data].every((v) => v === 0)).toBe(true);
    expect(backends.get(2)!.batchedMatmul(randn([0, 3, 2], { seed: 1 }), randn([0, 2, 4], { seed: 2 })).shape).toEqual([0, 3, 4]);
  });
});

describe("batchedMatmul into a caller's buffer", () => {
  test("writes the product over whatever the buffer held, on the WebAssembly and TypeScript kernels (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), size, size, size, fc.nat(1000), (B, M, K, N, seed) => {
        const a = randn([B, M, K], { seed });
        const b = randn([B, K, N], { seed: seed + 1 });
        for (const backend of [backends.get(1)!, ts]) {
          const into = new Float64Array(B * M * N).fill(7);
          const got = backend.batchedMatmul(a, b, into);
          expect(got.data).toBe(into);
          checkAgainstOracle(a, b, got, "float64");
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe("narrow float64 products (A read in place by the micro-kernels)", () => {
  test("match the oracle for N ≤ 16 with A row- or column-major, K across several panels (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 16 }),
        fc.constantFrom(1, 255, 257, 600),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 }),
        fc.nat(1000),
        (M, N, K, transposed, threads, seed) => {
          const stored = randn(transposed ? [1, K, M] : [1, M, K], { seed });
          // A transposed view has unit row stride: the micro-kernels then step k by M.
          const a = transposed ? new DenseTensor(stored.data, [1, M, K], [M * K, 1, M]) : stored;
          const b = randn([1, K, N], { seed: seed + 1 });
          checkAgainstOracle(a, b, backends.get(threads)!.batchedMatmul(a, b), "float64");
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("short float64 products (B's rows read in place by the micro-kernels)", () => {
  test("match the oracle for M ≤ 96 with ragged N, K across several panels, A either way round (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(63, 64, 95, 96, 97)),
        fc.integer({ min: 17, max: 70 }),
        fc.constantFrom(3, 255, 257, 600),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 }),
        fc.nat(1000),
        (M, N, K, transposed, accumulate, threads, seed) => {
          const stored = randn(transposed ? [1, K, M] : [1, M, K], { seed });
          const a = transposed ? new DenseTensor(stored.data, [1, M, K], [M * K, 1, M]) : stored;
          const b = randn([1, K, N], { seed: seed + 1 });
          if (!accumulate) {
            checkAgainstOracle(a, b, backends.get(threads)!.batchedMatmul(a, b), "float64");
            return;
          }
          const start = randn([1, M, N], { seed: seed + 2 });
          const ref = oracle(a, b);
          const got = backends.get(threads)!.batchedMatmul(a, b, start.data.slice(), { accumulate: true });
          const want = ref.value.map((v, i) => v + start.data[i]!);
          const scale = ref.absSum.map((x, i) => x + Math.abs(start.data[i]!));
          expect(maxScaledError(got.data, want, scale)).toBeLessThanOrEqual((K + 3) * EPS.float64);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("batchedMatmul accumulating into a caller's buffer", () => {
  test("adds the product to what the buffer holds, on the WebAssembly and TypeScript kernels (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        size,
        size,
        size,
        fc.constantFrom(1, 300),
        dtypeArb,
        fc.nat(1000),
        (B, M, k, N, kScale, dtype, seed) => {
          const K = Math.min(k * kScale, 300);
          const a = randn([B, M, K], { seed, dtype });
          const b = randn([B, K, N], { seed: seed + 1, dtype });
          const start = randn([B, M, N], { seed: seed + 2, dtype });
          const ref = oracle(a, b);
          for (const backend of [backends.get(1)!, backends.get(2)!, ts]) {
            const into = start.data.slice();
            const got = backend.batchedMatmul(a, b, into, { accumulate: true });
            expect(got.data).toBe(into);
            const want = ref.value.map((v, i) => v + start.data[i]!);
            const scale = ref.absSum.map((s, i) => s + Math.abs(start.data[i]!));
            expect(maxScaledError(got.data, want, scale)).toBeLessThanOrEqual((K + 3) * EPS[dtype]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test("works in place on pinned kernel memory, and falls back to a copy when C would overlap an operand", () => {
    const backend = backends.get(1)!;
    const rt = backend.runtime!;
    const M = 37,
      K = 300,
      N = 11;
    const a = randn([1, M, K], { seed: 5 });
    const b = randn([1, K, N], { seed: 6 });
    const start = randn([1, M, N], { seed: 7 });
    const ref = oracle(a, b);
    const want = ref.value.map((v, i) => v + start.data[i]!);
    const scale = ref.absSum.map((s, i) => s + Math.abs(start.data[i]!));
    const block = ResidentF64.open(rt, M * K + M * N)!;
    try {
      // C in the pinned block: written there, in place.
      block.view(0, M * N).set(start.data);
      const got = backend.batchedMatmul(a, b, block.view(0, M * N), { accumulate: true });
      expect(got.data.buffer).toBe(rt.memory.buffer);
      expect(got.data.byteOffset).toBe(block.view(0, 1).byteOffset);
      expect(maxScaledError(block.view(0, M * N), want, scale)).toBeLessThanOrEqual((K + 3) * EPS.float64);
      // A in the pinned block and C over A's last entries: the product must use A as it was when
      // called (writing C in place would change A's last row before it is read).
      const aRes = block.view(0, M * K);
      aRes.set(a.data);
      const into = block.view(M * K - 5, M * N);
      into.set(start.data);
      const aNow = new DenseTensor(aRes.slice(), [1, M, K]);
      const ref2 = oracle(aNow, b);
      const again = backend.batchedMatmul(new DenseTensor(block.view(0, M * K), [1, M, K]), b, block.view(M * K - 5, M * N), {
        accumulate: true,
      });
      const want2 = ref2.value.map((v, i) => v + start.data[i]!);
      const scale2 = ref2.absSum.map((s, i) => s + Math.abs(start.data[i]!));
      expect(maxScaledError(again.data, want2, scale2)).toBeLessThanOrEqual((K + 3) * EPS.float64);
    } finally {
      block.close();
    }
  });
});

describe("batchedMatmul into a block of a larger matrix (rowStride)", () => {
  test("writes or adds each result row at its stride and leaves the entries between rows alone (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        size,
        size,
        size,
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        fc.nat(1000),
        (B, M, K, N, gap, accumulate, seed) => {
          const ld = N + gap;
          const a = randn([B, M, K], { seed });
          const b = randn([B, K, N], { seed: seed + 1 });
          const ref = oracle(a, b);
          const start = randn([(B * M - 1) * ld + N], { seed: seed + 2 }).data;
          for (const backend of [backends.get(1)!, ts]) {
            const into = start.slice();
            const got = backend.batchedMatmul(a, b, into, { accumulate, rowStride: ld });
            expect(got.data).toBe(into);
            expect(got.strides).toEqual([M * ld, ld, 1]);
            for (let r = 0; r < B * M; r++) {
              for (let c = 0; c < ld && r * ld + c < into.length; c++) {
                const at = r * ld + c;
                if (c >= N) {
                  expect(into[at]).toBe(start[at]);
                  continue;
                }
                const want = ref.value[r * N + c]! + (accumulate ? start[at]! : 0);
                const scale = ref.absSum[r * N + c]! + Math.abs(start[at]!);
                expect(Math.abs(into[at]! - want)).toBeLessThanOrEqual((K + 3) * EPS.float64 * scale + 1e-300);
              }
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test("options without a buffer, a stride below N or a buffer too short are refused", () => {
    const a = randn([1, 3, 4], { seed: 1 });
    const b = randn([1, 4, 5], { seed: 2 });
    for (const backend of [backends.get(1)!, ts]) {
      expect(() => backend.batchedMatmul(a, b, undefined, { accumulate: true })).toThrow(/need an output buffer/);
      expect(() => backend.batchedMatmul(a, b, new Float64Array(100), { rowStride: 4 })).toThrow(/rowStride 4/);
      expect(() => backend.batchedMatmul(a, b, new Float64Array(2 * 6 + 4), { rowStride: 6 })).toThrow(/cannot hold/);
    }
  });
});

describe("one-row and one-column products (matrix–vector kernels)", () => {
  test("M = 1 or N = 1 on strided and broadcast operands, overwriting or accumulating, equal the oracle (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        size,
        fc.integer({ min: 1, max: 600 }),
        perm3,
        perm3,
        fc.boolean(),
        fc.boolean(),
        dtypeArb,
        fc.nat(1000),
        (B, oneRow, other, K, orderA, orderB, broadcastB, accumulate, dtype, seed) => {
          const [M, N] = oneRow ? [1, other] : [other, 1];
          const a = stridedRandom([B, M, K], orderA, false, seed, dtype);
          const b = broadcastB
            ? randn([1, K, N], { seed: seed + 1, dtype }).broadcastTo([B, K, N])
            : stridedRandom([B, K, N], orderB, false, seed + 1, dtype);
          const ref = oracle(a, b);
          const start = randn([B, M, N], { seed: seed + 2, dtype });
          for (const backend of [backends.get(1)!, backends.get(2)!]) {
            const into = start.data.slice();
            const got = accumulate ? backend.batchedMatmul(a, b, into, { accumulate: true }) : backend.batchedMatmul(a, b);
            const want = accumulate ? ref.value.map((v, i) => v + start.data[i]!) : ref.value;
            const scale = accumulate ? ref.absSum.map((s, i) => s + Math.abs(start.data[i]!)) : ref.absSum;
            expect(got.shape).toEqual([B, M, N]);
            expect(maxScaledError(got.data, want, scale)).toBeLessThanOrEqual((K + 3) * EPS[dtype]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
