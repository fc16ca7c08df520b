/**
 * The machinery under the GPU backend: the gpu.js instance and its kernel cache, device buffers,
 * and — in `webgpu` mode — the lane, a promise chain that runs device work in call order inside
 * error scopes. Kernel calls in the synchronous modes (`cpu`, `webasm`, `webgl2`, `headlessgl`) run
 * at once; in `webgpu` mode the first call of a kernel compiles it asynchronously, so every
 * operation is queued on the lane and the backend's handles are ready before any later operation
 * (queued after them) reads them.
 * @module
 */
import { BackendLimitError, GpuError, InvalidArgumentError, MultilinearError } from "../../../errors.js";
import { MAX_KERNEL_INDEX, type KernelSource, type ViewLayout } from "./codegen.js";
import { firstLine } from "./load.js";
import { DeviceBuffer } from "./tensor.js";
import type {
  GpuJsBufferResult,
  GpuJsInstance,
  GpuJsKernel,
  GpuJsLib,
  GpuJsStorage,
  GpuJsTexture,
  GpuMode,
  WebGpuBuffer,
  WebGpuContext,
} from "./types.js";
import type { GemmCall, WgslKernels } from "./webgpu/wgsl.js";

/** Counts of what the runtime holds, for tests and diagnostics. @category GPU */
export interface GpuMemoryStats {
  /** Device buffers alive (not freed). */
  readonly buffers: number;
  /** Their size in bytes (float32). */
  readonly bytes: number;
  /** Resident buffers among them. */
  readonly resident: number;
  /** gpu.js kernels compiled so far (one per shape signature). */
  readonly kernels: number;
  /** The modes gpu.js really runs those kernels in (gpu.js can degrade a kernel to `cpu`). */
  readonly kernelModes: readonly string[];
}

/** The device-side machinery of one {@link GpuBackend}. */
export class GpuRuntime {
  /** True in `webgpu` mode: work is queued on the lane and read back asynchronously. */
  readonly async: boolean;
  private readonly kernels = new Map<string, GpuJsKernel>();
  private readonly live = new Set<DeviceBuffer>();
  /** Buffers allocated so far (the next buffer's id is one more). */
  private allocated = 0;
  private lane: Promise<void> = Promise.resolve();
  private failure: MultilinearError | undefined;
  /** Index in `scopeErrors` of the task that threw `failure` (an earlier scope error is the root cause). */
  private failureAt = -1;
  private scopeErrors: Promise<MultilinearError | null>[] = [];
  private disposed = false;

  constructor(
    private readonly lib: GpuJsLib,
    private readonly gpu: GpuJsInstance,
    readonly mode: GpuMode,
    private readonly context: WebGpuContext | undefined,
    /** The WGSL shaders on gpu.js's device (`webgpu` mode only). */
    readonly wgsl: WgslKernels | undefined,
  ) {
    this.async = mode === "webgpu";
  }

  /** What is allocated and compiled right now. */
  stats(): GpuMemoryStats {
    let bytes = 0;
    let resident = 0;
    for (const b of this.live) {
      bytes += b.length * 4;
      if (b.resident) resident++;
    }
    const modes = new Set<string>();
    for (const k of this.kernels.values()) modes.add(this.kernelMode(k));
    return { buffers: this.live.size, bytes, resident, kernels: this.kernels.size, kernelModes: [...modes].sort() };
  }

  /** Throws when `b` was freed (a handle used after its last release). */
  checkLive(b: DeviceBuffer): void {
    if (b.freed) {
      throw new InvalidArgumentError(
        `device buffer #${b.id} was already freed`,
        "do not use a tensor after releasing or freeing it (keep weights resident)",
      );
    }
    if (this.disposed) throw new InvalidArgumentError("the GPU backend was disposed", "create a new backend");
  }

