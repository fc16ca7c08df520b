/**
 * The CPU backend: permutes and diagonals are views, a permuted operand is packed straight into the
 * GEMM panels, and sums walk memory once. GEMMs, copies and sums run on WebAssembly SIMD kernels
 * (with a worker pool for GEMM) when the engine supports them, else on plain TypeScript.
 * @module
 */
import { InvalidArgumentError, InvalidShapeError, BackendLimitError } from "../../../errors.js";
import { wasmBatchedMatmul } from "../../../kernels/gemm.js";
import { KernelRuntime, type KernelVariant } from "../../../kernels/runtime.js";
import { wasmContiguous, wasmSumAxes } from "../../../kernels/strided.js";
import { warmUpKernels } from "../../../kernels/warm-up.js";
import { DenseTensor, viewStrides } from "../../dense.js";
import { allocate, type DataOf, type DType } from "../../dtype.js";
import { MAX_ELEMENTS, normalizeAxis } from "../../shape.js";
import type { Backend } from "../backend.js";
import { gemm, GemmWorkspace } from "./gemm.js";
import { sumAxes } from "./reduce.js";
import { WorkArrays } from "./work-arrays.js";

/** Below this many multiply-adds per batch entry, one fused loop handles all batches. */
const TINY = 64;
/** Below this many elements a copy or sum stays in TypeScript (the kernel call costs more). */
const SMALL_COPY = 2048;

/** Which implementation runs the CPU kernels. @category Backends */
export type CpuKernels = "auto" | "wasm" | "ts";

/** Options of {@link CpuBackend}. @category Backends */
export interface CpuBackendOptions {
  /**
   * `"auto"` (default): WebAssembly SIMD kernels when this engine runs them, else TypeScript;
   * `"wasm"`: insist on WebAssembly (throws where it is missing); `"ts"`: plain TypeScript only.
   */
  readonly kernels?: CpuKernels;
  /**
   * Threads a GEMM may use, the calling thread included (default: all cores). Results are
   * bit-identical for every thread count. The extra threads start in the background; await
   * {@link CpuBackend.ready} to be sure they are used.
   */
  readonly threads?: number;
}

/**
 * The CPU backend. Each instance owns its GEMM workspaces, kernel memory, worker pool and the work
 * arrays of the factorisations run on it.
 * @example
 * ```ts
 * import { CpuBackend, einsum, tensor } from "multilinear";
 * const backend = new CpuBackend({ kernels: "ts" });
 * backend.kernels; // => "ts"
 * einsum("ij,jk->ik", [tensor([[1, 2]]), tensor([[3], [4]])], { backend }).toArray(); // => [[11]]
 * ```
 * @category Backends
 */
export class CpuBackend implements Backend<DenseTensor> {
  readonly name = "cpu";
  readonly limits = { maxLoop: Number.MAX_SAFE_INTEGER, maxElements: MAX_ELEMENTS };
  /** The implementation in use: `"wasm"` or `"ts"`. */
  readonly kernels: "wasm" | "ts";
  /** Thread count asked for (`undefined`: all cores). */
  readonly threads: number | undefined;
  /**
   * Float64 work arrays the factorisations (SVD, CP-ALS sweeps) run on this backend reuse between calls.
   * @internal
   */
  readonly workArrays = new WorkArrays();
  private readonly ws = new GemmWorkspace();
  private readonly rt: KernelRuntime | undefined;

