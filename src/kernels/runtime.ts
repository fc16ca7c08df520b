/**
 * Loads the WebAssembly SIMD kernels, owns their memory and the worker pool, and runs jobs.
 * Nothing here imports a Node built-in statically, so it loads in browsers too.
 * @module
 */
import { ARENA_BASE, CTRL, Slot } from "./layout.js";
import { availableCores, canBlock, sharedMemoryAvailable, startWorkers, type WorkerSet } from "./pool.js";
import { PLAIN_FMA_WASM_BASE64, PLAIN_WASM_BASE64, SHARED_FMA_WASM_BASE64, SHARED_WASM_BASE64 } from "./generated/wasm-bytes.js";

/** Functions the kernel module exports (pointers are byte addresses in its memory). */
export interface KernelExports {
  runJob(id: number): void;
  workerLoop(id: number, seen: number): void;
  copyStrided(shift: number, pAxis: number): void;
  sumStrided(shift: number): void;
  demoteF64(src: number, dst: number, n: number): void;
  kernelPeak(shift: number, reps: number, kc: number, pa: number, pb: number, pc: number): void;
  gemvT64(a: number, lda: number, rows: number, cols: number, x: number, incx: number, y: number): void;
  gemvN64(a: number, lda: number, rows: number, cols: number, x: number, y: number): void;
  gemvT32(a: number, lda: number, rows: number, cols: number, x: number, incx: number, y: number): void;
  gemvN32(a: number, lda: number, rows: number, cols: number, x: number, y: number): void;
  secularSums(delta: number, z2: number, inv: number, K: number, i: number, tau: number, out: number): void;
  secularMid(d: number, lower: number, upper: number, z2: number, K: number, i: number, mid: number, dn: number, out: number): void;
  lownerUpdate(acc: number, lower: number, upper: number, inv: number, K: number, i: number): void;
}

const PAGE = 65536;
const MAX_PAGES = 65536;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Which build of the kernels runs: plain SIMD128, or relaxed SIMD with fused multiply-add. @category Backends */
export type KernelVariant = "simd128" | "relaxed-simd";

const BASE64: Record<KernelVariant, Record<"shared" | "plain", string>> = {
  simd128: { shared: SHARED_WASM_BASE64, plain: PLAIN_WASM_BASE64 },
  "relaxed-simd": { shared: SHARED_FMA_WASM_BASE64, plain: PLAIN_FMA_WASM_BASE64 },
};
// Process-wide memo caches, deliberately module-level: they hold values that never change once
// computed (the decoded kernel bytes, whether this engine validates them), so sharing them between
// backends cannot make one backend's result depend on another's use. No per-call state lives here.
const decoded = new Map<string, Uint8Array<ArrayBuffer>>();
let supported: KernelVariant | null | undefined;

function bytesOf(variant: KernelVariant, shared: boolean): Uint8Array<ArrayBuffer> {
  const key = `${variant}:${shared}`;
  let b = decoded.get(key);
  if (!b) {
    b = decodeBase64(BASE64[variant][shared ? "shared" : "plain"]);
    decoded.set(key, b);
  }
  return b;
}

/**
 * The best kernel build this engine validates: relaxed SIMD (fused multiply-add; Node ≥ 22, current
 * browsers), else plain SIMD128, else null. Checked once.
 * @category Backends
 */
export function bestKernelVariant(): KernelVariant | null {
  if (supported === undefined) {
    supported = null;
    for (const v of ["relaxed-simd", "simd128"] as const) {
      try {
        if (typeof WebAssembly === "object" && WebAssembly.validate(bytesOf(v, false))) {
          supported = v;
          break;
        }
      } catch {
        // not this one
      }
    }
  }
  return supported;
}

/**
 * True when this JavaScript engine runs the WebAssembly kernels: WebAssembly with SIMD128 (and the
 * atomics the job counter uses). Checked once by validating the kernel module itself.
 * @example
 * ```ts
 * import { wasmKernelsSupported } from "multilinear";
 * wasmKernelsSupported(); // => true
 * ```
 * @category Backends
 */
