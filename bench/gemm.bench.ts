/**
 * CPU kernels: GEMM (float32 / float64), a batched GEMM, the CP-μMoE contraction and memory-bound
 * kernels on the CPU backend, against @tensorflow/tfjs-backend-wasm, onnxruntime-node and numpy
 * (OpenBLAS) measured in the same run.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import * as ort from "onnxruntime-node";
import { CpuBackend, type DenseTensor, einsum, parseEinsum, planProblem, randn, executePlan } from "../src/index.js";
import { microKernelPeak } from "../src/kernels/peak.js";
import { KernelRuntime } from "../src/kernels/runtime.js";
import { fmt, table, time, type BenchOptions, type BenchTopic } from "./harness.js";
import { runNumpy, type NumpyCase } from "./peers/numpy.js";
import { onnxModel, type OnnxGraph } from "./onnx-model.js";

const MUMOE_EQ = "bi,bn,nr,ir,or->bo";

interface Timed {
  readonly ms: number;
}

const gflops = (flops: number, ms: number): number => flops / (ms * 1e6);
const ratio = (x: number, y: number): string => (Number.isFinite(x) && Number.isFinite(y) && y > 0 ? `${fmt(x / y, 3)}×` : "n/a");

async function ours(backend: CpuBackend, fn: (b: CpuBackend) => unknown, repeats: number): Promise<Timed> {
  const t = await time(() => fn(backend), repeats, 2);
  return { ms: t.medianMs };
}

function ortSession(graph: OnnxGraph, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(onnxModel(graph), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
}

async function ortTime(
  graph: OnnxGraph,
  feeds: Record<string, DenseTensor>,
  threads: number,
  repeats: number,
): Promise<{ ms: number; out: Float32Array | Float64Array }> {
  const session = await ortSession(graph, threads);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) inputs[k] = new ort.Tensor(v.dtype, v.contiguous().data, [...v.shape]);
  const first = await session.run(inputs);
  const t = await time(() => session.run(inputs), repeats, 1);
  await session.release();
  return { ms: t.medianMs, out: first[graph.output]!.data as Float32Array | Float64Array };
}

async function tfTime(build: () => tf.Tensor, repeats: number): Promise<{ ms: number; out: Float32Array }> {
  const run = async (): Promise<Float32Array> => {
    const y = tf.tidy(build);
    const d = (await y.data()) as Float32Array;
    y.dispose();
    return d;
  };
  const out = await run();
  const t = await time(run, repeats, 1);
  return { ms: t.medianMs, out };
}

/** Median ms per case from numpy (same operands, `threads` BLAS threads), or NaN when python3/numpy is missing. */
function numpyTimes(cases: readonly Omit<NumpyCase, "repeats">[], threads: number, repeats: number): number[] {
  const run = runNumpy(
    cases.map((c) => ({ ...c, repeats })),
    threads,
  );
  return cases.map((c) => run?.results.get(c.id)?.medianMs ?? NaN);
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m / Math.max(scale, 1e-30);
}

function check(what: string, diff: number, tol: number): void {
  if (!(diff <= tol)) throw new Error(`gemm bench: ${what} disagrees with the peer (relative difference ${diff})`);
}