  /**
   * @throws {@link InvalidArgumentError} for a bad `threads` or `kernels` value.
   * @throws {@link BackendLimitError} when `kernels: "wasm"` is asked for and this engine lacks WebAssembly SIMD.
   */
  constructor(options: CpuBackendOptions = {}) {
    const mode = options.kernels ?? "auto";
    if (mode !== "auto" && mode !== "wasm" && mode !== "ts") {
      throw new InvalidArgumentError(`unknown kernels '${String(mode)}'`, "use 'auto', 'wasm' or 'ts'");
    }
    const t = options.threads;
    if (t !== undefined && (!Number.isSafeInteger(t) || t < 1 || t > 256)) {
      throw new InvalidArgumentError(
        `threads must be an integer from 1 to 256, got ${t}`,
        "pass e.g. threads: 2, or leave it out for all cores",
      );
    }
    this.threads = t;
    this.rt = mode === "ts" ? undefined : KernelRuntime.create(t === undefined ? {} : { threads: t });
    if (this.rt) warmUpKernels(this.rt);
    if (mode === "wasm" && !this.rt) {
      throw new BackendLimitError(
        "WebAssembly SIMD kernels are not available in this JavaScript engine",
        "use kernels: 'auto' or 'ts' (plain TypeScript), or an engine with WebAssembly SIMD128",
      );
    }
    this.kernels = this.rt ? "wasm" : "ts";
  }

  /** The WebAssembly build in use (`"relaxed-simd"` has fused multiply-add), or undefined on TypeScript kernels. */
  get wasmVariant(): KernelVariant | undefined {
    return this.rt?.variant;
  }

  /** Resolves when the worker threads are running (immediately for one thread or TypeScript kernels). */
  ready(): Promise<void> {
    return this.rt?.ready ?? Promise.resolve();
  }

  /** Threads a GEMM can use right now, the calling thread included. */
  get activeThreads(): number {
    return this.rt ? Math.min(this.rt.activeThreads, this.threads ?? Infinity) : 1;
  }

  /**
   * The kernel runtime behind this backend (undefined on the TypeScript kernels).
   * @internal
   */
  get runtime(): KernelRuntime | undefined {
    return this.rt;
  }

  /** Stops the worker threads; the backend keeps working on the calling thread. */
  dispose(): void {
    this.rt?.dispose();
  }

  upload(x: DenseTensor): DenseTensor {
    return x;
  }

  download(x: DenseTensor): DenseTensor {
    return this.materialize(x);
  }

  reshape(x: DenseTensor, shape: readonly number[]): DenseTensor {
    if (x.isContiguous || shape.includes(-1) || !this.rt) return x.reshape(shape);
    const strides = viewStrides(x.shape, x.strides, shape);
    if (strides) return x.reshape(shape);
    return this.materialize(x).reshape(shape);
  }

  permute(x: DenseTensor, axes: readonly number[]): DenseTensor {
    return x.permute(axes);
  }

  diagonal(x: DenseTensor, axisA: number, axisB: number): DenseTensor {
    return x.diagonal(axisA, axisB);
  }

  sumAxes(x: DenseTensor, axes: readonly number[]): DenseTensor {
    if (this.rt && x.size >= SMALL_COPY && !sparseView(x)) {
      const drop = new Set(axes.map((a) => normalizeAxis(a, x.ndim)));
      const data = wasmSumAxes(this.rt, x, drop);
      if (data)
        return new DenseTensor(
          data,
          x.shape.filter((_, i) => !drop.has(i)),
        );
    }
    return sumAxes(x, axes);
  }

  /** `x` itself when contiguous, else a C-order copy (made by the kernels when they can). */
  private materialize<D extends DType>(x: DenseTensor<D>): DenseTensor<D> {
    if (x.isContiguous) return x;
    if (this.rt && x.size >= SMALL_COPY && !sparseView(x)) {
      const data = wasmContiguous(this.rt, x);
      if (data) return new DenseTensor(data, x.shape);
    }
    return x.clone();
  }

