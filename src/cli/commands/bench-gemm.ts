/**
 * `multilinear bench gemm --n N [--dtype float32|float64] [--threads T] [--json]`
 * @module
 */
import { randn } from "../../tensor/create.js";
import { parseDType } from "../../tensor/dtype.js";
import { CliUsageError, intOption, parseCommandArgs, type CliCommand, type OptionSpec } from "../command.js";
import { gemmSamples } from "../gemm-samples.js";
import { benchBackend, cpuBenchRecord, formatCpuBench, medianMs, repeatsOption, type CpuBenchRecord } from "./bench-timing.js";

/** Result line of `bench gemm`. */
export interface GemmBenchResult extends CpuBenchRecord {
  readonly n: number;
}

const OPTIONS = {
  n: { type: "string" },
  dtype: { type: "string" },
  threads: { type: "string" },
  kernels: { type: "string" },
  repeats: { type: "string" },
  json: { type: "boolean" },
} as const satisfies OptionSpec;

export const benchGemmCommand: CliCommand = {
  options: OPTIONS,
  name: "gemm",
  summary: "time an n×n×n matrix product on the CPU backend",
  help: `usage: multilinear bench gemm --n N [options]

Times C = A·B for random n×n matrices on the CPU backend: the median of the timed runs after one
warm-up run. Before timing, 64 entries of C are checked against float64 dot products.

options:
  --n N                    matrix size (required)
  --dtype float32|float64  element type (default float32)
  --threads T              threads (default: all cores); results do not depend on it
  --kernels auto|wasm|ts   WebAssembly SIMD or plain TypeScript kernels (default auto)
  --repeats R              timed runs, at least 5 (default 7)
  --json                   print {n, dtype, threads, kernels, variant, median_ms, gflops}
`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, OPTIONS, false);
    const n = intOption(values.n, "n");
    if (n < 1 || n > 16384) throw new CliUsageError(`--n must be from 1 to 16384, got ${n}`);
    const dtype = parseDType(values.dtype ?? "float32");
    const repeats = repeatsOption(values.repeats);
    const backend = await benchBackend(values.threads, values.kernels);
    try {
      const a = randn([1, n, n], { seed: 1, dtype });
      const b = randn([1, n, n], { seed: 2, dtype });
      checkSample(backend.batchedMatmul(a, b).data, a.data, b.data, n);
      const ms = medianMs(() => backend.batchedMatmul(a, b), repeats);
      const result: GemmBenchResult = { n, ...cpuBenchRecord(backend, dtype, ms, 2 * n ** 3) };
      if (values.json) io.stdout(JSON.stringify(result) + "\n");
      else io.stdout(`gemm n=${n} ${dtype} ${formatCpuBench(result)}\n`);
      return 0;
    } finally {
      backend.dispose();
    }
  },
};

/** Compares 64 entries of C (spread over the matrix) with float64 dot products. */
function checkSample(c: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, n: number): void {
  const eps = c instanceof Float32Array ? 2 ** -23 : 2 ** -52;
  for (const { i, j, dot, mag } of gemmSamples(a, b, n)) {
    if (Math.abs(c[i * n + j]! - dot) > (n + 2) * eps * mag) {
      throw new Error(`bench gemm: C[${i},${j}] = ${c[i * n + j]} but the float64 dot product is ${dot}; the kernel is wrong`);
    }
  }
}
