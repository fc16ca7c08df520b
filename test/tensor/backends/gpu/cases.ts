/**
 * The GPU backend's conformance cases. The same cases run in Node under vitest (gpu.js `cpu` and
 * `webasm` modes) and in headless Chromium (`webgpu`, `webgl2`: real shaders on SwiftShader) via
 * `npm run test:browser`. Every case compares against the CPU backend (or the CPU layer operations)
 * and throws on a mismatch. No Node built-ins here: this file is bundled for the browser.
 */
import {
  type CpuBackend,
  DenseTensor,
  GpuError,
  BackendLimitError,
  ConfigError,
  DeviceMuMoE,
  MuMoELayer,
  Rng,
  muMoEFromSafetensors,
  readSafetensors,
  createMuMoE,
  type MuMoEConfig,
  cpuLayerOps,
  einsum,
  einsumAsync,
  randn,
} from "../../../../src/index.js";
import { GpuTensor, type GpuBackend } from "../../../../src/gpu/index.js";

/** One case: throws with a message on failure, returns a short note on success. */
export interface GpuCase {
  readonly name: string;
  /** Only in these modes (default: all). */
  readonly modes?: readonly string[];
  run(ctx: CaseContext): Promise<string>;
}

/** What a case gets. */
export interface CaseContext {
  readonly gpu: GpuBackend;
  readonly cpu: CpuBackend;
  /** Smaller problem counts (the browser modes compile every kernel through SwiftShader). */
  readonly quick: boolean;
  /** Creates another GPU backend in the same mode with other options (for the WGSL GEMM variants). */
  readonly makeBackend?: (options: Record<string, unknown>) => Promise<GpuBackend>;
  /** The PyTorch μMoE reference fixtures (test/fixtures/mumoe-reference), file name → bytes. */
  readonly fixtures: () => Promise<ReadonlyMap<string, Uint8Array>>;
}

/** An einsum problem. */
export interface Problem {
  readonly equation: string;
  readonly shapes: readonly (readonly number[])[];
}

/**
 * Throws unless `got` matches `ref` elementwise within `rtol · scale_i`, where `scale_i` is the
 * sum of |terms| behind element i (for contractions) or |ref_i| plus a floor (element-wise ops).
 */
export function assertClose(what: string, got: DenseTensor, ref: DenseTensor, scale: ArrayLike<number>, rtol = 1e-5): number {
  if (got.shape.length !== ref.shape.length || got.shape.some((d, i) => d !== ref.shape[i])) {
    throw new Error(`${what}: shape [${got.shape.join(", ")}] instead of [${ref.shape.join(", ")}]`);
  }
  const g = got.toTypedArray();
  const r = ref.toTypedArray();
  let worst = 0;
  for (let i = 0; i < r.length; i++) {
    const err = Math.abs(g[i]! - r[i]!);
    const tol = rtol * scale[i]! + 1e-30;
    if (!(err <= tol))
      throw new Error(`${what}: element ${i} is ${g[i]} instead of ${r[i]} (|err| ${err.toExponential(2)} > ${tol.toExponential(2)})`);
    worst = Math.max(worst, err / tol);
  }
  return worst;
}

/** Per-element scale |ref_i| + floor·max|ref| for element-wise results. */
export function elementScale(ref: DenseTensor, floor = 0.1): Float64Array {
  const r = ref.toTypedArray();
  let m = 0;
  for (const v of r) m = Math.max(m, Math.abs(v));
  return Float64Array.from(r, (v) => Math.abs(v) + floor * m);
}

/** Σ|terms| of each output element of an einsum (the scale its float32 rounding error grows with). */
export function einsumScale(problem: Problem, xs: readonly DenseTensor[], cpu: CpuBackend): Float64Array {
  const abs = xs.map((x) => new DenseTensor(Float64Array.from(x.toTypedArray(), Math.abs), x.shape));
  const s = einsum(problem.equation, abs, { backend: cpu }).toTypedArray();
  return Float64Array.from(s, (v) => v + 1e-6);
}