  /** Runs `fn` now (synchronous modes) or queues it on the lane inside error scopes (`webgpu`). */
  schedule(what: string, fn: () => void | Promise<void>): void {
    if (!this.async) {
      try {
        const r = fn();
        if (r !== undefined) throw new Error(`internal: a synchronous task returned a promise (${what})`);
      } catch (e) {
        throw toGpuError(e, what);
      }
      return;
    }
    const device = this.context!.device;
    this.lane = this.lane
      .then(async () => {
        if (this.failure) return;
        device.pushErrorScope("validation");
        device.pushErrorScope("out-of-memory");
        device.pushErrorScope("internal");
        let err: unknown;
        try {
          await fn();
        } catch (e) {
          err = e;
        }
        const scopes = [device.popErrorScope(), device.popErrorScope(), device.popErrorScope()];
        this.scopeErrors.push(
          Promise.all(scopes).then(
            (es) => {
              const e = es.find((x) => x !== null);
              return e
                ? new GpuError(
                    `the GPU reported an error in ${what}: ${e.message}`,
                    "check the sizes against the device limits; create a new backend after a GPU error",
                    e.message,
                  )
                : null;
            },
            (e: unknown) => toGpuError(e, what),
          ),
        );
        if (err !== undefined) {
          this.failure = toGpuError(err, what);
          this.failureAt = this.scopeErrors.length - 1;
        }
      })
      .catch((e: unknown) => {
        this.failure ??= toGpuError(e, what);
      });
  }

  /** Waits until all queued work has run on the device and throws the first GPU error it caused. */
  async sync(): Promise<void> {
    if (!this.async) return;
    await this.lane;
    await this.context!.device.queue.onSubmittedWorkDone();
    const errors = await Promise.all(this.scopeErrors);
    this.scopeErrors = [];
    // The earliest error is the cause; later ones (a failed readback of an invalid buffer) follow from it.
    const root = errors.findIndex((e) => e !== null);
    const first = root >= 0 && (this.failureAt < 0 || root <= this.failureAt) ? errors[root]! : this.failure;
    this.failureAt = -1;
    if (first) {
      this.failure = first;
      throw first;
    }
  }

  /** A new buffer of `length` floats (no storage yet). */
  allocate(length: number): DeviceBuffer {
    const b = new DeviceBuffer(length, ++this.allocated);
    this.live.add(b);
    return b;
  }

  /** Frees `b` (after the queued work that reads it, in `webgpu` mode). Idempotent. */
  free(b: DeviceBuffer): void {
    if (b.freed) return;
    b.freed = true;
    this.live.delete(b);
    const release = (): void => {
      const s = b.storage;
      b.storage = undefined;
      try {
        if (s !== undefined && !(s instanceof Float32Array)) (s as GpuJsTexture | GpuJsBufferResult).delete();
      } catch {
        // Already gone with its context (a lost device or a destroyed gpu.js instance).
      }
    };
    if (this.async && !this.disposed) {
      this.lane = this.lane.then(release, release);
    } else {
      release();
    }
  }

  /** Copies host data into a new device buffer. */
  upload(data: Float32Array): DeviceBuffer {
    const out = this.allocate(data.length);
    if (data.length === 0) {
      out.storage = new Float32Array(0);
      return out;
    }
    switch (this.mode) {
      case "cpu":
      case "webasm":
        out.storage = data;
        break;
      case "webgl2":
      case "headlessgl": {
        const k = this.kernel({ source: "function (x) {\nreturn x[this.thread.x];\n}", outputLength: data.length });
        this.schedule("upload", () => {
          out.storage = k(data) as GpuJsStorage;
        });
        break;
      }
      case "webgpu":
        this.schedule("upload", () => {
          const buf = this.wgsl!.createStorage(data.length);
          this.context!.device.queue.writeBuffer(buf, 0, data);
          out.storage = this.wrap(buf, data.length);
        });
        break;
    }
    return out;
  }

