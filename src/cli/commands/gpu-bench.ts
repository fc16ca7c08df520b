/**
 * `multilinear gpu bench`: the GPU-host benchmark. Times float32 GEMM and the CP-μMoE forward on the
 * GPU backend (operands resident, steady state, device-synchronized) and the same work in PyTorch on
 * the same host, and writes JSON plus a Markdown table.
 * @module
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import { writeFileBytes } from "../../io/files.js";
import type { GpuBackend } from "../../tensor/backends/gpu/backend.js";
import { createGpuBackend } from "../../tensor/backends/gpu/create.js";
import { DeviceMuMoE } from "../../moe/device.js";
import { createMuMoE } from "../../moe/init.js";
import { randn } from "../../tensor/create.js";
import { validateTile, type GemmTile } from "../../tensor/backends/gpu/webgpu/wgsl-source.js";
import { CliUsageError, parseCommandArgs, type CliCommand } from "../command.js";
import { gemmSamples } from "../gemm-samples.js";
import { openGpuBackend } from "../open-gpu.js";
import { TORCH_PEER_SOURCE } from "./gpu-bench-torch.js";

/** One CP-μMoE configuration. */
export interface CpBenchConfig {
  readonly b: number;
  readonly i: number;
  readonly o: number;
  readonly n: number;
  readonly r: number;
}

/** Paper sizes: i = o = 768, b = 256…4096, n = 512 and 2048 at r = 512, and n = 512 at the rank matched to a 768×768 linear layer (97). */
export const PAPER_CP_CONFIGS: readonly CpBenchConfig[] = [256, 1024, 4096].flatMap((b) => [
  { b, i: 768, o: 768, n: 512, r: 512 },
  { b, i: 768, o: 768, n: 2048, r: 512 },
  { b, i: 768, o: 768, n: 512, r: 97 },
]);

/** The GEMM sizes of the GPU bench. */
export const PAPER_GEMM_SIZES: readonly number[] = [1024, 2048, 4096, 8192];

/** WGSL GEMM tiles the bench compares (webgpu mode): `bm×bn×bk/tm×tn`. */
export const BENCH_TILES: readonly string[] = ["128x128x8/8x8", "128x128x16/8x8", "64x64x16/4x4", "64x64x8/8x8"];

/** Parses `bm×bn×bk/tm×tn` (x or ×). */
export function parseTile(s: string): GemmTile {
  const m = /^(\d+)[x×](\d+)[x×](\d+)\/(\d+)[x×](\d+)$/.exec(s.trim());
  if (!m) throw new CliUsageError(`--gemm-tiles: '${s}' is not bm×bn×bk/tm×tn`, "write tiles like 128x128x8/8x8");
  const [bm, bn, bk, tm, tn] = m.slice(1).map(Number) as [number, number, number, number, number];
  const t = { bm, bn, bk, tm, tn };
  validateTile(t);
  return t;
}

/** Median milliseconds per call of `fn`, with the device synchronized; samples of at least 50 ms. */
export async function timeOnDevice(backend: GpuBackend, fn: () => void, repeats: number): Promise<number> {
  fn();
  await backend.sync();
  let iters = 1;
  for (;;) {
    const t0 = performance.now();
    for (let k = 0; k < iters; k++) fn();
    await backend.sync();
    if (performance.now() - t0 >= 50 || iters >= 1 << 14) break;
    iters *= 2;
  }
  const samples: number[] = [];
  for (let s = 0; s < repeats; s++) {
    const t0 = performance.now();
    for (let k = 0; k < iters; k++) fn();
    await backend.sync();
    samples.push((performance.now() - t0) / iters);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1]!;
}

interface TorchPeer {
  readonly device?: string;
  readonly torch?: string;
  readonly error?: string;
  readonly gemm?: readonly { n: number; tf32: boolean; ms: number }[];
  readonly cp?: readonly (CpBenchConfig & { einsum_ms: number; steps_ms: number })[];
}

function runTorch(python: string, gemm: readonly number[], cp: readonly CpBenchConfig[], repeats: number): TorchPeer {
  const r = spawnSync(python, ["-c", TORCH_PEER_SOURCE, JSON.stringify({ gemm, cp, repeats })], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
    timeout: 3_600_000,
  });
  if (r.error) return { error: `${python} did not run: ${r.error.message}` };
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as TorchPeer;
  } catch {
    return { error: `the PyTorch peer failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ")}` };
  }
}