  /**
   * `[B,M,K]·[B,K,N] → [B,M,N]`. With `into` (`B·M·N` long) the result is written there and the
   * returned tensor views it, so a caller that multiplies repeatedly can reuse one buffer. Options
   * (they need `into`): `accumulate` adds the product to what `into` holds (`into += a·b`, a GEMM
   * with β = 1); `rowStride` places the rows of each M×N result that many elements apart (default N),
   * so the product can land in a block of a larger row-major matrix — the entries between rows are
   * left alone. When `into` lies in the kernels' memory (a pinned block) the product is written
   * there in place and the returned tensor views that memory afresh.
   */
  batchedMatmul<D extends DType>(a: DenseTensor<D>, b: DenseTensor<D>, into?: DataOf<D>, options: MatmulInto = {}): DenseTensor<D> {
    if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
      throw new InvalidShapeError(
        `batchedMatmul needs [B,M,K]·[B,K,N], got [${a.shape.join(", ")}]·[${b.shape.join(", ")}]`,
        "reshape the operands to three axes with matching batch and inner sizes",
      );
    }
    const [B, M, K] = a.shape as [number, number, number];
    const N = b.shape[2]!;
    const ld = options.rowStride ?? N;
    const accumulate = options.accumulate ?? false;
    if ((ld !== N || accumulate) && !into) {
      throw new InvalidArgumentError("batchedMatmul's accumulate and rowStride options need an output buffer", "pass `into`");
    }
    if (!Number.isInteger(ld) || ld < N || (into && B * M > 0 && into.length < (B * M - 1) * ld + N)) {
      throw new InvalidArgumentError(
        `batchedMatmul: rowStride ${ld} with an output of ${into?.length} entries cannot hold ${B}×${M}×${N}`,
        "use rowStride ≥ N and a buffer of at least (B·M − 1)·rowStride + N entries",
      );
    }
    const tiny = M * N * K <= TINY && B > 1 && ld === N;
    if (this.rt && !tiny) {
      const data = wasmBatchedMatmul(this.rt, a, b, this.threads ?? Infinity, into, accumulate, ld);
      if (data) return new DenseTensor(data, [B, M, N], [M * ld, ld, 1]);
    }
    // The TypeScript GEMM accumulates into its output.
    const out: DataOf<D> = into ?? allocate(a.dtype, B * M * N);
    if (into && !accumulate) for (let r = 0; r < B * M; r++) into.fill(0, r * ld, r * ld + N);
    const [sab, sam, sak] = a.strides as [number, number, number];
    const [sbb, sbk, sbn] = b.strides as [number, number, number];
    if (tiny) {
      tinyBatched(B, M, N, K, a, b, out);
    } else {
      for (let i = 0; i < B; i++) {
        gemm(
          M,
          N,
          K,
          { data: a.data, offset: a.offset + i * sab, rowStride: sam, colStride: sak },
          { data: b.data, offset: b.offset + i * sbb, rowStride: sbk, colStride: sbn },
          out,
          i * M * ld,
          ld,
          this.ws,
        );
      }
    }
    return new DenseTensor(out, [B, M, N], [M * ld, ld, 1]);
  }
}

/** Where {@link CpuBackend.batchedMatmul} puts its result in the caller's buffer. @category Backends */
export interface MatmulInto {
  /** Add the product to what the buffer holds instead of overwriting it. */
  readonly accumulate?: boolean;
  /** Elements between the starts of consecutive result rows (default: N). */
  readonly rowStride?: number;
}

function tinyBatched(B: number, M: number, N: number, K: number, a: DenseTensor, b: DenseTensor, out: Float32Array | Float64Array): void {
  const ad = a.data;
  const bd = b.data;
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk, sbn] = b.strides as [number, number, number];
  let o = 0;
  for (let bi = 0; bi < B; bi++) {
    const a0 = a.offset + bi * sab;
    const b0 = b.offset + bi * sbb;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += ad[a0 + i * sam + p * sak]! * bd[b0 + p * sbk + j * sbn]!;
        out[o] = out[o]! + s;
        o++;
      }
    }
  }
}

/**
 * A view that touches few of the elements it spans (a diagonal, a strided slice): the WebAssembly
 * kernels copy the whole span in, so such views stay on the TypeScript loops, which visit only the view.
 */
function sparseView(x: DenseTensor): boolean {
  let span = 1;
  for (let i = 0; i < x.ndim; i++) span += (x.shape[i]! - 1) * Math.abs(x.strides[i]!);
  return span > 4 * x.size;
}
