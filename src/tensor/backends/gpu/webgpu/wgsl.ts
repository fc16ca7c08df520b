/**
 * Runs the hand-written WGSL shaders on the `GPUDevice` gpu.js uses: pipelines are compiled once per
 * variant and cached; each call encodes and submits its own command buffer. Callers wrap calls in
 * error scopes (the backend's lane does).
 * @module
 */
import { GpuError } from "../../../../errors.js";
import { BufferUsage, MAP_MODE_READ, type WebGpuBuffer, type WebGpuComputePipeline, type WebGpuDevice } from "../types.js";
import {
  COPY_MAX_NDIM,
  COPY_PARAMS_BYTES,
  COPY_WORKGROUP,
  copyWgsl,
  GEMM_PARAMS_BYTES,
  gemmWgsl,
  LARGE_TILE,
  SMALL_TILE,
  type GemmTile,
} from "./wgsl-source.js";
import type { ViewLayout } from "../codegen.js";

/** Operands of one batched GEMM: element offsets into flat buffers and batch strides (elements). */
export interface GemmCall {
  readonly a: WebGpuBuffer;
  readonly b: WebGpuBuffer;
  readonly c: WebGpuBuffer;
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly aOffset: number;
  readonly bOffset: number;
  readonly aBatchStride: number;
  readonly bBatchStride: number;
}

/** Which tile to use: a fixed one, or `"auto"` (large tile once the product fills enough blocks). @category GPU */
export type GemmTileChoice = GemmTile | "auto";

/** Rounds a byte count up to 16 (every buffer the backend allocates). */
export function paddedBytes(elements: number): number {
  return Math.max(16, Math.ceil((elements * 4) / 16) * 16);
}

/** The WGSL shaders on one device. */
export class WgslKernels {
  private readonly pipelines = new Map<string, WebGpuComputePipeline>();

  constructor(
    readonly device: WebGpuDevice,
    private readonly tile: GemmTileChoice = "auto",
  ) {}

  /** A storage buffer of `elements` floats that kernels can read, write, fill and copy out. */
  createStorage(elements: number): WebGpuBuffer {
    return this.device.createBuffer({
      size: paddedBytes(elements),
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
  }

  /** Compiles (once) a pipeline; compilation errors become a {@link GpuError}. */
  private async pipeline(key: string, code: () => string): Promise<WebGpuComputePipeline> {
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    const module = this.device.createShaderModule({ code: code(), label: key });
    const info = module.getCompilationInfo ? await module.getCompilationInfo() : { messages: [] };
    const errors = info.messages.filter((m) => m.type === "error");
    if (errors.length) {
      throw new GpuError(
        `WGSL shader '${key}' did not compile: ${errors.map((m) => `${m.lineNum ?? "?"}: ${m.message}`).join("; ")}`,
        "report this as a bug; meanwhile create the backend with gemm: 'gpujs'",
      );
    }
    const descriptor = { layout: "auto", compute: { module, entryPoint: "main" }, label: key } as const;
    const p = this.device.createComputePipelineAsync
      ? await this.device.createComputePipelineAsync(descriptor)
      : this.device.createComputePipeline(descriptor);
    this.pipelines.set(key, p);
    return p;
  }

  /** The tile for an `m × n` product (batch `batch`). */
  pickTile(batch: number, m: number, n: number): GemmTile {
    if (this.tile !== "auto") return this.tile;
    const blocks = batch * Math.ceil(m / LARGE_TILE.bm) * Math.ceil(n / LARGE_TILE.bn);
    return blocks >= 64 ? LARGE_TILE : SMALL_TILE;
  }

  /** Encodes and submits `C = A·B` for every batch entry. */
  async gemm(call: GemmCall): Promise<void> {
    const t = this.pickTile(call.batch, call.m, call.n);
    const vec4 = call.k % 4 === 0 && call.n % 4 === 0 && call.aOffset % 4 === 0 && call.bOffset % 4 === 0;
    const key = `gemm-${t.bm}x${t.bn}x${t.bk}-${t.tm}x${t.tn}-${vec4 ? "vec4" : "scalar"}`;
    const pipe = await this.pipeline(key, () => gemmWgsl(t, vec4));
    const maxZ = this.device.limits.maxComputeWorkgroupsPerDimension;
    const gx = Math.ceil(call.n / t.bn);
    const gy = Math.ceil(call.m / t.bm);
    if (gx > maxZ || gy > maxZ) {
      throw new GpuError(
        `a ${call.m}×${call.n} product needs ${gx}×${gy} workgroups, more than this device dispatches (${maxZ})`,
        "split the product, or use the cpu backend",
      );
    }
    const encoder = this.device.createCommandEncoder();
    const uniforms: WebGpuBuffer[] = [];
    for (let b0 = 0; b0 < call.batch; b0 += maxZ) {
      const nb = Math.min(maxZ, call.batch - b0);
      const params = new Uint32Array(GEMM_PARAMS_BYTES / 4);
      params.set([call.m, call.n, call.k, b0, call.aOffset, call.bOffset, 0, call.aBatchStride, call.bBatchStride, call.m * call.n]);
      const u = this.uniform(params);
      uniforms.push(u);
      const group = this.device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [u, call.a, call.b, call.c].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(gx, gy, nb);
      pass.end();
    }
    this.device.queue.submit([encoder.finish()]);
    for (const u of uniforms) u.destroy();
  }

  /** Encodes and submits a C-order copy of a strided view of `src` into `dst`. */
  async copy(src: WebGpuBuffer, view: ViewLayout, dst: WebGpuBuffer): Promise<void> {
    const n = view.shape.reduce((p, d) => p * d, 1);
    if (n === 0) return;
    // Axes of size 1 do not move the index; dropping them keeps most views within the axis limit.
    const axes = view.shape.map((_, k) => k).filter((k) => view.shape[k] !== 1);
    if (axes.length > COPY_MAX_NDIM) {
      throw new GpuError(
        `the strided copy handles at most ${COPY_MAX_NDIM} axes of size > 1, this view has ${axes.length}`,
        "reshape to fewer axes, or use the cpu backend",
      );
    }
    const pipe = await this.pipeline("copy", copyWgsl);
    const maxX = this.device.limits.maxComputeWorkgroupsPerDimension;
    const groups = Math.ceil(n / COPY_WORKGROUP);
    const gx = Math.min(groups, maxX);
    const gy = Math.ceil(groups / gx);
    const params = new Uint32Array(COPY_PARAMS_BYTES / 4);
    params.set([n, axes.length, view.offset, gx * COPY_WORKGROUP]);
    axes.forEach((k, i) => {
      params[4 + i] = view.shape[k]!;
      params[4 + COPY_MAX_NDIM + i] = view.strides[k]!;
    });
    const u = this.uniform(params);
    const group = this.device.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: [u, src, dst].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(gx, gy, 1);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    u.destroy();
  }

  /** Reads `count` floats starting at element `offset` of `src`. */
  async read(src: WebGpuBuffer, offset: number, count: number): Promise<Float32Array> {
    if (count === 0) return new Float32Array(0);
    const bytes = Math.ceil((count * 4) / 4) * 4;
    const staging = this.device.createBuffer({ size: paddedBytes(count), usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(src, offset * 4, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(MAP_MODE_READ, 0, bytes);
      return new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    } finally {
      try {
        staging.unmap();
      } finally {
        staging.destroy();
      }
    }
  }

  private uniform(data: Uint32Array): WebGpuBuffer {
    const u = this.device.createBuffer({ size: data.byteLength, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
    this.device.queue.writeBuffer(u, 0, data);
    return u;
  }
}