/** Runs an einsum on the GPU and on the CPU and compares; returns the worst error / tolerance. */
export async function compareEinsum(p: Problem, ctx: CaseContext, seed: number): Promise<number> {
  const xs = p.shapes.map((s, i) => randn([...s], { seed: seed * 31 + i, dtype: "float32" }));
  const before = ctx.gpu.memory().buffers;
  const got = await einsumAsync(p.equation, xs, { backend: ctx.gpu });
  const after = ctx.gpu.memory().buffers;
  if (after !== before) throw new Error(`${p.equation}: ${after - before} device buffers left behind by the plan`);
  const ref = einsum(p.equation, xs, { backend: ctx.cpu });
  return assertClose(p.equation, got, ref, einsumScale(p, xs, ctx.cpu));
}

/** Hand-picked problems: every step kind the planner emits, views, and broadcasting. */
export const FIXED_PROBLEMS: readonly Problem[] = [
  {
    equation: "ij,jk->ik",
    shapes: [
      [5, 7],
      [7, 3],
    ],
  },
  {
    equation: "ij,jk->ki",
    shapes: [
      [4, 6],
      [6, 9],
    ],
  },
  {
    equation: "bij,bjk->bik",
    shapes: [
      [3, 4, 5],
      [3, 5, 6],
    ],
  },
  { equation: "ii->i", shapes: [[6, 6]] },
  { equation: "ii->", shapes: [[5, 5]] },
  { equation: "iji->j", shapes: [[3, 4, 3]] },
  { equation: "ijk->kji", shapes: [[2, 3, 4]] },
  { equation: "ijk->", shapes: [[3, 4, 5]] },
  {
    equation: "ij,ij->ij",
    shapes: [
      [4, 5],
      [4, 5],
    ],
  },
  { equation: "i,j->ij", shapes: [[4], [6]] },
  {
    equation: "...ij,...jk->...ik",
    shapes: [
      [2, 1, 3, 4],
      [5, 4, 2],
    ],
  },
  {
    equation: "ab,bc,cd,de->ae",
    shapes: [
      [3, 4],
      [4, 5],
      [5, 2],
      [2, 6],
    ],
  },
  {
    equation: "bi,bn,nr,ir,or->bo",
    shapes: [
      [4, 6],
      [4, 5],
      [5, 3],
      [6, 3],
      [7, 3],
    ],
  },
  {
    equation: "ijk,jkl->il",
    shapes: [
      [3, 4, 5],
      [4, 5, 2],
    ],
  },
  { equation: "i,i->", shapes: [[9], [9]] },
  { equation: "i->", shapes: [[0]] },
  {
    equation: "ij,jk->ik",
    shapes: [
      [3, 0],
      [0, 4],
    ],
  },
];

/** A random einsum problem (labels a–e, sizes 1–4, repeated labels, implicit sums). */
export function randomProblem(rng: Rng): Problem {
  const nLabels = 1 + Math.floor(rng.uniform() * 5);
  const labels = "abcde".slice(0, nLabels).split("");
  const sizes = labels.map(() => 1 + Math.floor(rng.uniform() * 4));
  const nOps = 1 + Math.floor(rng.uniform() * 3);
  const terms: string[][] = [];
  for (let o = 0; o < nOps; o++) {
    const len = Math.floor(rng.uniform() * 4);
    terms.push(Array.from({ length: len }, () => labels[Math.floor(rng.uniform() * nLabels)]!));
  }
  const used = [...new Set(terms.flat())];
  const output = used.filter(() => rng.uniform() < 0.5).sort(() => rng.uniform() - 0.5);
  return {
    equation: `${terms.map((t) => t.join("")).join(",")}->${output.join("")}`,
    shapes: terms.map((t) => t.map((l) => sizes[labels.indexOf(l)]!)),
  };
}