async function run(opts: BenchOptions): Promise<string> {
  const repeats = opts.quick ? 3 : 7;
  const cores = os.availableParallelism();
  const threadCounts = [...new Set([1, 2, cores])].filter((t) => t <= Math.max(2, cores));
  await tf.setBackend("wasm");
  await tf.ready();
  const backends = new Map<number, CpuBackend>();
  for (const t of threadCounts) {
    const b = new CpuBackend({ kernels: "wasm", threads: t });
    await b.ready();
    backends.set(t, b);
  }
  const rt = KernelRuntime.create({ threads: 1 })!;
  // A first pass lets V8 tier the kernels up from its baseline compiler (a long call stays on the
  // code it started with); a probe at the end too shows whether the machine was busy.
  microKernelPeak(rt, "float32", 50, 2);
  microKernelPeak(rt, "float64", 50, 2);
  const peak = { float32: microKernelPeak(rt, "float32"), float64: microKernelPeak(rt, "float64") };
  opts.log(`micro-kernel ceiling: f32 ${fmt(peak.float32)} GFLOP/s, f64 ${fmt(peak.float64)} GFLOP/s`);
  const sections: string[] = [];
  sections.push(
    `WebAssembly SIMD ceiling on this machine (one thread): the GEMM micro-kernel alone on L1-resident panels runs at ` +
      `**${fmt(peak.float32)} GFLOP/s (float32, 4×8 tile)** and **${fmt(peak.float64)} GFLOP/s (float64, 4×4 tile)**; ` +
      `"of ceiling" below is a one-thread GEMM rate divided by that. Threads: ours = CpuBackend \`threads\`, ` +
      `onnxruntime = intraOpNumThreads, numpy = OPENBLAS_NUM_THREADS; tfjs-backend-wasm runs one thread in Node. ` +
      `Rates count a multiply-add as 2 flops.`,
  );

  // ---- GEMM
  const sizes = opts.quick ? [256] : [512, 1024];
  const gemmRows: (string | number)[][] = [];
  const npCases: Omit<NumpyCase, "repeats">[] = [];
  for (const dtype of ["float32", "float64"] as const) {
    for (const n of sizes) {
      const operands = [randn([n, n], { seed: 1, dtype }), randn([n, n], { seed: 2, dtype })];
      npCases.push({ id: `gemm-${dtype}-${n}`, equation: "ij,jk->ik", operands, matmul: true });
    }
  }
  const np1 = numpyTimes(npCases, 1, repeats);
  const np2 = numpyTimes(npCases, 2, repeats);
  let ci = 0;
  const plainRate = new Map<string, number>();
  for (const dtype of ["float32", "float64"] as const) {
    for (const n of sizes) {
      opts.log(`gemm ${dtype} n=${n}`);
      const flops = 2 * n ** 3;
      const a = randn([1, n, n], { seed: 1, dtype });
      const b = randn([1, n, n], { seed: 2, dtype });
      const mine = new Map<number, number>();
      for (const [t, be] of backends) mine.set(t, gflops(flops, (await ours(be, (x) => x.batchedMatmul(a, b), repeats)).ms));
      const c = backends.get(1)!.batchedMatmul(a, b);
      const graph: OnnxGraph = {
        dtype,
        inputs: [
          { name: "a", shape: [n, n] },
          { name: "b", shape: [n, n] },
        ],
        nodes: [{ op: "MatMul", inputs: ["a", "b"], output: "c" }],
        output: "c",
      };
      const feeds = { a: a.reshape([n, n]), b: b.reshape([n, n]) };
      const o1 = await ortTime(graph, feeds, 1, repeats);
      const o2 = await ortTime(graph, feeds, 2, repeats);
      check(`GEMM ${dtype} n=${n}`, maxRelDiff(c.data, o1.out), dtype === "float32" ? 1e-4 : 1e-10);
      let tfRate = NaN;
      if (dtype === "float32") {
        const ta = tf.tensor2d(a.data as Float32Array, [n, n]);
        const tb = tf.tensor2d(b.data as Float32Array, [n, n]);
        const r = await tfTime(() => tf.matMul(ta, tb), repeats);
        check(`GEMM tfjs n=${n}`, maxRelDiff(c.data, r.out), 1e-4);
        tfRate = gflops(flops, r.ms);
        ta.dispose();
        tb.dispose();
      }
      const n1 = gflops(flops, np1[ci]!);
      const n2 = gflops(flops, np2[ci]!);
      ci++;
      const m1 = mine.get(1)!;
      const m2 = mine.get(2)!;
      plainRate.set(`${dtype}:${n}`, m1);
      gemmRows.push([
        dtype,
        n,
        ...threadCounts.map((t) => fmt(mine.get(t)!)),
        fmt(tfRate),
        fmt(gflops(flops, o1.ms)),
        fmt(gflops(flops, o2.ms)),
        fmt(n1),
        fmt(n2),
        ratio(m1, tfRate),
        ratio(m2, tfRate),
        ratio(m1, n1),
        `${fmt((100 * m1) / peak[dtype], 3)}%`,
      ]);
    }
  }
  sections.push(
    "### GEMM n×n×n (GFLOP/s, median)\n\n" +
      table(
        [
          "dtype",
          "n",
          ...threadCounts.map((t) => `ours ${t}T`),
          "tfjs-wasm",
          "ort 1T",
          "ort 2T",
          "numpy 1T",
          "numpy 2T",
          "ours 1T / tfjs",
          "ours 2T / tfjs",
          "ours 1T / numpy 1T",
          "ours 1T of ceiling",
        ],
        gemmRows,
      ),
  );

  // ---- batched GEMM
  const bB = opts.quick ? 16 : 64;
  const bn = 128;
  {
    opts.log(`batched ${bB}×${bn}³`);
    const flops = 2 * bB * bn ** 3;
    const a = randn([bB, bn, bn], { seed: 3, dtype: "float32" });
    const b = randn([bB, bn, bn], { seed: 4, dtype: "float32" });
    const mine = new Map<number, number>();
    for (const [t, be] of backends)
      mine.set(t, gflops(flops, (await ours(be, (x) => einsum("bij,bjk->bik", [a, b], { backend: x }), repeats)).ms));
    const c = backends.get(1)!.batchedMatmul(a, b);
    const ta = tf.tensor3d(a.data as Float32Array, [bB, bn, bn]);
    const tb = tf.tensor3d(b.data as Float32Array, [bB, bn, bn]);
    const r = await tfTime(() => tf.matMul(ta, tb), repeats);
    check("batched tfjs", maxRelDiff(c.data, r.out), 1e-4);
    ta.dispose();
    tb.dispose();
    const graph: OnnxGraph = {
      dtype: "float32",
      inputs: [
        { name: "a", shape: [bB, bn, bn] },
        { name: "b", shape: [bB, bn, bn] },
      ],
      nodes: [{ op: "MatMul", inputs: ["a", "b"], output: "c" }],
      output: "c",
    };
    const o1 = await ortTime(graph, { a, b }, 1, repeats);
    const np = numpyTimes([{ id: "batched", equation: "bij,bjk->bik", operands: [a, b] }], 1, repeats);
    const plain = plainRate.get(`float32:${sizes[0]}`)!;
    sections.push(
      `### Batched GEMM \`bij,bjk->bik\`, ${bB}×${bn}³ float32 (GFLOP/s)\n\n` +
        table(
          [
            "",
            ...threadCounts.map((t) => `ours ${t}T`),
            "tfjs-wasm",
            "ort 1T",
            "numpy einsum 1T",
            "ours 1T / plain GEMM 1T (n=" + sizes[0] + ")",
          ],
          [
            [
              "rate",
              ...threadCounts.map((t) => fmt(mine.get(t)!)),
              fmt(gflops(flops, r.ms)),
              fmt(gflops(flops, o1.ms)),
              fmt(gflops(flops, np[0]!)),
              ratio(mine.get(1)!, plain),
            ],
          ],
        ),
    );
  }

  // ---- CP-μMoE
  {
    const [b, i, o, n, r] = opts.quick ? [64, 192, 192, 128, 128] : [256, 768, 768, 512, 512];
    opts.log(`CP-μMoE b=${b} i=o=${i} n=${n} r=${r}`);
    const shapes = [
      [b, i],
      [b, n],
      [n, r],
      [i, r],
      [o, r],
    ];
    const xs = shapes.map((s, k) => randn(s, { seed: 10 + k, dtype: "float32" }));
    const plan = planProblem(parseEinsum(MUMOE_EQ, shapes), { dtype: "float32" });
    const flops = Number(plan.cost.flops);
    const mine = new Map<number, number>();
    for (const [t, be] of backends) mine.set(t, (await ours(be, (x) => executePlan(plan, xs, x), repeats)).ms);
    const y = executePlan(plan, xs, backends.get(1)!);
    const [x, g, V, U, W] = xs.map((t, k) => tf.tensor2d(t.data as Float32Array, shapes[k] as [number, number]));
    const tfr = await tfTime(() => tf.matMul(tf.mul(tf.matMul(x!, U!), tf.matMul(g!, V!)), W!, false, true), repeats);
    check("CP-μMoE tfjs", maxRelDiff(y.data, tfr.out), 1e-3);
    for (const t of [x, g, V, U, W]) t!.dispose();
    const inputs = ["x", "g", "V", "U", "W"].map((name, k) => ({ name, shape: shapes[k]! }));
    const feeds = Object.fromEntries(inputs.map((v, k) => [v.name, xs[k]!]));
    const variants: Record<string, OnnxGraph> = {
      "Einsum pairs": {
        dtype: "float32",
        inputs,
        nodes: [
          { op: "Einsum", inputs: ["x", "U"], output: "xu", equation: "bi,ir->br" },
          { op: "Einsum", inputs: ["g", "V"], output: "gv", equation: "bn,nr->br" },
          { op: "Mul", inputs: ["xu", "gv"], output: "h" },
          { op: "Einsum", inputs: ["h", "W"], output: "y", equation: "br,or->bo" },
        ],
        output: "y",
      },
      "MatMul chain": {
        dtype: "float32",
        inputs,
        nodes: [
          { op: "MatMul", inputs: ["x", "U"], output: "xu" },
          { op: "MatMul", inputs: ["g", "V"], output: "gv" },
          { op: "Mul", inputs: ["xu", "gv"], output: "h" },
          { op: "Transpose", inputs: ["W"], output: "wt", perm: [1, 0] },
          { op: "MatMul", inputs: ["h", "wt"], output: "y" },
        ],
        output: "y",
      },
    };
    const ortRows: (string | number)[][] = [];
    let ortBest1 = Infinity;
    let ortBest2 = Infinity;
    for (const [name, graph] of Object.entries(variants)) {
      const o1 = await ortTime(graph, feeds, 1, repeats);
      const o2 = await ortTime(graph, feeds, 2, repeats);
      check(`CP-μMoE ort ${name}`, maxRelDiff(y.data, o1.out), 1e-3);
      ortBest1 = Math.min(ortBest1, o1.ms);
      ortBest2 = Math.min(ortBest2, o2.ms);
      ortRows.push([name, fmt(o1.ms), fmt(o2.ms)]);
    }
    const npCase = { id: "cp-mumoe", equation: MUMOE_EQ, operands: xs }; // einsum(optimize=True), as the issue states
    const np1m = numpyTimes([npCase], 1, repeats)[0]!;
    const np2m = numpyTimes([npCase], 2, repeats)[0]!;
    const m1 = mine.get(1)!;
    const m2 = mine.get(2)!;
    sections.push(
      `### CP-μMoE \`${MUMOE_EQ}\` (b=${b}, i=o=${i}, n=${n}, r=${r}) float32, ${fmt(flops / 1e6)} MFLOP\n\n` +
        table(
          [
            "",
            ...threadCounts.map((t) => `ours ${t}T`),
            "tfjs-wasm matMul chain",
            "ort best 1T",
            "ort best 2T",
            "numpy einsum(optimize=True) 1T",
            "numpy 2T",
          ],
          [
            ["ms", ...threadCounts.map((t) => fmt(mine.get(t)!)), fmt(tfr.ms), fmt(ortBest1), fmt(ortBest2), fmt(np1m), fmt(np2m)],
            [
              "GFLOP/s",
              ...threadCounts.map((t) => fmt(gflops(flops, mine.get(t)!))),
              fmt(gflops(flops, tfr.ms)),
              fmt(gflops(flops, ortBest1)),
              fmt(gflops(flops, ortBest2)),
              fmt(gflops(flops, np1m)),
              fmt(gflops(flops, np2m)),
            ],
          ],
        ) +
        `\n\nSpeed-ups (time ratio, >1 means ours is faster): vs tfjs-wasm ${ratio(tfr.ms, m1)} (1T), ${ratio(tfr.ms, m2)} (2T); ` +
        `vs onnxruntime best ${ratio(ortBest1, m1)} (1T vs 1T), ${ratio(ortBest2, m2)} (2T vs 2T); vs numpy ${ratio(np1m, m1)} (1T vs 1T), ${ratio(np2m, m2)} (2T vs 2T).\n\n` +
        "onnxruntime variants (ms, 1T / 2T):\n\n" +
        table(["variant", "1T", "2T"], ortRows),
    );
  }

  // ---- memory-bound kernels
  {
    const n = opts.quick ? 512 : 2048;
    const ts = new CpuBackend({ kernels: "ts" });
    const be = backends.get(1)!;
    const rows: (string | number)[][] = [];
    for (const dtype of ["float32", "float64"] as const) {
      const x = randn([n, n], { seed: 5, dtype });
      const bytes = 2 * n * n * (dtype === "float32" ? 4 : 8);
      const cube = randn([64, n / 16, 256], { seed: 6, dtype });
      const cases: [string, (b: CpuBackend) => unknown, number][] = [
        [`transpose ${n}×${n}`, (b) => b.download(x.transpose()), bytes],
        [`permute [64,${n / 16},256]→(2,0,1)`, (b) => b.download(cube.permute([2, 0, 1])), bytes * ((64 * (n / 16) * 256) / (n * n))],
        [`sum axis 0 of ${n}×${n}`, (b) => b.sumAxes(x, [0]), bytes / 2],
        [`sum axis 1 of ${n}×${n}`, (b) => b.sumAxes(x, [1]), bytes / 2],
      ];
      for (const [name, fn, moved] of cases) {
        const w = await time(() => fn(be), repeats, 1);
        const t = await time(() => fn(ts), repeats, 1);
        rows.push([dtype, name, fmt(w.medianMs), fmt(t.medianMs), fmt(moved / (w.medianMs * 1e6)), ratio(t.medianMs, w.medianMs)]);
      }
    }
    sections.push(
      "### Memory-bound kernels (one thread; WASM includes copying in and out of the kernel memory)\n\n" +
        table(["dtype", "operation", "wasm ms", "TypeScript ms", "wasm GB/s", "speed-up"], rows),
    );
  }
  // ---- relaxed SIMD (FMA) build, in a child process with the flag Node 20 needs
  {
    const [b, i, o, n, r] = opts.quick ? [64, 192, 192, 128, 128] : [256, 768, 768, 512, 512];
    opts.log("relaxed-SIMD build (child process)");
    const child = spawnSync(
      process.execPath,
      [
        "--experimental-wasm-relaxed-simd",
        // Compiled bench (bench/dist) runs the compiled probe; the sources run under tsx.
        ...(import.meta.url.endsWith(".ts")
          ? ["--import", "tsx", fileURLToPath(new URL("./relaxed-probe.ts", import.meta.url))]
          : [fileURLToPath(new URL("./relaxed-probe.js", import.meta.url))]),
        JSON.stringify({ sizes, mumoe: [b, i, o, n, r], repeats }),
      ],
      { encoding: "utf8", timeout: 600_000 },
    );
    const res =
      child.status === 0
        ? (JSON.parse(child.stdout.trim().split("\n").pop()!) as Record<string, number> & { unavailable?: boolean })
        : undefined;
    if (!res || res.unavailable) {
      sections.push(
        `### Relaxed-SIMD (FMA) build\n\nNot measured: ${res ? "this engine does not validate it" : (child.stderr || "the child process failed").split("\n")[0]}.`,
      );
    } else {
      const rows: (string | number)[][] = [];
      for (const dtype of ["float32", "float64"] as const) {
        for (const nn of sizes) {
          const base = plainRate.get(`${dtype}:${nn}`)!;
          const f1 = res[`gemm:${dtype}:${nn}:1`]!;
          rows.push([
            `GEMM ${dtype} n=${nn} (GFLOP/s)`,
            fmt(f1),
            fmt(res[`gemm:${dtype}:${nn}:2`]!),
            ratio(f1, base),
            `${fmt((100 * f1) / (dtype === "float32" ? res.peakF32! : res.peakF64!), 3)}%`,
          ]);
        }
      }
      rows.push(["CP-μMoE (ms)", fmt(res["mumoe:1"]!), fmt(res["mumoe:2"]!), "", ""]);
      sections.push(
        "### Relaxed-SIMD (FMA) build\n\n" +
          "The same kernels built with `f32x4/f64x2.relaxed_madd`; selected automatically where the engine validates them " +
          "(Node ≥ 22, current browsers), measured here in a child process started with `--experimental-wasm-relaxed-simd`. " +
          `Micro-kernel ceiling with FMA: ${fmt(res.peakF32!)} GFLOP/s f32, ${fmt(res.peakF64!)} f64.\n\n` +
          table(["", "1T", "2T", "1T vs SIMD128 build", "1T of FMA ceiling"], rows),
      );
    }
  }
  for (const b of backends.values()) b.dispose();
  const late = { float32: microKernelPeak(rt, "float32"), float64: microKernelPeak(rt, "float64") };
  rt.dispose();
  sections.push(
    `Ceiling probe at the start / end of the run: float32 ${fmt(peak.float32)} / ${fmt(late.float32)}, float64 ${fmt(peak.float64)} / ${fmt(late.float64)} GFLOP/s ` +
      `(the tables use the start value; a big spread means the machine was busy).`,
  );
  return sections.join("\n\n");
}

const topic: BenchTopic = {
  name: "gemm",
  title: "CPU kernels: GEMM, batched GEMM, CP-μMoE and memory-bound kernels vs tfjs-wasm, onnxruntime-node, numpy",
  run,
};
export default topic;
