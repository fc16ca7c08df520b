/**
 * Foundation benchmark: the einsum executor on typical workloads, against TensorFlow.js (cpu and wasm
 * backends) and numpy, all on the same data in the same run; plus GEMM rates and dispatch overhead.
 */
import { CpuBackend, difference, einsum, parseEinsum, planProblem, randn, type DenseTensor } from "../src/index.js";
import { fmt, table, time, timeFast, type BenchOptions, type BenchTopic } from "./harness.js";
import { runNumpy, type NumpyCase } from "./peers/numpy.js";
import { loadTf, timeTf, toTf, useBackend, type TfTensor } from "./peers/tfjs.js";

type Tf = Awaited<ReturnType<typeof loadTf>>;

interface Workload {
  readonly id: string;
  readonly label: string;
  readonly equation: string;
  readonly shapes: readonly (readonly number[])[];
  /** The same computation written with tfjs ops (it has no general einsum). */
  readonly tf: (tf: Tf, x: readonly TfTensor[]) => TfTensor;
}

function workloads(quick: boolean): Workload[] {
  let eye: import("@tensorflow/tfjs").Tensor | undefined;
  const s = quick ? 0.25 : 1;
  const d = (n: number): number => Math.max(2, Math.round(n * s));
  const [b, i, n, r] = [d(256), d(768), d(512), d(512)];
  const [db, dn, dio] = [d(64), d(64), d(256)];
  const bb = quick ? 16 : 64;
  return [
    {
      id: "cp-mumoe",
      label: `CP-μMoE b=${b} i=o=${i} n=${n} r=${r}`,
      equation: "bi,bn,nr,ir,or->bo",
      shapes: [
        [b, i],
        [b, n],
        [n, r],
        [i, r],
        [i, r],
      ],
      tf: (tf, [x, a, u1, u2, u3]) => tf.matMul(tf.mul(tf.matMul(x!, u2!), tf.matMul(a!, u1!)), u3!, false, true),
    },
    {
      id: "dense-moe",
      label: `dense MoE b=${db} n=${dn} i=o=${dio}`,
      equation: "bi,bn,nio->bo",
      shapes: [
        [db, dio],
        [db, dn],
        [dn, dio, dio],
      ],
      // bi,nio->bno as one GEMM, then bn,bno->bo as a batched product.
      tf: (tf, [x, a, w]) => {
        const xw = tf.matMul(x!, tf.reshape(tf.transpose(w!, [1, 0, 2]), [dio, dn * dio]));
        return tf.reshape(tf.matMul(tf.reshape(a!, [db, 1, dn]), tf.reshape(xw, [db, dn, dio])), [db, dio]);
      },
    },
    {
      id: "batched",
      label: `batched GEMM ${bb}×128³`,
      equation: "bij,bjk->bik",
      shapes: [
        [bb, 128, 128],
        [bb, 128, 128],
      ],
      tf: (tf, [x, y]) => tf.matMul(x!, y!),
    },
    {
      id: "ellipsis",
      label: "ellipsis ...ij,...jk (8×16 batch of 64×64)",
      equation: "...ij,...jk->...ik",
      shapes: [
        [8, 16, 64, 64],
        [16, 64, 64],
      ],
      tf: (tf, [x, y]) => tf.matMul(x!, tf.broadcastTo(y!, [8, 16, 64, 64])),
    },
    {
      id: "trace",
      label: "trace ii-> (2048²)",
      equation: "ii->",
      shapes: [[2048, 2048]],
      // The identity is built on the first (untimed warm-up) call and kept, so the timed calls measure the masked sum only.
      tf: (tf, [x]) => tf.sum(tf.mul(x!, (eye ??= tf.keep(tf.eye(2048))))),
    },
    {
      id: "diagonal",
      label: "diagonal ii->i (2048²)",
      equation: "ii->i",
      shapes: [[2048, 2048]],
      tf: (tf, [x]) => tf.sum(tf.mul(x!, (eye ??= tf.keep(tf.eye(2048)))), 1),
    },
  ];
}

const gflops = (macs: number, ms: number): number => (2 * macs) / (ms * 1e6);