export function wasmKernelsSupported(): boolean {
  return bestKernelVariant() !== null;
}

/** Options of {@link KernelRuntime.create}. */
export interface RuntimeOptions {
  /** Threads a job may use, the calling thread included; `undefined` means all cores. 1 starts no workers. */
  readonly threads?: number;
  /** Force a kernel build (default: {@link bestKernelVariant}). */
  readonly variant?: KernelVariant;
}

// Compiled kernel modules by build: immutable (each runtime instantiates its own memory and
// instance from them), memoised process-wide so a new backend does not compile again.
const modules = new Map<string, WebAssembly.Module>();

/**
 * One instance of the kernel module with its memory and (when more than one thread is asked for and
 * shared memory is available) a worker pool. Calls are synchronous; the pool starts in the
 * background and jobs run on the calling thread alone until {@link KernelRuntime.ready} resolves.
 * The memory grows to the largest job seen and is kept for reuse.
 */
export class KernelRuntime {
  /** The module's exports. */
  readonly exports: KernelExports;
  /** Its memory (shared when a pool can be used). */
  readonly memory: WebAssembly.Memory;
  /** Resolves when the worker pool is running (or failed to start: then jobs stay single-threaded). */
  readonly ready: Promise<void>;
  /** The kernel build in use. */
  readonly variant: KernelVariant;
  private workers: WorkerSet | undefined;
  private disposed = false;
  private readonly blocking = canBlock();

