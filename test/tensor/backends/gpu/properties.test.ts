/**
 * Generated problems on the GPU backend in Node (gpu.js `cpu` and `webasm` modes) against the CPU
 * backend and independent oracles, with shrinking.
 */
import fc from "fast-check";
import { beforeEach, describe, expect, test } from "vitest";
import {
  CpuBackend,
  DenseTensor,
  cpuLayerOps,
  einsum,
  einsumAsync,
  executePlanOnBackend,
  parseEinsum,
  planProblem,
  randn,
} from "../../../../src/index.js";
import { createGpuBackend, type GpuBackend } from "../../../../src/gpu/index.js";
import { oracleEntmax, oracleGelu, oracleSoftmax } from "../../../oracles/gates.js";
import { assertClose, einsumScale, elementScale } from "./cases.js";
import { nodeModes, useBackends } from "./modes-here.js";

const modes = await nodeModes();

/** Equations over labels a–e with repeats, implicit sums and broadcasting-free sizes 1–4. */
const arbProblem = fc.integer({ min: 1, max: 5 }).chain((nLabels) => {
  const labels = "abcde".slice(0, nLabels).split("");
  const term = fc.array(fc.constantFrom(...labels), { maxLength: 4 });
  return fc
    .record({
      inputs: fc.array(term, { minLength: 1, maxLength: 4 }),
      sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: nLabels, maxLength: nLabels }),
      keep: fc.shuffledSubarray(labels),
      seed: fc.integer({ min: 1, max: 1 << 20 }),
    })
    .map(({ inputs, sizes, keep, seed }) => {
      const used = new Set(inputs.flat());
      const output = keep.filter((l) => used.has(l));
      return {
        equation: `${inputs.map((t) => t.join("")).join(",")}->${output.join("")}`,
        shapes: inputs.map((t) => t.map((l) => sizes[labels.indexOf(l)]!)),
        seed,
      };
    });
});

const arbRows = fc.record({
  rows: fc.integer({ min: 1, max: 4 }),
  d: fc.integer({ min: 1, max: 40 }),
  scale: fc.constantFrom(0.1, 1, 3, 20),
  seed: fc.integer({ min: 1, max: 1 << 20 }),
});

describe.each(modes)("gpu.js mode %s", (mode) => {
  const backends = useBackends(mode);
  const cpu = backends.cpu;
  let gpu: GpuBackend;
  beforeEach(() => {
    gpu = backends.gpu();
  });

  test("einsum equals the CPU backend on generated problems, and every device buffer is freed", async () => {
    await fc.assert(
      fc.asyncProperty(arbProblem, async (p) => {
        const xs = p.shapes.map((s, i) => randn(s, { seed: p.seed + i, dtype: "float32" }));
        const got = await einsumAsync(p.equation, xs, { backend: gpu });
        expect(gpu.memory().buffers).toBe(0);
        assertClose(p.equation, got, einsum(p.equation, xs, { backend: cpu }), einsumScale(p, xs, cpu));
      }),
      { numRuns: 60 },
    );
  });

  test("executePlanOnBackend leaves the caller's operands alive and frees only its intermediates", async () => {
    await fc.assert(
      fc.asyncProperty(arbProblem, async (p) => {
        const xs = p.shapes.map((s, i) => randn(s, { seed: p.seed + i, dtype: "float32" }));
        const plan = planProblem(parseEinsum(p.equation, p.shapes), { backend: gpu, dtype: "float32" });
        const ops = xs.map((x) => gpu.upload(x));
        const out = executePlanOnBackend(plan, ops, gpu);
        for (const [i, o] of ops.entries()) expect((await gpu.downloadAsync(o)).toTypedArray()).toEqual(xs[i]!.toTypedArray());
        const got = await gpu.downloadAsync(out);
        const live = new Set([...ops, out].map((t) => t.buffer));
        expect(gpu.memory().buffers).toBe(live.size);
        if (!ops.includes(out)) gpu.release(out);
        for (const o of ops) gpu.release(o);
        expect(gpu.memory().buffers).toBe(0);
        assertClose(p.equation, got, einsum(p.equation, xs, { backend: cpu }), einsumScale(p, xs, cpu));
      }),
      { numRuns: 40 },
    );
  });

  test("softmax, entmax-1.5 and sparsemax equal float64 bisection oracles and sum to 1", async () => {
    await fc.assert(
      fc.asyncProperty(arbRows, async ({ rows, d, scale, seed }) => {
        const base = randn([rows, d], { seed, dtype: "float32" });
        const x = new DenseTensor(
          Float32Array.from(base.toTypedArray(), (v) => v * scale),
          [rows, d],
        );
        const t = gpu.upload(x);
        const cases = [
          ["softmax", gpu.softmax(t), oracleSoftmax(x.toTypedArray(), d)],
          ["entmax15", gpu.entmax15(t), oracleEntmax(x.toTypedArray(), d, 1.5)],
          ["sparsemax", gpu.sparsemax(t), oracleEntmax(x.toTypedArray(), d, 2)],
        ] as const;
        for (const [name, y, want] of cases) {
          const got = await gpu.downloadAsync(y);
          gpu.release(y);
          const ref = new DenseTensor(Float64Array.from(want), [rows, d]);
          assertClose(name, got, ref, elementScale(ref, 0.01), 2e-5);
          for (let r = 0; r < rows; r++) {
            let s = 0;
            for (let j = 0; j < d; j++) s += got.get(r, j);
            expect(Math.abs(s - 1)).toBeLessThan(1e-5);
          }
        }
        gpu.release(t);
        expect(gpu.memory().buffers).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  test("GELU equals an erf series oracle over [-12, 12]", async () => {
    const xs = Float32Array.from({ length: 481 }, (_, i) => -12 + i * 0.05);
    const x = new DenseTensor(xs, [xs.length]);
    const t = gpu.upload(x);
    const y = gpu.gelu(t);
    const got = await gpu.downloadAsync(y);
    for (const h of [t, y]) gpu.release(h);
    const ref = new DenseTensor(Float64Array.from(xs, oracleGelu), [xs.length]);
    assertClose("gelu", got, ref, elementScale(ref, 1e-4), 1e-5);
    // The CPU reference agrees with the oracle too.
    assertClose("cpu gelu", cpuLayerOps.gelu(new DenseTensor(Float64Array.from(xs), [xs.length])), ref, elementScale(ref, 1e-9), 1e-9);
  });
});

describe("float64 with downcast", () => {
  test("is converted to float32 and computed", async () => {
    const gpu = await createGpuBackend({ mode: "cpu", downcast: true });
    const a = randn([3, 4], { seed: 1 });
    const b = randn([4, 2], { seed: 2 });
    const got = await einsumAsync("ij,jk->ik", [a, b], { backend: gpu });
    expect(got.dtype).toBe("float32");
    const ref = einsum("ij,jk->ik", [a, b]);
    assertClose(
      "downcast",
      got,
      ref,
      einsumScale({ equation: "ij,jk->ik", shapes: [a.shape, b.shape] }, [a, b], new CpuBackend({ kernels: "ts" })),
      1e-5,
    );
    await gpu.dispose();
  });
});
