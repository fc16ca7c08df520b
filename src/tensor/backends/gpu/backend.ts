/**
 * The GPU backend: gpu.js kernels for copies, sums, element-wise and row-wise operations, and in
 * `webgpu` mode a tiled WGSL GEMM and an exact strided copy on the same `GPUDevice`. Tensors stay on
 * the device between operations; only {@link GpuBackend.download} / {@link GpuBackend.downloadAsync}
 * read back. Create one with {@link createGpuBackend}.
 * @module
 */
import { BackendLimitError, InvalidShapeError } from "../../../errors.js";
import { DenseTensor, viewStrides } from "../../dense.js";
import { contiguousStrides, normalizeAxis, normalizePermutation, validateShape } from "../../shape.js";
import type { Backend, BackendLimits } from "../backend.js";
import { checkVector, lastDim, type LayerOps, type NormOptions } from "../layer-ops.js";
import * as gen from "./codegen.js";
import type { GpuAdapterReport, GpuModeReport } from "./modes.js";
import type { GpuMemoryStats, GpuRuntime } from "./runtime.js";
import { type DeviceBuffer, GpuTensor } from "./tensor.js";
import type { GpuMode } from "./types.js";

/** What was chosen and why, as `multilinear gpu info` prints it. @category GPU */
export interface GpuBackendInfo {
  /** Every mode with whether it can run here and why (not). */
  readonly modes: readonly GpuModeReport[];
  /** The mode in use. */
  readonly selected: GpuMode;
  /** Why it was chosen (and why earlier modes were passed over). */
  readonly reason: string;
  /** The WebGPU adapter in `webgpu` mode, else null. */
  readonly adapter: GpuAdapterReport | null;
  /**
   * Which implementation runs batched matrix products: `"wgsl"` (the tiled WGSL GEMM for products
   * with both matrix sides ≥ 8, gpu.js for thinner ones), `"wgsl-always"`, or `"gpujs"`.
   */
  readonly gemm: "wgsl" | "wgsl-always" | "gpujs";
  /** True when nothing runs on GPU hardware: `cpu`/`webasm` modes, or a software WebGPU adapter. */
  readonly software: boolean;
}

/** @internal Everything {@link GpuBackend} is built from (see {@link createGpuBackend}). */
export interface GpuBackendParts {
  readonly runtime: GpuRuntime;
  readonly info: GpuBackendInfo;
  readonly downcast: boolean;
  readonly maxElements: number;
}

/**
 * A {@link Backend} on gpu.js (float32 only). Every operation returns a new handle the caller owns;
 * {@link GpuBackend.release} drops it. Weights uploaded with {@link GpuBackend.resident} stay on the
 * device until {@link GpuBackend.free}.
 * @category GPU
 */
export class GpuBackend implements Backend<GpuTensor>, LayerOps<GpuTensor> {
  readonly name = "gpujs";
  readonly limits: BackendLimits;
  /** The gpu.js mode in use. */
  readonly mode: GpuMode;
  /** The selection report. */
  readonly info: GpuBackendInfo;
  /** Whether float64 input is converted to float32 (else it is refused). */
  readonly downcast: boolean;
  private readonly rt: GpuRuntime;

  /** @internal Use {@link createGpuBackend}. */
  constructor(parts: GpuBackendParts) {
    this.rt = parts.runtime;
    this.info = parts.info;
    this.mode = parts.info.selected;
    this.downcast = parts.downcast;
    this.limits = { maxLoop: gen.MAX_KERNEL_INDEX - 1, maxElements: parts.maxElements };
  }

  /** True when results must be read with {@link GpuBackend.downloadAsync} (`webgpu` mode). */
  get asyncOnly(): boolean {
    return this.rt.async;
  }

  /** Buffers and kernels held right now. */
  memory(): GpuMemoryStats {
    return this.rt.stats();
  }