/** Checks 64 entries of C = A·B against float64 dot products; throws on a mismatch. */
function checkGemm(c: Float32Array, a: Float32Array, b: Float32Array, n: number): number {
  let worst = 0;
  for (const { i, j, dot, mag } of gemmSamples(a, b, n)) {
    const err = Math.abs(c[i * n + j]! - dot) / mag;
    if (!(err < 1e-4)) throw new Error(`GEMM n=${n}: C[${i},${j}] = ${c[i * n + j]} but the float64 dot product is ${dot}`);
    worst = Math.max(worst, err);
  }
  return worst;
}

const fmt = (x: number | undefined, d = 3): string =>
  x === undefined || !Number.isFinite(x) ? "–" : x >= 100 ? x.toFixed(0) : x.toPrecision(d);

export const gpuBenchCommand: CliCommand = {
  name: "bench",
  summary: "GPU-host benchmark: float32 GEMM and CP-μMoE forward vs PyTorch (JSON + Markdown)",
  help: `usage: multilinear gpu bench [options]

Times on the GPU backend, with operands and weights resident on the device, in steady state
(median of device-synchronized samples of ≥ 50 ms after warm-up):
  - float32 GEMM C = A·B, n×n×n (the WGSL GEMM in webgpu mode), checked against float64 dot products;
  - the CP-μMoE forward (gate x·G, BatchNorm in eval mode, softmax, then bi,bn,nr,ir,or->bo), and
    the same with entmax-1.5.
Then runs the same work in PyTorch on this host (python3 with torch and CUDA; FP32 with TF32 off,
and TF32 on for GEMM) and reports ratios. Meant for a GPU host: in a software mode (cpu, webasm, a
fallback adapter) the figures say nothing about GPUs, and the report says so.

options:
  --mode MODE          gpu.js mode (default auto; webgpu on a GPU host)
  --gemm-sizes LIST    comma-separated n (default ${PAPER_GEMM_SIZES.join(",")}; "none" to skip)
  --gemm-tiles LIST    webgpu mode: WGSL GEMM tiles to compare, bm×bn×bk/tm×tn (default
                       ${BENCH_TILES.join(",")}); the best per n is reported
  --cp LIST            b:i:o:n:r configurations separated by commas (default: paper sizes, i=o=768,
                       b=256/1024/4096, n=512/2048 at r=512, n=512 at the linear-matched r=97; "none" to skip)
  --repeats R          timed samples per figure (default 5)
  --python PATH        Python with torch for the peer (default python3); --no-torch skips it
  --out FILE           write the JSON report there (the Markdown table goes to stdout, progress to stderr)
  --quick              small sizes (GEMM 256,512; one small CP layer) to check the command works
`,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      {
        mode: { type: "string" },
        "gemm-sizes": { type: "string" },
        "gemm-tiles": { type: "string" },
        cp: { type: "string" },
        repeats: { type: "string" },
        python: { type: "string" },
        "no-torch": { type: "boolean" },
        out: { type: "string" },
        quick: { type: "boolean" },
      },
      false,
    );
    const quick = values.quick ?? false;
    const gemmSizes = parseList(values["gemm-sizes"], quick ? [256, 512] : PAPER_GEMM_SIZES, (s) => positiveInt(s, "--gemm-sizes"));
    const cpConfigs = parseList(values.cp, quick ? [{ b: 64, i: 96, o: 96, n: 32, r: 16 }] : PAPER_CP_CONFIGS, parseCp);
    const repeats = values.repeats === undefined ? 5 : positiveInt(values.repeats, "--repeats");
    const tileList = parseList(values["gemm-tiles"], BENCH_TILES, (x) => x).map(parseTile);
    const log = (s: string): void => io.stderr(s + "\n");

    const gpu = await openGpuBackend(values.mode);
    log(
      `gpu bench: mode ${gpu.info.selected}${gpu.info.software ? " (SOFTWARE: these figures say nothing about GPUs)" : ""}; ${gpu.info.reason}`,
    );
    const tiles = gpu.info.gemm === "gpujs" ? [undefined] : tileList;
    const gemmRuns: { n: number; tile: string; ms: number; tflops: number; check: number }[] = [];
    const cpRows: (CpBenchConfig & { softmax_ms: number; entmax_ms: number })[] = [];
    try {
      for (const tile of tiles) {
        const g = tile ? await createGpuBackend({ mode: gpu.mode, gemm: "wgsl", gemmTile: tile }) : gpu;
        const name = tile ? `${tile.bm}x${tile.bn}x${tile.bk}/${tile.tm}x${tile.tn}` : "gpu.js";
        try {
          for (const n of gemmSizes) {
            const a = randn([1, n, n], { seed: 1, dtype: "float32" });
            const b = randn([1, n, n], { seed: 2, dtype: "float32" });
            const ga = g.resident(a);
            const gb = g.resident(b);
            const c0 = g.batchedMatmul(ga, gb);
            const check = checkGemm((await g.downloadAsync(c0)).data, a.data as Float32Array, b.data as Float32Array, n);
            g.release(c0);
            const ms = await timeOnDevice(g, () => g.release(g.batchedMatmul(ga, gb)), repeats);
            g.free(ga);
            g.free(gb);
            gemmRuns.push({ n, tile: name, ms, tflops: (2 * n ** 3) / (ms * 1e9), check });
            log(
              `  gemm n=${n} (${name}): ${fmt(ms)} ms, ${fmt((2 * n ** 3) / (ms * 1e9))} TFLOP/s (sampled error ${check.toExponential(1)} of Σ|terms|)`,
            );
          }
        } finally {
          if (g !== gpu) await g.dispose();
        }
      }
      for (const c of cpConfigs) {
        const times: number[] = [];
        for (const act of ["softmax", "entmax15"] as const) {
          const layer = createMuMoE(
            { kind: "cp", inputDim: c.i, outputDim: c.o, expertDims: [c.n], ranks: c.r, act },
            { seed: 3, init: "random", dtype: "float32" },
          );
          const device = new DeviceMuMoE(layer, gpu, gpu);
          const x = gpu.resident(randn([c.b, c.i], { seed: 4, dtype: "float32" }));
          times.push(await timeOnDevice(gpu, () => gpu.release(device.forwardOnDevice(x)), repeats));
          gpu.free(x);
          device.dispose();
        }
        cpRows.push({ ...c, softmax_ms: times[0]!, entmax_ms: times[1]! });
        log(`  cp b=${c.b} i=${c.i} o=${c.o} n=${c.n} r=${c.r}: softmax ${fmt(times[0])} ms, entmax15 ${fmt(times[1])} ms`);
      }
    } finally {
      await gpu.dispose({ releaseDevice: true });
    }

    let torch: TorchPeer = { error: "skipped (--no-torch)" };
    if (!values["no-torch"]) {
      log("  running the PyTorch peer…");
      torch = runTorch(values.python ?? "python3", gemmSizes, cpConfigs, repeats);
      if (torch.error) log(`  PyTorch peer: ${torch.error}`);
    }
    const tGemm = (n: number, tf32: boolean): number | undefined => torch.gemm?.find((g) => g.n === n && g.tf32 === tf32)?.ms;
    const tCp = (c: CpBenchConfig): { einsum_ms: number; steps_ms: number } | undefined =>
      torch.cp?.find((p) => p.b === c.b && p.i === c.i && p.o === c.o && p.n === c.n && p.r === c.r);
    const report = {
      measured: new Date().toISOString(),
      host: {
        cpu: os.cpus()[0]?.model.trim() ?? "unknown",
        cores: os.cpus().length,
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
      },
      backend: gpu.info,
      torch: torch.error ? { error: torch.error } : { device: torch.device, version: torch.torch },
      gemm: gemmSizes.map((n) => {
        const runs = gemmRuns.filter((g) => g.n === n);
        const best = runs.reduce((p, q) => (q.ms < p.ms ? q : p));
        const fp32 = tGemm(n, false);
        return {
          ...best,
          tiles: runs,
          torch_fp32_ms: fp32 ?? null,
          torch_tf32_ms: tGemm(n, true) ?? null,
          speed_vs_torch_fp32: fp32 === undefined ? null : fp32 / best.ms,
        };
      }),
      cp: cpRows.map((c) => {
        const p = tCp(c);
        const best = p ? Math.min(p.einsum_ms, p.steps_ms) : undefined;
        return {
          ...c,
          torch_einsum_ms: p?.einsum_ms ?? null,
          torch_steps_ms: p?.steps_ms ?? null,
          latency_ratio_vs_torch: best === undefined ? null : c.softmax_ms / best,
        };
      }),
    };
    const md = markdown(report);
    if (values.out !== undefined) {
      await writeFileBytes(values.out, new TextEncoder().encode(JSON.stringify(report, null, 2) + "\n"));
      log(`  wrote ${values.out}`);
    }
    io.stdout(md + "\n");
    return 0;
  },
};