  /**
   * Runs a generated gpu.js kernel on flat input buffers; returns its output buffer.
   * @throws {@link BackendLimitError} when an index would exceed {@link MAX_KERNEL_INDEX}.
   */
  run(src: KernelSource, inputs: readonly DeviceBuffer[]): DeviceBuffer {
    for (const b of inputs) this.checkLive(b);
    const biggest = Math.max(src.outputLength, ...inputs.map((b) => b.length));
    if (biggest >= MAX_KERNEL_INDEX) {
      throw new BackendLimitError(
        `a gpu.js kernel would index ${biggest} elements; gpu.js computes indices in float32, exact only below ${MAX_KERNEL_INDEX}`,
        "keep tensors below 2^24 elements on this backend (webgpu mode runs large matrix products in WGSL), or use the cpu backend",
      );
    }
    const out = this.allocate(src.outputLength);
    if (src.outputLength === 0) {
      out.storage = new Float32Array(0);
      return out;
    }
    const k = this.kernel(src);
    this.schedule("a gpu.js kernel", () => {
      const args = inputs.map((b) => b.storage!);
      const r = k(...args);
      if (isPromise(r)) {
        return r.then((v) => {
          out.storage = v as GpuJsStorage;
        });
      }
      out.storage = r as GpuJsStorage;
      return undefined;
    });
    return out;
  }

  /** `webgpu` mode: a C-order copy of a view made by the WGSL copy shader (exact u32 indices). */
  copyView(src: DeviceBuffer, view: ViewLayout): DeviceBuffer {
    this.checkLive(src);
    return this.wgslResult(
      view.shape.reduce((p, d) => p * d, 1),
      "the WGSL strided copy",
      (dst) => this.wgsl!.copy(this.gpuBuffer(src), view, dst),
    );
  }

  /** `webgpu` mode: `[B,M,K]·[B,K,N]` by the tiled WGSL GEMM on row-major operands. */
  gemm(a: DeviceBuffer, b: DeviceBuffer, call: Omit<GemmCall, "a" | "b" | "c">): DeviceBuffer {
    this.checkLive(a);
    this.checkLive(b);
    return this.wgslResult(call.batch * call.m * call.n, "the WGSL GEMM", (c) =>
      this.wgsl!.gemm({ ...call, a: this.gpuBuffer(a), b: this.gpuBuffer(b), c }),
    );
  }

  /**
   * `webgpu` mode: a buffer of `n` floats that the scheduled `fill` writes on the device (a new WGSL
   * storage buffer, created in the lane so that it follows earlier work); empty at once when `n` is 0.
   */
  private wgslResult(n: number, what: string, fill: (dst: WebGpuBuffer) => Promise<void>): DeviceBuffer {
    const out = this.allocate(n);
    if (n === 0) {
      out.storage = new Float32Array(0);
      return out;
    }
    this.schedule(what, async () => {
      const dst = this.wgsl!.createStorage(n);
      out.storage = this.wrap(dst, n);
      await fill(dst);
    });
    return out;
  }

  /** Synchronous modes: `count` floats of `b` from element `offset`. */
  readSync(b: DeviceBuffer, offset: number, count: number): Float32Array {
    this.checkLive(b);
    if (this.async) {
      throw new BackendLimitError(
        "webgpu mode reads results back asynchronously",
        "use `await backend.downloadAsync(x)`, executePlanAsync or einsumAsync (or a synchronous mode: cpu, webgl2, headlessgl)",
      );
    }
    const s = b.storage;
    if (s === undefined) throw new GpuError(`device buffer #${b.id} has no data`, "report this as a bug");
    const all = s instanceof Float32Array ? s : toFloat32((s as GpuJsTexture).toArray());
    return all.slice(offset, offset + count);
  }

  /** `count` floats of `b` from element `offset`, after all queued work. */
  async readAsync(b: DeviceBuffer, offset: number, count: number): Promise<Float32Array> {
    if (!this.async) return this.readSync(b, offset, count);
    this.checkLive(b);
    let result: Float32Array | undefined;
    this.schedule("a readback", async () => {
      const s = b.storage;
      if (s === undefined) throw new GpuError(`device buffer #${b.id} has no data`, "report this as a bug");
      result = s instanceof Float32Array ? s.slice(offset, offset + count) : await this.wgsl!.read(this.gpuBuffer(b), offset, count);
    });
    await this.sync();
    return result!;
  }