  private constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    threads: number | undefined,
    shared: boolean,
    variant: KernelVariant,
  ) {
    this.memory = memory;
    this.variant = variant;
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.exports = instance.exports as unknown as KernelExports;
    this.ready = shared && threads !== 1 ? this.startPool(module, threads) : Promise.resolve();
  }

  private async startPool(module: WebAssembly.Module, threads: number | undefined): Promise<void> {
    try {
      const n = threads ?? (await availableCores());
      if (n <= 1 || this.disposed) return;
      const gen = Atomics.load(this.i32(), CTRL / 4 + Slot.gen);
      const w = await startWorkers(module, this.memory, n - 1, gen);
      if (this.disposed) w.terminate();
      else this.workers = w;
    } catch {
      // No workers (e.g. a browser page without cross-origin isolation): jobs run on one thread.
    }
  }

  /**
   * Compiles and instantiates the kernels synchronously. Returns undefined when WebAssembly SIMD is
   * not available, memory cannot be reserved, or this engine refuses synchronous compilation (a
   * browser's main thread may: use {@link KernelRuntime.load} there). The kernels start cold on the
   * engine's baseline compiler: `warmUpKernels` (warm-up.ts) tiers them up before real work.
   */
  static create(options: RuntimeOptions = {}): KernelRuntime | undefined {
    const setup = runtimeSetup(options);
    if (!setup) return undefined;
    const { variant, shared, key } = setup;
    let module = modules.get(key);
    if (!module) {
      try {
        module = new WebAssembly.Module(bytesOf(variant, shared));
      } catch {
        return undefined;
      }
      modules.set(key, module);
    }
    return new KernelRuntime(module, setup.memory, options.threads, setup.shared, setup.variant);
  }

  /** Like {@link KernelRuntime.create} but compiles asynchronously; resolves once the pool is up. */
  static async load(options: RuntimeOptions = {}): Promise<KernelRuntime | undefined> {
    const setup = runtimeSetup(options);
    if (!setup) return undefined;
    const { variant, shared, key } = setup;
    let module = modules.get(key);
    if (!module) {
      module = await WebAssembly.compile(bytesOf(variant, shared));
      modules.set(key, module);
    }
    const rt = new KernelRuntime(module, setup.memory, options.threads, setup.shared, setup.variant);
    await rt.ready;
    return rt;
  }

  /** Threads a job can use now, the calling thread included (1 until the pool is running). */
  get activeThreads(): number {
    return this.workers ? this.workers.size + 1 : 1;
  }

  private pinnedBytes = 0;

  /** First byte of the arena a job may lay out its operands and packing buffers in (above any pinned block). */
  get dataBase(): number {
    return ARENA_BASE + this.pinnedBytes;
  }

  /**
   * Pins `bytes` at the bottom of the arena, below every job's operands, and returns its address;
   * undefined while another block is pinned or when the memory cannot grow. {@link KernelRuntime.unpin}
   * gives it back.
   */
  pin(bytes: number): number | undefined {
    if (this.pinnedBytes > 0) return undefined;
    const size = Math.ceil(bytes / 64) * 64 + 64;
    if (!this.reserve(ARENA_BASE + size)) return undefined;
    this.pinnedBytes = size;
    return ARENA_BASE;
  }

  /** Releases the pinned block: jobs may overwrite it again. */
  unpin(): void {
    this.pinnedBytes = 0;
  }

  /** Grows the memory so that `[0, end)` is addressable; false when that exceeds 4 GiB. */
  reserve(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    const pages = Math.ceil((end - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return false;
    try {
      this.memory.grow(pages);
      return true;
    } catch {
      return false;
    }
  }

  /** A fresh Int32Array over the whole memory (views go stale when it grows). */
  i32(): Int32Array {
    return new Int32Array(this.memory.buffer);
  }

  /**
   * Runs the job already written into the control block (kind, task count and parameters) on up to
   * `threads` threads and returns when every task is done.
   */
  runJob(threads: number): void {
    const ctl = this.i32();
    const base = CTRL / 4;
    const workers = this.workers;
    const nTasks = ctl[base + Slot.nTasks]!;
    const useThreads = workers ? Math.min(threads, workers.size + 1, nTasks) : 1;
    Atomics.store(ctl, base + Slot.next, 0);
    if (useThreads <= 1 || !workers) {
      this.exports.runJob(0);
      return;
    }
    Atomics.store(ctl, base + Slot.nThreads, useThreads);
    Atomics.store(ctl, base + Slot.done, 0);
    Atomics.add(ctl, base + Slot.gen, 1);
    Atomics.notify(ctl, base + Slot.gen);
    this.exports.runJob(0);
    // Every worker wakes on a new generation and reports, whether or not it had tasks.
    for (;;) {
      const d = Atomics.load(ctl, base + Slot.done);
      if (d >= workers.size) break;
      if (this.blocking) Atomics.wait(ctl, base + Slot.done, d, 1000);
    }
  }

  /** Stops the workers (the runtime keeps working on the calling thread). */
  dispose(): void {
    this.disposed = true;
    const w = this.workers;
    this.workers = undefined;
    if (!w) return;
    const ctl = this.i32();
    Atomics.store(ctl, CTRL / 4 + Slot.stop, 1);
    Atomics.add(ctl, CTRL / 4 + Slot.gen, 1);
    Atomics.notify(ctl, CTRL / 4 + Slot.gen);
    w.terminate();
  }
}

function makeMemory(shared: boolean): WebAssembly.Memory | undefined {
  const initial = 32;
  for (const maximum of [MAX_PAGES, 16384]) {
    try {
      return new WebAssembly.Memory({ initial, maximum, shared });
    } catch {
      // Some engines refuse to reserve 4 GiB of address space; try 1 GiB.
    }
  }
  return undefined;
}

interface RuntimeSetup {
  readonly variant: KernelVariant;
  readonly shared: boolean;
  readonly memory: WebAssembly.Memory;
  /** Module cache key. */
  readonly key: string;
}

/** The kernel variant, memory and module key for these options; undefined where kernels cannot run. */
function runtimeSetup(options: RuntimeOptions): RuntimeSetup | undefined {
  const variant = options.variant ?? bestKernelVariant();
  if (variant === null) return undefined;
  const shared = options.threads !== 1 && sharedMemoryAvailable();
  const memory = makeMemory(shared);
  if (!memory) return undefined;
  return { variant, shared, memory, key: `${variant}:${shared}` };
}