/** The textbook triple loop, C = A·B for n×n row-major Float64Arrays. */
function naiveGemm(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

async function run(opts: BenchOptions): Promise<string> {
  const sections: string[] = [];
  // Dispatch overhead, measured first, in a process that has not yet run large kernels.
  const tiny = randn([2, 2], { seed: 1 });
  const chain = [tiny, tiny, tiny, tiny];
  // Cold: every call parses, searches a path (auto) and lowers it; warm: the plan comes from einsum's plan cache.
  // A few thousand calls first, so V8 has optimised the planner before anything is timed.
  for (let i = 0; i < 3000; i++) {
    einsum("ij,jk->ik", [tiny, tiny], { cachePlan: false });
    einsum("ij,jk,kl,lm->im", chain, { cachePlan: false });
  }
  const cold1 = timeFast(() => einsum("ij,jk->ik", [tiny, tiny], { cachePlan: false }), 7, 200);
  const cold3 = timeFast(() => einsum("ij,jk,kl,lm->im", chain, { cachePlan: false }), 7, 200);
  const warm1 = timeFast(() => einsum("ij,jk->ik", [tiny, tiny]), 7, 200);
  const warm3 = timeFast(() => einsum("ij,jk,kl,lm->im", chain), 7, 200);
  const us = (ms: number): string => fmt(ms * 1000);
  const overhead =
    "### Planning + dispatch overhead (2×2 operands, float64)\n\n" +
    "Cold: each call parses the equation, finds the path (`auto`) and lowers it (`cachePlan: false`). " +
    "Warm: a repeated call takes its plan from einsum's per-backend plan cache (the default), leaving dispatch.\n\n" +
    table(
      ["call", "pairwise steps", "cold µs per call", "cold µs per step", "warm µs per call", "warm µs per step"],
      [
        ['einsum("ij,jk->ik")', 1, us(cold1.medianMs), us(cold1.medianMs), us(warm1.medianMs), us(warm1.medianMs)],
        ['einsum("ij,jk,kl,lm->im")', 3, us(cold3.medianMs), us(cold3.medianMs / 3), us(warm3.medianMs), us(warm3.medianMs / 3)],
      ],
    );
  const tf = await loadTf();

  // GEMM rates.
  const sizes = opts.quick ? [128, 256] : [128, 256, 512, 1024];
  const gemmRows: (string | number)[][] = [];
  const gemmNumpy: NumpyCase[] = [];
  const gemmOurs = new Map<string, number>();
  const ts = new CpuBackend({ kernels: "ts", threads: 1 });
  const one = new CpuBackend({ threads: 1 });
  for (const dtype of ["float64", "float32"] as const) {
    for (const n of sizes) {
      const a = randn([n, n], { seed: 1, dtype });
      const b = randn([n, n], { seed: 2, dtype });
      const reps = n >= 1024 ? 3 : 5;
      const tTs = await time(() => einsum("ij,jk->ik", [a, b], { backend: ts }), reps, 1);
      const t = await time(() => einsum("ij,jk->ik", [a, b], { backend: one }), reps, 1);
      gemmOurs.set(`${dtype}-${n}`, t.medianMs);
      gemmOurs.set(`ts-${dtype}-${n}`, tTs.medianMs);
      if (dtype === "float64")
        gemmOurs.set(
          `naive-${n}`,
          (await time(() => naiveGemm(a.data as Float64Array, b.data as Float64Array, n), n >= 512 ? 1 : 3, 0)).medianMs,
        );
      gemmNumpy.push({ id: `gemm-${dtype}-${n}`, equation: "ij,jk->ik", operands: [a, b], matmul: true, repeats: 5 });
      opts.log(
        `gemm ${dtype} n=${n}: ${fmt(gflops(n ** 3, t.medianMs))} GFLOP/s (${one.kernels}), ${fmt(gflops(n ** 3, tTs.medianMs))} (ts)`,
      );
    }
  }
  const np = runNumpy(gemmNumpy);
  const tfGemm = new Map<string, number>();
  for (const backend of ["cpu", "wasm"] as const) {
    await useBackend(tf, backend);
    for (const n of sizes) {
      if (backend === "cpu" && n > 512) continue;
      const a = toTf(tf, randn([n, n], { seed: 1, dtype: "float32" }));
      const b = toTf(tf, randn([n, n], { seed: 2, dtype: "float32" }));
      const t = await timeTf(tf, () => tf.matMul(a, b), 3);
      tfGemm.set(`${backend}-${n}`, t.medianMs);
      a.dispose();
      b.dispose();
    }
  }
  for (const dtype of ["float64", "float32"] as const) {
    for (const n of sizes) {
      const ours = gemmOurs.get(`${dtype}-${n}`)!;
      const npMs = np?.results.get(`gemm-${dtype}-${n}`)?.medianMs;
      const tfc = dtype === "float32" ? tfGemm.get(`cpu-${n}`) : undefined;
      const tfw = dtype === "float32" ? tfGemm.get(`wasm-${n}`) : undefined;
      const cell = (ms: number | undefined): string => (ms === undefined ? "–" : `${fmt(gflops(n ** 3, ms))} (${fmt(ms / ours)}×)`);
      const naive = gemmOurs.get(`naive-${n}`);
      const tsMs = gemmOurs.get(`ts-${dtype}-${n}`)!;
      gemmRows.push([
        dtype,
        n,
        naive === undefined ? "–" : fmt(gflops(n ** 3, naive)),
        `${fmt(gflops(n ** 3, tsMs))}${naive === undefined ? "" : ` (${fmt(naive / tsMs)}× naive)`}`,
        fmt(gflops(n ** 3, ours)),
        cell(tfc),
        cell(tfw),
        cell(npMs),
      ]);
    }
  }
  sections.push(
    "### GEMM (n×n×n, single thread)\n\nGFLOP/s. `naive loop` is the textbook i-j-k triple loop over Float64Array (the yardstick of the plain-TypeScript GEMM target above), `plain TS` is the TypeScript kernel path (`kernels: \"ts\"`), `multilinear` the default kernels (WebAssembly SIMD when available); peers in brackets: the peer's time divided by our default's (above 1 means we are faster). The multi-threaded figures are in the CPU-kernels section.\n\n" +
      table(
        [
          "dtype",
          "n",
          "naive loop",
          "plain TS",
          `multilinear (${one.kernels})`,
          "tfjs cpu",
          "tfjs wasm",
          `numpy ${np?.version ?? "(absent)"}`,
        ],
        gemmRows,
      ),
  );

  // Workloads.
  const rows: (string | number)[][] = [];
  const cases: NumpyCase[] = [];
  const ours = new Map<string, { ms: number; macs: number; out: DenseTensor }>();
  const wl = workloads(opts.quick);
  for (const w of wl) {
    const xs = w.shapes.map((s, k) => randn(s, { seed: 10 + k, dtype: "float32" }));
    const out = einsum(w.equation, xs, { backend: one });
    const t = await time(() => einsum(w.equation, xs, { backend: one }), 5, 1);
    const macs = Number(
      planProblem(
        parseEinsum(
          w.equation,
          xs.map((x) => x.shape),
        ),
      ).cost.multiplyAdds,
    );
    ours.set(w.id, { ms: t.medianMs, macs, out });
    cases.push({ id: w.id, equation: w.equation, operands: xs, repeats: 5, wantOutput: true });
    opts.log(`${w.id}: ${fmt(t.medianMs)} ms`);
  }
  const npRun = runNumpy(cases);
  const tfTimes = new Map<string, number>();
  for (const backend of ["cpu", "wasm"] as const) {
    await useBackend(tf, backend);
    for (const w of wl) {
      const xs = w.shapes.map((s, k) => toTf(tf, randn(s, { seed: 10 + k, dtype: "float32" })));
      const t = await timeTf(tf, () => w.tf(tf, xs), backend === "cpu" ? 3 : 5);
      tfTimes.set(`${backend}-${w.id}`, t.medianMs);
      xs.forEach((x) => x.dispose());
    }
  }
  for (const w of wl) {
    const o = ours.get(w.id)!;
    const npRes = npRun?.results.get(w.id);
    // Agreement relative to the result's scale: float32 sums of hundreds of terms differ in the last digits.
    let scale = 1;
    for (const v of npRes?.output?.toTypedArray() ?? []) scale = Math.max(scale, Math.abs(v));
    const check = npRes?.output ? difference(o.out, npRes.output.astype("float32"), { rtol: 0, atol: 1e-4 * scale }) : undefined;
    const ratio = (ms: number | undefined): string => (ms === undefined ? "–" : `${fmt(ms)} ms (${fmt(ms / o.ms)}×)`);
    rows.push([
      w.label,
      `${fmt(o.ms)} ms`,
      o.macs > 0 ? fmt(gflops(o.macs, o.ms)) : "–",
      ratio(tfTimes.get(`cpu-${w.id}`)),
      ratio(tfTimes.get(`wasm-${w.id}`)),
      ratio(npRes?.medianMs),
      check ? (check.mismatches === 0 ? "yes" : `NO (max abs ${fmt(check.maxAbs)})`) : "–",
    ]);
  }
  sections.push(
    '### einsum workloads (float32, single thread)\n\nOur median time and GFLOP/s (multiply-adds of our path ×2); peers as time (peer/ours, above 1 means we are faster). tfjs has no general einsum, so each workload is written as the best chain of tfjs ops; numpy uses `einsum(optimize=True)` with single-threaded BLAS. "agrees" compares our result with numpy\'s.\n\n' +
      table(["workload", "multilinear", "GFLOP/s", "tfjs cpu", "tfjs wasm", "numpy", "agrees"], rows),
  );

  sections.push(overhead);
  one.dispose();
  ts.dispose();
  return sections.join("\n\n");
}

const topic: BenchTopic = { name: "einsum", title: "Foundation: einsum executor and GEMM (CPU)", run };
export default topic;