  /**
   * Destroys every kernel and buffer. The runtime cannot be used afterwards. `releaseDevice` also
   * destroys the `GPUDevice` gpu.js shares between all its instances (a program's last backend: in
   * Node, a live Dawn device can keep the process from exiting).
   */
  async dispose(releaseDevice = false): Promise<void> {
    if (this.disposed) {
      if (releaseDevice && this.async) await this.lib.WebGPUContext?.destroy();
      return;
    }
    try {
      await this.lane;
    } finally {
      this.disposed = true;
      for (const b of [...this.live]) this.free(b);
      for (const k of this.kernels.values()) {
        try {
          k.destroy?.();
        } catch {
          // A kernel that never built has nothing to destroy.
        }
      }
      this.kernels.clear();
      try {
        this.gpu.destroy();
      } catch {
        // gpu.js may fail to tear down a context that was never created.
      }
      if (releaseDevice && this.async) await this.lib.WebGPUContext?.destroy();
    }
  }

  /** The mode a compiled kernel really runs in (gpu.js's GL kernels all call themselves "gpu"). */
  private kernelMode(k: GpuJsKernel): string {
    const inner = k.kernel as object | undefined;
    if (!inner) return "unbuilt";
    const { WebGL2Kernel, WebGLKernel, HeadlessGLKernel } = this.lib;
    if (HeadlessGLKernel && inner instanceof HeadlessGLKernel) return "headlessgl";
    if (WebGL2Kernel && inner instanceof WebGL2Kernel) return "webgl2";
    if (WebGLKernel && inner instanceof WebGLKernel) return "webgl";
    return (inner.constructor as { mode?: string }).mode ?? "unknown";
  }

  /** The compiled kernel for `src` (compiled once per source and output length). */
  private kernel(src: KernelSource): GpuJsKernel {
    const key = `${src.outputLength}|${src.source}`;
    let k = this.kernels.get(key);
    if (!k) {
      try {
        k = this.gpu.createKernel(src.source, {
          output: [src.outputLength],
          pipeline: true,
          immutable: true,
          precision: "single",
          tactic: "precision",
        });
      } catch (e) {
        throw toGpuError(e, "creating a gpu.js kernel");
      }
      this.kernels.set(key, k);
    }
    return k;
  }

  private gpuBuffer(b: DeviceBuffer): WebGpuBuffer {
    const s = b.storage;
    if (s === undefined || s instanceof Float32Array || !("buffer" in s))
      throw new GpuError(`device buffer #${b.id} is not a WebGPU buffer`, "report this as a bug");
    return (s as GpuJsBufferResult).buffer;
  }

  /** Wraps a raw buffer as gpu.js's pipeline handle, so gpu.js kernels accept it as an argument. */
  private wrap(buffer: WebGpuBuffer, length: number): GpuJsBufferResult {
    const Ctor = this.lib.WebGPUBufferResult;
    if (!Ctor) throw new GpuError("this gpu.js build has no WebGPUBufferResult", "use gpu.js 2.24 or later");
    return new Ctor({ buffer, output: [length], componentCount: 1, context: this.context!, kernel: null });
  }
}

function isPromise(x: unknown): x is Promise<unknown> {
  return typeof (x as { then?: unknown } | null)?.then === "function";
}

function toFloat32(a: Float32Array | number[] | ArrayLike<number>): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a as ArrayLike<number>);
}

/** Wraps anything thrown by gpu.js or WebGPU as a {@link GpuError} (the library's typed errors pass through). */
export function toGpuError(e: unknown, what: string): MultilinearError {
  if (e instanceof MultilinearError) return e;
  return new GpuError(`${what} failed: ${firstLine(e)}`, "check the sizes against the device limits, or use the cpu backend", firstLine(e));
}
