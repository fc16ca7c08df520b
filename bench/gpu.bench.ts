/**
 * The GPU backend on whatever gpu.js modes this machine runs, against the CPU backend on the same
 * data in the same run. On a machine without a GPU those are software modes (gpu.js `cpu` and
 * `webasm` run kernels on the CPU): the figures show the backend's overhead, not GPU speed. GPU
 * figures come from `multilinear gpu bench` on a GPU host (see docs/guides/gpu.md).
 */
import { CpuBackend, createMuMoE, DeviceMuMoE, difference, randn } from "../src/index.js";
import { createGpuBackend, gpuInfo, type GpuBackend, type GpuMode } from "../src/gpu/index.js";
import { fmt, table, time, type BenchOptions, type BenchTopic } from "./harness.js";

/** Median ms of `fn` with the device synchronized after each call. */
async function timeGpu(gpu: GpuBackend, fn: () => void, repeats: number): Promise<number> {
  return (
    await time(async () => {
      fn();
      await gpu.sync();
    }, repeats)
  ).medianMs;
}

async function run(opts: BenchOptions): Promise<string> {
  const info = await gpuInfo();
  const modes: GpuMode[] = info.modes.filter((m) => m.available && m.mode !== "webgl2").map((m) => m.mode);
  const cpu = new CpuBackend();
  await cpu.ready();
  const repeats = opts.quick ? 3 : 7;
  const gemmSizes = opts.quick ? [64, 128] : [64, 128, 256];
  const cp = opts.quick ? { b: 32, i: 64, o: 64, n: 32, r: 16 } : { b: 64, i: 128, o: 128, n: 64, r: 32 };
  const rows: (string | number)[][] = [];
  for (const mode of modes) {
    const gpu = await createGpuBackend({ mode });
    const kind = gpu.info.software ? "software" : "GPU";
    try {
      for (const n of gemmSizes) {
        const a = randn([1, n, n], { seed: 1, dtype: "float32" });
        const b = randn([1, n, n], { seed: 2, dtype: "float32" });
        const ga = gpu.resident(a);
        const gb = gpu.resident(b);
        const c = gpu.batchedMatmul(ga, gb);
        const diff = difference(await gpu.downloadAsync(c), cpu.batchedMatmul(a, b), { rtol: 1e-4, atol: 1e-4 });
        gpu.release(c);
        const ms = await timeGpu(gpu, () => gpu.release(gpu.batchedMatmul(ga, gb)), repeats);
        const cpuMs = (await time(() => cpu.batchedMatmul(a, b), repeats)).medianMs;
        gpu.free(ga);
        gpu.free(gb);
        opts.log(`${mode} gemm n=${n}: ${fmt(ms)} ms (cpu backend ${fmt(cpuMs)} ms)`);
        rows.push([
          `${mode} (${kind})`,
          `GEMM ${n}³ float32, operands resident`,
          fmt(ms),
          fmt((2 * n ** 3) / (ms * 1e6)),
          fmt(cpuMs),
          fmt(cpuMs / ms, 2),
          diff.maxAbs.toExponential(1),
        ]);
      }
      const layer = createMuMoE(
        { kind: "cp", inputDim: cp.i, outputDim: cp.o, expertDims: [cp.n], ranks: cp.r },
        { seed: 3, init: "random", dtype: "float32" },
      );
      const device = new DeviceMuMoE(layer, gpu, gpu);
      const x = randn([cp.b, cp.i], { seed: 4, dtype: "float32" });
      const gx = gpu.resident(x);
      const once = (): void => gpu.release(device.forwardOnDevice(gx));
      const r0 = device.forwardOnDevice(gx);
      const diff = difference((await gpu.downloadAsync(r0)).reshape([cp.b, 1, cp.o]), layer.forward(x, { backend: cpu }), {
        rtol: 1e-4,
        atol: 1e-4,
      });
      gpu.release(r0);
      const ms = await timeGpu(gpu, once, repeats);
      const cpuMs = (await time(() => layer.forward(x, { backend: cpu }), repeats)).medianMs;
      device.dispose();
      opts.log(`${mode} cp forward: ${fmt(ms)} ms (cpu backend ${fmt(cpuMs)} ms)`);
      rows.push([
        `${mode} (${kind})`,
        `CP-μMoE forward b=${cp.b} i=o=${cp.i} n=${cp.n} r=${cp.r}, entmax-1.5, weights resident`,
        fmt(ms),
        "–",
        fmt(cpuMs),
        fmt(cpuMs / ms, 2),
        diff.maxAbs.toExponential(1),
      ]);
    } finally {
      await gpu.dispose();
    }
  }
  cpu.dispose();
  const software = modes.every((m) => m === "cpu" || m === "webasm");
  return [
    software
      ? "**Software modes only: this machine has no usable GPU** (gpu.js `cpu` and `webasm` run the kernels on the CPU), so these rows measure the GPU backend's plumbing, not GPU speed. " +
        "The GPU-host figures (float32 GEMM n = 1024…8192 and the CP-μMoE forward at paper sizes, against PyTorch on the same host) are **not yet measured**; " +
        "they come from `multilinear gpu bench` on a GPU host (docs/guides/gpu.md)."
      : "Rows marked GPU ran on GPU hardware through gpu.js; the GPU-host comparison with PyTorch comes from `multilinear gpu bench` (docs/guides/gpu.md).",
    "",
    `Modes probed: ${info.modes.map((m) => `${m.mode} ${m.available ? "✓" : `✗ (${m.reason})`}`).join("; ")}.`,
    "",
    table(["mode", "work", "ms", "GFLOP/s", "CPU backend ms", "CPU ms / GPU-backend ms", "max abs diff vs CPU"], rows),
  ].join("\n");
}

const topic: BenchTopic = { name: "gpu", title: "GPU backend (gpu.js modes available here) vs the CPU backend", run };
export default topic;
