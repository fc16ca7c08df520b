/**
 * Child process of gemm.bench.ts, run as `node --experimental-wasm-relaxed-simd --import tsx
 * bench/relaxed-probe.ts '<json>'`: times the relaxed-SIMD (FMA) kernels, which Node 20 only enables
 * behind that flag (Node ≥ 22 ships them), and prints JSON.
 */
import { CpuBackend, executePlan, parseEinsum, planProblem, randn } from "../src/index.js";
import { microKernelPeak } from "../src/kernels/peak.js";
import { KernelRuntime } from "../src/kernels/runtime.js";
import { time } from "./harness.js";

interface Spec {
  readonly sizes: readonly number[];
  readonly mumoe: readonly number[];
  readonly repeats: number;
}

const spec = JSON.parse(process.argv[2] ?? "{}") as Spec;
const rt = KernelRuntime.create({ threads: 1, variant: "relaxed-simd" });
if (!rt) {
  console.log(JSON.stringify({ unavailable: true }));
} else {
  const out: Record<string, number> = { peakF32: microKernelPeak(rt, "float32"), peakF64: microKernelPeak(rt, "float64") };
  rt.dispose();
  for (const threads of [1, 2]) {
    const be = new CpuBackend({ kernels: "wasm", threads });
    await be.ready();
    if (be.wasmVariant !== "relaxed-simd") throw new Error("relaxed-probe: the relaxed-SIMD build was not selected");
    for (const dtype of ["float32", "float64"] as const) {
      for (const n of spec.sizes) {
        const a = randn([1, n, n], { seed: 1, dtype });
        const b = randn([1, n, n], { seed: 2, dtype });
        out[`gemm:${dtype}:${n}:${threads}`] = (2 * n ** 3) / ((await time(() => be.batchedMatmul(a, b), spec.repeats, 1)).medianMs * 1e6);
      }
    }
    const [bb, i, o, n, r] = spec.mumoe as [number, number, number, number, number];
    const shapes = [
      [bb, i],
      [bb, n],
      [n, r],
      [i, r],
      [o, r],
    ];
    const xs = shapes.map((s, k) => randn(s, { seed: 10 + k, dtype: "float32" }));
    const plan = planProblem(parseEinsum("bi,bn,nr,ir,or->bo", shapes), { dtype: "float32" });
    out[`mumoe:${threads}`] = (await time(() => executePlan(plan, xs, be), spec.repeats, 1)).medianMs;
    be.dispose();
  }
  console.log(JSON.stringify(out));
}