function withMemoryCheck(gpu: GpuBackend): () => void {
  const before = gpu.memory();
  return () => {
    const after = gpu.memory();
    if (after.buffers !== before.buffers) throw new Error(`${after.buffers - before.buffers} device buffers leaked`);
  };
}

async function layerCase(
  ctx: CaseContext,
  name: string,
  x: DenseTensor,
  gpuOp: (t: GpuTensor) => GpuTensor,
  cpuOp: (t: DenseTensor) => DenseTensor,
  floor = 0.1,
): Promise<number> {
  const done = withMemoryCheck(ctx.gpu);
  const t = ctx.gpu.upload(x);
  const y = gpuOp(t);
  const got = await ctx.gpu.downloadAsync(y);
  ctx.gpu.release(y);
  ctx.gpu.release(t);
  done();
  const ref = cpuOp(x);
  return assertClose(name, got, ref, elementScale(ref, floor));
}

/** Every case. */
export const GPU_CASES: readonly GpuCase[] = [
  {
    name: "einsum: hand-picked problems",
    async run(ctx) {
      let worst = 0;
      for (const [i, p] of FIXED_PROBLEMS.entries()) worst = Math.max(worst, await compareEinsum(p, ctx, i + 1));
      return `${FIXED_PROBLEMS.length} problems, worst error ${(worst * 100).toFixed(1)}% of tolerance`;
    },
  },
  {
    name: "einsum: generated problems",
    async run(ctx) {
      const rng = new Rng(2024);
      const n = ctx.quick ? 12 : 40;
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, await compareEinsum(randomProblem(rng), ctx, 100 + i));
      return `${n} problems, worst error ${(worst * 100).toFixed(1)}% of tolerance`;
    },
  },
  {
    name: "kernels are compiled once per shape signature",
    async run(ctx) {
      const p = {
        equation: "bij,bjk->bik",
        shapes: [
          [2, 3, 4],
          [2, 4, 5],
        ],
      };
      await compareEinsum(p, ctx, 1);
      const k1 = ctx.gpu.memory().kernels;
      await compareEinsum(p, ctx, 2);
      const k2 = ctx.gpu.memory().kernels;
      if (k2 !== k1) throw new Error(`the same shapes compiled ${k2 - k1} new kernels`);
      await compareEinsum(
        {
          equation: "bij,bjk->bik",
          shapes: [
            [2, 3, 4],
            [2, 4, 6],
          ],
        },
        ctx,
        3,
      );
      if (ctx.gpu.memory().kernels === k2) throw new Error("new shapes reused a kernel compiled for other sizes");
      return `${k2} kernels after two runs of the same shapes`;
    },
  },
  {
    name: "loops longer than 1000 iterations",
    async run(ctx) {
      // gpu.js caps non-constant loop bounds at 1000 silently: each of these would come out wrong.
      const ones = (n: number): DenseTensor => new DenseTensor(new Float32Array(n).fill(1), [n]);
      const s = await einsumAsync("i->", [ones(1500)], { backend: ctx.gpu });
      if (s.item() !== 1500) throw new Error(`sum of 1500 ones is ${s.item()}`);
      const dot = await einsumAsync(
        "ik,kj->ij",
        [new DenseTensor(new Float32Array(2 * 1200).fill(1), [2, 1200]), new DenseTensor(new Float32Array(1200 * 3).fill(0.5), [1200, 3])],
        { backend: ctx.gpu },
      );
      if (dot.toTypedArray().some((v) => v !== 600)) throw new Error(`a 1200-long dot product gave ${dot.toTypedArray().join(", ")}`);
      const row = new DenseTensor(
        Float32Array.from({ length: 1100 }, (_, i) => (i === 1099 ? 5 : 0)),
        [1, 1100],
      );
      const g = ctx.gpu.upload(row);
      const e = ctx.gpu.entmax15(g);
      const p = await ctx.gpu.downloadAsync(e);
      ctx.gpu.release(e);
      ctx.gpu.release(g);
      if (p.get(0, 1099) !== 1) throw new Error(`entmax15 over 1100 entries put ${p.get(0, 1099)} on the largest (1 expected)`);
      return "sum over 1500, dot over 1200, entmax over 1100";
    },
  },
  {
    name: "views: permute, diagonal, reshape, non-contiguous download",
    async run(ctx) {
      const done = withMemoryCheck(ctx.gpu);
      const x = randn([3, 4, 3], { seed: 7, dtype: "float32" });
      const t = ctx.gpu.upload(x);
      const p = ctx.gpu.permute(t, [2, 0, 1]);
      const d = ctx.gpu.diagonal(t, 0, 2);
      const r = ctx.gpu.reshape(p, [3, 12]);
      const checks: [string, GpuTensor, DenseTensor][] = [
        ["permute", p, x.permute([2, 0, 1])],
        ["diagonal", d, x.diagonal(0, 2)],
        ["reshape of a permuted view", r, x.permute([2, 0, 1]).reshape([3, 12])],
      ];
      for (const [what, g, ref] of checks) {
        const got = await ctx.gpu.downloadAsync(g);
        assertClose(what, got, ref.contiguous(), elementScale(ref.contiguous(), 0), 0);
      }
      for (const h of [r, d, p, t]) ctx.gpu.release(h);
      done();
      return "exact";
    },
  },
  {
    name: "layer ops: softmax, entmax-1.5, sparsemax",
    async run(ctx) {
      let worst = 0;
      for (const [rows, d, seed] of [
        [5, 7, 1],
        [3, 64, 2],
        [2, 1, 3],
      ] as const) {
        const x = randn([rows, d], { seed, dtype: "float32" });
        for (const k of [1, 0.5, 4]) {
          const xs = new DenseTensor(
            Float32Array.from(x.toTypedArray(), (v) => v * k),
            x.shape,
          );
          worst = Math.max(
            worst,
            await layerCase(
              ctx,
              `softmax ×${k} [${rows},${d}]`,
              xs,
              (t) => ctx.gpu.softmax(t),
              (t) => cpuLayerOps.softmax(t),
              0.01,
            ),
          );
          worst = Math.max(
            worst,
            await layerCase(
              ctx,
              `entmax15 ×${k} [${rows},${d}]`,
              xs,
              (t) => ctx.gpu.entmax15(t),
              (t) => cpuLayerOps.entmax15(t),
              0.01,
            ),
          );
          worst = Math.max(
            worst,
            await layerCase(
              ctx,
              `sparsemax ×${k} [${rows},${d}]`,
              xs,
              (t) => ctx.gpu.sparsemax(t),
              (t) => cpuLayerOps.sparsemax(t),
              0.01,
            ),
          );
        }
      }
      // Ties and a 3-D input (rows over the leading axes).
      const ties = new DenseTensor(new Float32Array([1, 1, 1, 0, 2, 2, -1, -1]), [2, 2, 2]);
      for (const op of ["softmax", "entmax15", "sparsemax"] as const) {
        worst = Math.max(
          worst,
          await layerCase(
            ctx,
            `${op} with ties`,
            ties,
            (t) => ctx.gpu[op](t),
            (t) => cpuLayerOps[op](t),
            0.01,
          ),
        );
      }
      return `worst error ${(worst * 100).toFixed(1)}% of tolerance`;
    },
  },
  {
    name: "layer ops: layerNorm, batchNormEval, addBias, gelu, appendOnes, multiply",
    async run(ctx) {
      const x = randn([4, 6], { seed: 11, dtype: "float32" });
      const y = randn([4, 6], { seed: 12, dtype: "float32" });
      const vec = (seed: number, shift = 0): DenseTensor => {
        const v = randn([6], { seed, dtype: "float32" });
        return new DenseTensor(
          Float32Array.from(v.toTypedArray(), (a) => Math.abs(a) + shift),
          [6],
        );
      };
      const [mean, variance, gamma, beta] = [
        randn([6], { seed: 13, dtype: "float32" }),
        vec(14, 0.5),
        vec(15, 0.1),
        randn([6], { seed: 16, dtype: "float32" }),
      ];
      const g = ctx.gpu;
      const up = (t: DenseTensor): GpuTensor => g.upload(t);
      const [gm, gv, gg, gb, gy] = [up(mean), up(variance), up(gamma), up(beta), up(y)];
      let worst = 0;
      const wide = new DenseTensor(
        Float32Array.from({ length: 24 }, (_, i) => (i - 12) * 0.75),
        [4, 6],
      );
      worst = Math.max(
        worst,
        await layerCase(
          ctx,
          "gelu",
          wide,
          (t) => g.gelu(t),
          (t) => cpuLayerOps.gelu(t),
          0.001,
        ),
      );
      worst = Math.max(
        worst,
        await layerCase(
          ctx,
          "layerNorm",
          x,
          (t) => g.layerNorm(t),
          (t) => cpuLayerOps.layerNorm(t),
        ),
      );
      worst = Math.max(
        worst,
        await layerCase(
          ctx,
          "layerNorm affine",
          x,
          (t) => g.layerNorm(t, { gamma: gg, beta: gb, eps: 1e-3 }),
          (t) => cpuLayerOps.layerNorm(t, { gamma, beta, eps: 1e-3 }),
        ),
      );
      worst = Math.max(
        worst,
        await layerCase(
          ctx,
          "batchNormEval",
          x,
          (t) => g.batchNormEval(t, gm, gv),
          (t) => cpuLayerOps.batchNormEval(t, mean, variance),
        ),
      );
      worst = Math.max(
        worst,
        await layerCase(
          ctx,
          "batchNormEval affine",
          x,
          (t) => g.batchNormEval(t, gm, gv, { gamma: gg, beta: gb }),
          (t) => cpuLayerOps.batchNormEval(t, mean, variance, { gamma, beta }),
        ),
      );
      worst = Math.max(
        worst,
        await layerCase(
          ctx,
          "addBias",
          x,
          (t) => g.addBias(t, gb),
          (t) => cpuLayerOps.addBias(t, beta),
        ),
      );
      worst = Math.max(
        worst,
        await layerCase(
          ctx,
          "appendOnes",
          x,
          (t) => g.appendOnes(t),
          (t) => cpuLayerOps.appendOnes(t),
        ),
      );
      worst = Math.max(
        worst,
        await layerCase(
          ctx,
          "multiply",
          x,
          (t) => g.multiply(t, gy),
          (t) => cpuLayerOps.multiply(t, y),
        ),
      );
      // A permuted (non-contiguous) input goes through a device copy first.
      worst = Math.max(
        worst,
        await layerCase(
          ctx,
          "softmax of a transposed view",
          x,
          (t) => {
            const r = g.reshape(t, [6, 4]);
            const v = g.permute(r, [1, 0]);
            const out = g.softmax(v);
            for (const h of [r, v]) g.release(h);
            return out;
          },
          (t) => cpuLayerOps.softmax(t.reshape([6, 4]).transpose()),
        ),
      );
      for (const t of [gm, gv, gg, gb, gy]) g.release(t);
      return `worst error ${(worst * 100).toFixed(1)}% of tolerance`;
    },
  },
  {
    name: "the PyTorch μMoE fixtures through DeviceMuMoE (float64 ones computed in float32)",
    async run(ctx) {
      const files = await ctx.fixtures();
      let worst = 0;
      for (const [name, bytes] of files) {
        const f = readSafetensors(bytes, name);
        const layer = muMoEFromSafetensors(f, name);
        const w = layer.weights;
        const f32 = (t: DenseTensor): DenseTensor => t.astype("float32");
        const layer32 = new MuMoELayer(layer.config, {
          projs: w.projs.map(f32),
          layer1: w.layer1.map(f32),
          ...(w.layer2 ? { layer2: w.layer2.map(f32) } : {}),
          ...(w.bn ? { bn: w.bn.map((s) => ({ runningMean: f32(s.runningMean), runningVar: f32(s.runningVar) })) } : {}),
          ...(w.inputLn ? { inputLn: { weight: f32(w.inputLn.weight), bias: f32(w.inputLn.bias) } } : {}),
        });
        const device = new DeviceMuMoE(layer32, ctx.gpu, ctx.gpu);
        try {
          const ref = f.tensors.get("output")!;
          const y = await device.forward(f.tensors.get("input")!.astype("float32"));
          let scale = 0;
          for (const v of ref.toTypedArray()) scale = Math.max(scale, Math.abs(v));
          worst = Math.max(worst, assertClose(name, y, ref.astype("float32"), new Float64Array(ref.size).fill(scale), 1e-4));
        } finally {
          device.dispose();
        }
      }
      if (files.size < 10) throw new Error(`expected the 10 reference fixtures, found ${files.size}`);
      return `${files.size} fixtures, worst error ${(worst * 100).toFixed(1)}% of tolerance (1e-4 of each output's largest entry)`;
    },
  },
  {
    name: "μMoE layers (MuMoELayer) resident on the device: CP/TR, hierarchical, two-layer, input LayerNorm",
    async run(ctx) {
      const configs: MuMoEConfig[] = [
        { kind: "cp", inputDim: 5, outputDim: 4, expertDims: [6], ranks: 3 },
        {
          kind: "tr",
          inputDim: 4,
          outputDim: 3,
          expertDims: [3, 4],
          ranks: [
            [2, null, 3],
            [3, null, 2],
            [2, null, 2],
            [2, null, 2],
          ],
          secondDim: 3,
          normalization: "ln",
          act: "softmax",
          applyLn: true,
          useBias: false,
        },
        { kind: "cp", inputDim: 6, outputDim: 5, expertDims: [4], ranks: 4, secondDim: 2, act: "sparsemax" },
        { kind: "cp", inputDim: 8, outputDim: 4, expertDims: [16], ranks: 9, normalization: "ln", act: "softmax", useBias: false },
      ];
      let worst = 0;
      for (const [k, config] of configs.entries()) {
        const layer = createMuMoE(config, { seed: 60 + k, init: "random", dtype: "float32" });
        const before = ctx.gpu.memory();
        const device = new DeviceMuMoE(layer, ctx.gpu, ctx.gpu);
        for (const shape of [
          [3, config.inputDim],
          [2, 3, config.inputDim],
        ]) {
          const x = randn(shape, { seed: 70 + k, dtype: "float32" });
          const weights = ctx.gpu.memory().buffers;
          const y = await device.forward(x);
          if (ctx.gpu.memory().buffers !== weights)
            throw new Error(`the forward left ${ctx.gpu.memory().buffers - weights} buffers behind`);
          const ref = layer.forward(x);
          worst = Math.max(
            worst,
            assertClose(`${config.kind} layer ${k}, input [${shape.join(", ")}]`, y, ref, elementScale(ref, 0.05), 1e-4),
          );
        }
        // The gate coefficients on the device against the CPU's (one [M, N_l] per level).
        const x = randn([4, config.inputDim], { seed: 80 + k, dtype: "float32" });
        const gx = ctx.gpu.upload(x);
        const gates = device.gatesOnDevice(gx);
        const refGates = layer.gates(x);
        for (const [l, g] of gates.entries()) {
          const ref = refGates[l]!.reshape([4, -1]);
          worst = Math.max(
            worst,
            assertClose(
              `${config.kind} layer ${k}, gates of level ${l}`,
              await ctx.gpu.downloadAsync(g),
              ref,
              elementScale(ref, 0.01),
              1e-5,
            ),
          );
          ctx.gpu.release(g);
        }
        ctx.gpu.release(gx);
        device.dispose();
        if (ctx.gpu.memory().buffers !== before.buffers) throw new Error("dispose() did not free the resident weights");
      }
      const topK = createMuMoE(configs[0]!, { seed: 1, init: "random", dtype: "float32", topK: 2 });
      let refused = false;
      try {
        new DeviceMuMoE(topK, ctx.gpu, ctx.gpu);
      } catch (e) {
        refused = e instanceof ConfigError;
      }
      if (!refused) throw new Error("a topK layer was not refused with a ConfigError");
      return `4 layers × 2 input shapes and their gates, worst error ${(worst * 100).toFixed(1)}% of tolerance; weights freed by dispose()`;
    },
  },
  {
    name: "float64 refused with a typed error; released tensors refused",
    async run(ctx) {
      try {
        ctx.gpu.upload(randn([2], { seed: 1 }));
        throw new Error("a float64 upload was accepted");
      } catch (e) {
        if (!(e instanceof BackendLimitError) || !/float32/.test(e.message)) throw e;
      }
      const t = ctx.gpu.upload(randn([2], { seed: 1, dtype: "float32" }));
      ctx.gpu.release(t);
      try {
        ctx.gpu.sumAxes(t, [0]);
        throw new Error("a released tensor was accepted");
      } catch (e) {
        if (e instanceof GpuError || !(e instanceof Error) || !/freed/.test(e.message)) throw e;
      }
      return "BackendLimitError for float64, InvalidArgumentError after release";
    },
  },
  {
    name: "WGSL GEMM: tiles, vec4 and scalar paths, edges, batches, broadcast batch",
    modes: ["webgpu"],
    async run(ctx) {
      if (!ctx.makeBackend) return "skipped (no backend factory)";
      const shapes: [number, number, number, number][] = [
        [1, 64, 64, 64],
        [1, 130, 67, 33],
        [2, 33, 129, 12],
        [3, 17, 20, 8],
        [1, 1, 5, 3],
        [1, 200, 136, 24],
      ];
      let n = 0;
      // "auto" (the default tiles), the tiles `multilinear gpu bench` compares, and odd shapes.
      const tiles = [
        "auto",
        { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 },
        { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8 },
        { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 },
        { bm: 64, bn: 64, bk: 8, tm: 8, tn: 8 },
        { bm: 64, bn: 64, bk: 8, tm: 4, tn: 4 },
        { bm: 32, bn: 64, bk: 8, tm: 4, tn: 8 },
      ];
      for (const tile of tiles) {
        const g = await ctx.makeBackend({ gemm: "wgsl", gemmTile: tile });
        try {
          if (g.info.gemm !== "wgsl-always") throw new Error(`asked for the WGSL GEMM, got '${g.info.gemm}'`);
          for (const [i, [B, M, N, K]] of shapes.entries()) {
            const a = randn([B, M, K], { seed: 60 + i, dtype: "float32" });
            const b = randn([B, K, N], { seed: 70 + i, dtype: "float32" });
            const ga = g.upload(a);
            const gb = g.upload(b);
            const gc = g.batchedMatmul(ga, gb);
            // A transposed right operand (copied on the device) and a broadcast batch (batch stride 0).
            const gbt = g.permute(g.upload(b.permute([0, 2, 1]).contiguous()), [0, 2, 1]);
            const gct = g.batchedMatmul(ga, gbt);
            const a1 = g.upload(a.slice(0, 0, 1));
            const abc = g.reshape(a1, [1, M, K]);
            const gbc = g.batchedMatmul(new GpuTensor(abc.buffer, [B, M, K], [0, abc.strides[1]!, abc.strides[2]!], abc.offset), gb);
            const ref = einsum("bmk,bkn->bmn", [a, b], { backend: ctx.cpu });
            const refB = einsum("mk,bkn->bmn", [a.select(0, 0), b], { backend: ctx.cpu });
            const scale = einsumScale({ equation: "bmk,bkn->bmn", shapes: [a.shape, b.shape] }, [a, b], ctx.cpu);
            const scaleB = einsumScale({ equation: "mk,bkn->bmn", shapes: [[M, K], b.shape] }, [a.select(0, 0), b], ctx.cpu);
            assertClose(`gemm ${JSON.stringify(tile)} [${B},${M},${N},${K}]`, await g.downloadAsync(gc), ref, scale);
            assertClose(`gemm with transposed B [${B},${M},${N},${K}]`, await g.downloadAsync(gct), ref, scale);
            assertClose(`gemm with broadcast batch [${B},${M},${N},${K}]`, await g.downloadAsync(gbc), refB, scaleB);
            n += 3;
          }
        } finally {
          await g.dispose();
        }
      }
      return `${n} products on ${tiles.length} tile configurations`;
    },
  },
];