  /**
   * Copies a host tensor to the device.
   * @throws {@link BackendLimitError} for float64 input unless the backend was created with `downcast: true`.
   */
  upload(x: DenseTensor): GpuTensor {
    if (x.dtype === "float64" && !this.downcast) {
      throw new BackendLimitError(
        "the GPU backend computes in float32 and got a float64 tensor",
        "convert it with x.astype('float32'), create the backend with { downcast: true }, or use the cpu backend for float64",
      );
    }
    const data = x.dtype === "float32" ? (x.toTypedArray() as Float32Array) : Float32Array.from(x.toTypedArray());
    return this.wrap(this.rt.upload(data), x.shape);
  }

  /** Uploads weights that stay on the device across calls (releasing handles does not free them). */
  resident(x: DenseTensor): GpuTensor {
    const t = this.upload(x);
    t.buffer.resident = true;
    return t;
  }

  /** Reads a tensor back (synchronous modes; `webgpu` mode throws, use {@link GpuBackend.downloadAsync}). */
  download(x: GpuTensor): DenseTensor<"float32"> {
    return this.readBack(x, (b, o, n) => this.rt.readSync(b, o, n));
  }

  /** Reads a tensor back after all queued work; throws the first GPU error that work caused. */
  async downloadAsync(x: GpuTensor): Promise<DenseTensor<"float32">> {
    const parts: { buffer: DeviceBuffer; offset: number; count: number; strided: boolean; temp: boolean } = this.readPlan(x);
    try {
      const data = await this.rt.readAsync(parts.buffer, parts.offset, parts.count);
      return this.finishRead(x, data, parts.strided);
    } finally {
      if (parts.temp) this.rt.free(parts.buffer);
    }
  }

  /** Waits for queued device work and throws the first GPU error (a no-op in synchronous modes). */
  sync(): Promise<void> {
    return this.rt.sync();
  }

  reshape(x: GpuTensor, shape: readonly number[]): GpuTensor {
    this.rt.checkLive(x.buffer);
    const target = inferShape(shape, x.size, x.shape);
    const strides = viewStrides(x.shape, x.strides, target);
    if (strides) return new GpuTensor(x.buffer, target, strides, x.offset);
    return this.wrap(this.materialize(x), target);
  }

  permute(x: GpuTensor, axes: readonly number[]): GpuTensor {
    this.rt.checkLive(x.buffer);
    const p = normalizePermutation(axes, x.ndim);
    return new GpuTensor(
      x.buffer,
      p.map((a) => x.shape[a]!),
      p.map((a) => x.strides[a]!),
      x.offset,
    );
  }

  diagonal(x: GpuTensor, axisA: number, axisB: number): GpuTensor {
    this.rt.checkLive(x.buffer);
    const a = normalizeAxis(axisA, x.ndim);
    const b = normalizeAxis(axisB, x.ndim);
    if (a === b) throw new InvalidShapeError(`diagonal needs two different axes, got ${axisA} twice`, "pass two distinct axes");
    if (x.shape[a] !== x.shape[b]) {
      throw new InvalidShapeError(
        `diagonal of axes ${a} and ${b} needs equal sizes, got ${x.shape[a]} and ${x.shape[b]}`,
        "take a diagonal of axes with the same size",
      );
    }
    const keep = x.shape.map((_, i) => i).filter((i) => i !== a && i !== b);
    return new GpuTensor(
      x.buffer,
      [...keep.map((i) => x.shape[i]!), x.shape[a]!],
      [...keep.map((i) => x.strides[i]!), x.strides[a]! + x.strides[b]!],
      x.offset,
    );
  }

  sumAxes(x: GpuTensor, axes: readonly number[]): GpuTensor {
    this.rt.checkLive(x.buffer);
    const drop = new Set(axes.map((a) => normalizeAxis(a, x.ndim)));
    const keptShape = x.shape.filter((_, i) => !drop.has(i));
    if (drop.size === 0) return new GpuTensor(x.buffer, x.shape, x.strides, x.offset);
    const reducedEmpty = [...drop].some((k) => x.shape[k] === 0);
    if (reducedEmpty) return this.filled(0, keptShape);
    return this.wrap(this.rt.run(gen.sumKernel(x, [...drop]), [x.buffer]), keptShape);
  }