function markdown(r: {
  backend: GpuBackend["info"];
  torch: { device?: string | undefined; version?: string | undefined; error?: string };
  gemm: readonly {
    n: number;
    tile: string;
    ms: number;
    tflops: number;
    torch_fp32_ms: number | null;
    torch_tf32_ms: number | null;
    speed_vs_torch_fp32: number | null;
  }[];
  cp: readonly (CpBenchConfig & {
    softmax_ms: number;
    entmax_ms: number;
    torch_einsum_ms: number | null;
    torch_steps_ms: number | null;
    latency_ratio_vs_torch: number | null;
  })[];
  measured: string;
}): string {
  const a = r.backend.adapter;
  const dev = a ? [a.vendor, a.architecture, a.description].filter((s) => s).join(" / ") : "no WebGPU adapter";
  const lines = [
    `GPU backend: gpu.js ${r.backend.selected} (${dev})${r.backend.software ? " — SOFTWARE, not a GPU measurement" : ""}, GEMM ${r.backend.gemm}; PyTorch: ${r.torch.error ? `not measured (${r.torch.error})` : `${r.torch.version} on ${r.torch.device}`}; ${r.measured.slice(0, 10)}.`,
    "",
  ];
  if (r.gemm.length) {
    lines.push(
      "| GEMM float32 n | best tile | ours ms | ours TFLOP/s | torch FP32 ms | torch TF32 ms | ours / torch FP32 speed |",
      "| --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const g of r.gemm) {
      const tf = (ms: number | null): string => (ms === null ? "–" : `${fmt(ms)} (${fmt((2 * g.n ** 3) / (ms * 1e9))} TF/s)`);
      lines.push(
        `| ${g.n} | ${g.tile} | ${fmt(g.ms)} | ${fmt(g.tflops)} | ${tf(g.torch_fp32_ms)} | ${tf(g.torch_tf32_ms)} | ${g.speed_vs_torch_fp32 === null ? "–" : fmt(g.speed_vs_torch_fp32, 2)} |`,
      );
    }
    lines.push("");
  }
  if (r.cp.length) {
    lines.push(
      "| CP-μMoE b, i, o, n, r | ours softmax ms | ours entmax-1.5 ms | torch.einsum ms | torch steps ms | latency ours / best torch |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const c of r.cp) {
      lines.push(
        `| ${c.b}, ${c.i}, ${c.o}, ${c.n}, ${c.r} | ${fmt(c.softmax_ms)} | ${fmt(c.entmax_ms)} | ${fmt(c.torch_einsum_ms ?? undefined)} | ${fmt(c.torch_steps_ms ?? undefined)} | ${c.latency_ratio_vs_torch === null ? "–" : fmt(c.latency_ratio_vs_torch, 2)} |`,
      );
    }
  }
  return lines.join("\n");
}

function parseList<T>(value: string | undefined, fallback: readonly T[], parse: (s: string) => T): readonly T[] {
  if (value === undefined) return fallback;
  if (value === "none") return [];
  return value.split(",").map((s) => parse(s.trim()));
}

function positiveInt(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 1) throw new CliUsageError(`${what}: '${s}' is not a positive integer`);
  return n;
}

function parseCp(s: string): CpBenchConfig {
  const parts = s.split(":").map((p) => positiveInt(p, "--cp"));
  if (parts.length !== 5)
    throw new CliUsageError(`--cp: '${s}' is not b:i:o:n:r`, "give five sizes per configuration, e.g. --cp 256:768:768:512:512");
  const [b, i, o, n, r] = parts as [number, number, number, number, number];
  return { b, i, o, n, r };
}