/** webgpu: a device error is caught by the lane's error scopes and surfaces as a typed GpuError. */
export const ERROR_SCOPE_CASE: GpuCase = {
  name: "GPU errors surface as typed GpuError (error scopes)",
  modes: ["webgpu"],
  async run(ctx) {
    if (!ctx.makeBackend) return "skipped (no backend factory)";
    const g = await ctx.makeBackend({});
    try {
      // A broadcast view larger than any buffer the device allows: reading it needs a copy that cannot be allocated.
      const n = g.limits.maxElements + 64;
      const one = g.upload(new DenseTensor(new Float32Array([1]), [1]));
      const huge = new GpuTensor(one.buffer, [2, n], [0, 0], 0);
      let caught: unknown;
      try {
        await g.downloadAsync(huge);
      } catch (e) {
        caught = e;
      }
      if (!(caught instanceof GpuError) || caught.code !== "gpu") throw new Error(`expected a GpuError, got ${String(caught)}`);
      let again: unknown;
      try {
        await g.sync();
      } catch (e) {
        again = e;
      }
      if (!(again instanceof GpuError)) throw new Error("the backend did not keep reporting the error");
      return `GpuError: ${caught.what.slice(0, 120)}`;
    } finally {
      await g.dispose();
    }
  },
};

/** Appended to every run: gpu.js must not have degraded any kernel to another mode. */
export const MODE_CASE: GpuCase = {
  name: "every gpu.js kernel ran in the backend's mode",
  async run(ctx) {
    const m = ctx.gpu.memory();
    if (m.kernels === 0) throw new Error("no kernel was compiled");
    if (m.kernelModes.length !== 1 || m.kernelModes[0] !== ctx.gpu.mode)
      throw new Error(`kernels ran in [${m.kernelModes.join(", ")}], not only '${ctx.gpu.mode}'`);
    return `${m.kernels} kernels, all '${m.kernelModes[0]}'`;
  },
};

/** Runs the cases that apply to the backend's mode; a failing case is reported, not thrown. */
export async function runCases(
  ctx: CaseContext,
  only?: (c: GpuCase) => boolean,
): Promise<{ name: string; ok: boolean; detail: string; ms: number }[]> {
  const out: { name: string; ok: boolean; detail: string; ms: number }[] = [];
  for (const c of [...GPU_CASES, ERROR_SCOPE_CASE, MODE_CASE]) {
    if (c.modes && !c.modes.includes(ctx.gpu.mode)) continue;
    if (only && !only(c)) continue;
    const t0 = performance.now();
    try {
      const detail = await c.run(ctx);
      out.push({ name: c.name, ok: true, detail, ms: performance.now() - t0 });
    } catch (e) {
      out.push({ name: c.name, ok: false, detail: e instanceof Error ? e.message : String(e), ms: performance.now() - t0 });
    }
  }
  return out;
}