  batchedMatmul(a: GpuTensor, b: GpuTensor): GpuTensor {
    if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
      throw new InvalidShapeError(
        `batchedMatmul needs [B,M,K]·[B,K,N], got [${a.shape.join(", ")}]·[${b.shape.join(", ")}]`,
        "reshape the operands to three axes with matching batch and inner sizes",
      );
    }
    this.rt.checkLive(a.buffer);
    this.rt.checkLive(b.buffer);
    const [B, M, K] = a.shape as [number, number, number];
    const N = b.shape[2]!;
    if (B * M * N === 0) return this.filled(0, [B, M, N]);
    if (K === 0) return this.filled(0, [B, M, N]);
    // Thin products (vector–matrix, the Hadamard steps of a plan) waste most of a WGSL tile: one thread per output is better.
    if (this.info.gemm === "gpujs" || (this.info.gemm === "wgsl" && Math.min(M, N) < 8)) {
      return this.wrap(this.rt.run(gen.matmulKernel(a, b), [a.buffer, b.buffer]), [B, M, N]);
    }
    const ra = this.rowMajor(a);
    const rb = this.rowMajor(b);
    try {
      const out = this.rt.gemm(ra.buffer, rb.buffer, {
        batch: B,
        m: M,
        n: N,
        k: K,
        aOffset: ra.offset,
        bOffset: rb.offset,
        aBatchStride: ra.batchStride,
        bBatchStride: rb.batchStride,
      });
      return this.wrap(out, [B, M, N]);
    } finally {
      if (ra.temp) this.rt.free(ra.buffer);
      if (rb.temp) this.rt.free(rb.buffer);
    }
  }

  /** Drops this handle; the buffer is freed with its last handle unless it is resident. Idempotent. */
  release(x: GpuTensor): void {
    if (x.released) return;
    x.released = true;
    x.buffer.refs--;
    if (x.buffer.refs <= 0 && !x.buffer.resident) this.rt.free(x.buffer);
  }

  /** Frees the buffer under `x` now, resident or not; every handle on it becomes unusable. */
  free(x: GpuTensor): void {
    x.released = true;
    this.rt.free(x.buffer);
  }

  /**
   * Frees every buffer and kernel. The backend cannot be used afterwards. With `releaseDevice`, in
   * `webgpu` mode, the `GPUDevice` that gpu.js shares between all backends is destroyed too: do it
   * for the program's last backend (in Node a live device can keep the process from exiting).
   */
  dispose(options: { readonly releaseDevice?: boolean } = {}): Promise<void> {
    return this.rt.dispose(options.releaseDevice ?? false);
  }

  // ---- layer operations (last axis) ----

  softmax(x: GpuTensor): GpuTensor {
    return this.rows(x, (buf, rows, d) => {
      const mx = this.rt.run(gen.rowMaxKernel(rows, d), [buf]);
      const s = this.rt.run(gen.rowSumExpKernel(rows, d), [buf, mx]);
      const out = this.rt.run(gen.softmaxKernel(rows, d), [buf, mx, s]);
      this.rt.free(mx);
      this.rt.free(s);
      return out;
    });
  }

  entmax15(x: GpuTensor): GpuTensor {
    return this.threshold(x, "entmax15");
  }

  sparsemax(x: GpuTensor): GpuTensor {
    return this.threshold(x, "sparsemax");
  }

  addBias(x: GpuTensor, bias: GpuTensor): GpuTensor {
    checkVector(bias, lastDim(x), "bias");
    return this.rows(x, (buf, rows, d) => this.withDense(bias, (bb) => this.rt.run(gen.addBiasKernel(rows, d), [buf, bb])));
  }

  gelu(x: GpuTensor): GpuTensor {
    return this.elementwise(x, (buf, n) => this.rt.run(gen.geluKernel(n), [buf]));
  }

  layerNorm(x: GpuTensor, options: NormOptions<GpuTensor> = {}): GpuTensor {
    const d0 = lastDim(x);
    const affine = this.affineArgs(options, d0);
    return this.rows(x, (buf, rows, d) => {
      const mean = this.rt.run(gen.rowMeanKernel(rows, d), [buf]);
      const variance = this.rt.run(gen.rowVarianceKernel(rows, d), [buf, mean]);
      const out = this.withDenseAll(affine, (ab) =>
        this.rt.run(gen.normalizeKernel(rows, d, options.eps ?? 1e-5, ab.length > 0, true), [buf, mean, variance, ...ab]),
      );
      this.rt.free(mean);
      this.rt.free(variance);
      return out;
    });
  }

  batchNormEval(x: GpuTensor, mean: GpuTensor, variance: GpuTensor, options: NormOptions<GpuTensor> = {}): GpuTensor {
    const d0 = lastDim(x);
    checkVector(mean, d0, "mean");
    checkVector(variance, d0, "variance");
    const affine = this.affineArgs(options, d0);
    return this.rows(x, (buf, rows, d) =>
      this.withDenseAll([mean, variance, ...affine], ([mb, vb, ...ab]) =>
        this.rt.run(gen.normalizeKernel(rows, d, options.eps ?? 1e-5, ab.length > 0, false), [buf, mb!, vb!, ...ab]),
      ),
    );
  }

  appendOnes(x: GpuTensor): GpuTensor {
    const d = lastDim(x);
    const shape = [...x.shape.slice(0, -1), d + 1];
    if (d === 0) return this.filled(1, shape);
    const rows = x.size / d;
    if (rows === 0) return this.filled(0, shape);
    return this.withDense(x, (buf) => this.wrap(this.rt.run(gen.appendOnesKernel(rows, d), [buf]), shape));
  }

  multiply(x: GpuTensor, y: GpuTensor): GpuTensor {
    if (x.shape.length !== y.shape.length || x.shape.some((n, i) => n !== y.shape[i])) {
      throw new InvalidShapeError(
        `multiply needs equal shapes, got [${x.shape.join(", ")}] and [${y.shape.join(", ")}]`,
        "broadcast explicitly first",
      );
    }
    return this.elementwise(x, (buf, n) => this.withDense(y, (yb) => this.rt.run(gen.multiplyKernel(n), [buf, yb])));
  }

  // ---- helpers ----

  private wrap(buffer: DeviceBuffer, shape: readonly number[]): GpuTensor {
    return new GpuTensor(buffer, shape, contiguousStrides(shape), 0);
  }

  private filled(value: number, shape: readonly number[]): GpuTensor {
    const n = shape.reduce((p, d) => p * d, 1);
    return this.wrap(this.rt.run(gen.fillKernel(value, n), []), shape);
  }

  /** A new buffer with the view's elements in C order. */
  private materialize(x: GpuTensor): DeviceBuffer {
    return this.rt.wgsl ? this.rt.copyView(x.buffer, x) : this.rt.run(gen.gatherKernel(x), [x.buffer]);
  }

  /** Runs `f` on a dense buffer holding `x` (x's own when it already is dense), freeing any copy after. */
  private withDense<R>(x: GpuTensor, f: (b: DeviceBuffer) => R): R {
    this.rt.checkLive(x.buffer);
    if (x.isDense) return f(x.buffer);
    const b = this.materialize(x);
    try {
      return f(b);
    } finally {
      this.rt.free(b);
    }
  }

  private withDenseAll<R>(xs: readonly GpuTensor[], f: (bs: DeviceBuffer[]) => R): R {
    const go = (i: number, acc: DeviceBuffer[]): R => (i === xs.length ? f(acc) : this.withDense(xs[i]!, (b) => go(i + 1, [...acc, b])));
    return go(0, []);
  }

  private elementwise(x: GpuTensor, f: (buf: DeviceBuffer, n: number) => DeviceBuffer): GpuTensor {
    if (x.size === 0) return this.filled(0, x.shape);
    return this.withDense(x, (buf) => this.wrap(f(buf, x.size), x.shape));
  }

  private rows(x: GpuTensor, f: (buf: DeviceBuffer, rows: number, d: number) => DeviceBuffer): GpuTensor {
    const d = lastDim(x);
    if (x.size === 0) return this.filled(0, x.shape);
    return this.withDense(x, (buf) => this.wrap(f(buf, x.size / d, d), x.shape));
  }

  private threshold(x: GpuTensor, kind: "entmax15" | "sparsemax"): GpuTensor {
    return this.rows(x, (buf, rows, d) => {
      const mx = this.rt.run(gen.rowMaxKernel(rows, d), [buf]);
      const tau = this.rt.run(gen.thresholdKernel(kind, rows, d), [buf, mx]);
      const out = this.rt.run(gen.thresholdApplyKernel(kind, rows, d), [buf, mx, tau]);
      this.rt.free(mx);
      this.rt.free(tau);
      return out;
    });
  }

  private affineArgs(o: NormOptions<GpuTensor>, d: number): GpuTensor[] {
    if ((o.gamma === undefined) !== (o.beta === undefined)) {
      throw new InvalidShapeError("gamma and beta come together", "pass both (an affine normalisation) or neither");
    }
    if (!o.gamma || !o.beta) return [];
    checkVector(o.gamma, d, "gamma");
    checkVector(o.beta, d, "beta");
    return [o.gamma, o.beta];
  }

  /** A row-major `[B, rows, cols]` operand for the WGSL GEMM: the view itself when its last two axes are C-ordered. */
  private rowMajor(x: GpuTensor): { buffer: DeviceBuffer; offset: number; batchStride: number; temp: boolean } {
    const [B, R, C] = x.shape as [number, number, number];
    const [sb, sr, sc] = x.strides as [number, number, number];
    if ((R === 1 || sr === C) && (C === 1 || sc === 1))
      return { buffer: x.buffer, offset: x.offset, batchStride: B === 1 ? 0 : sb, temp: false };
    return { buffer: this.materialize(x), offset: 0, batchStride: R * C, temp: true };
  }

  private readPlan(x: GpuTensor): { buffer: DeviceBuffer; offset: number; count: number; strided: boolean; temp: boolean } {
    this.rt.checkLive(x.buffer);
    if (x.isContiguous) return { buffer: x.buffer, offset: x.offset, count: x.size, strided: false, temp: false };
    // A permutation of the whole buffer: read it all and reorder on the host.
    if (x.size === x.buffer.length && x.size > 0) return { buffer: x.buffer, offset: 0, count: x.size, strided: true, temp: false };
    return { buffer: this.materialize(x), offset: 0, count: x.size, strided: false, temp: true };
  }

  private finishRead(x: GpuTensor, data: Float32Array, strided: boolean): DenseTensor<"float32"> {
    if (!strided) return new DenseTensor<"float32">(data, x.shape);
    return new DenseTensor<"float32">(data, x.shape, x.strides, x.offset).clone();
  }

  private readBack(x: GpuTensor, read: (b: DeviceBuffer, offset: number, count: number) => Float32Array): DenseTensor<"float32"> {
    const p = this.readPlan(x);
    try {
      return this.finishRead(x, read(p.buffer, p.offset, p.count), p.strided);
    } finally {
      if (p.temp) this.rt.free(p.buffer);
    }
  }
}

function inferShape(shape: readonly number[], size: number, from: readonly number[]): number[] {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new InvalidShapeError(`reshape target [${shape.join(", ")}] has more than one -1`, "infer at most one axis");
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  validateShape(out, "reshape target");
  if (out.reduce((p, d) => p * d, 1) !== size || out.some((d) => !Number.isInteger(d))) {
    throw new InvalidShapeError(
      `cannot reshape [${from.join(", ")}] (${size} elements) to [${shape.join(", ")}]`,
      "keep the number of elements the same",
    );
  }
  return out;
}
