/**
 * Float64 matrix–vector products (WebAssembly SIMD) on arrays that live in a kernel runtime's memory
 * above the region its GEMM calls use, so a factorisation can keep its working matrix there and
 * interleave these products with GEMMs on the same runtime without copying the matrix in for each.
 * @module
 */
import type { KernelRuntime } from "./runtime.js";

/** A block of float64 words resident in kernel memory, with the level-2 kernels over it. */
export class ResidentF64 {
  private buffer: ArrayBufferLike;

  private constructor(
    private readonly rt: KernelRuntime,
    private readonly base: number,
    readonly words: number,
  ) {
    this.buffer = rt.memory.buffer;
  }

  /**
   * Reserves `words` doubles from byte `from` (rounded up to 64) on; undefined when the memory cannot
   * grow that far. `from` must lie past everything other jobs on `rt` will touch meanwhile.
   */
  static open(rt: KernelRuntime, from: number, words: number): ResidentF64 | undefined {
    const base = Math.ceil(from / 64) * 64;
    if (!rt.reserve(base + words * 8)) return undefined;
    return new ResidentF64(rt, base, words);
  }

  /** `len` doubles from word `at`. Take views again after {@link ResidentF64.moved} turns true. */
  view(at: number, len: number): Float64Array {
    this.buffer = this.rt.memory.buffer;
    return new Float64Array(this.buffer, this.base + at * 8, len);
  }

  /** True when the memory was grown (or replaced) since the last {@link ResidentF64.view}. */
  get moved(): boolean {
    return this.rt.memory.buffer !== this.buffer;
  }

  /** `y[c] += Σ_{r<rows} x[r·incx] · A[r·lda + c]` for `c < cols`; all positions are word offsets. */
  gemvT(a: number, lda: number, rows: number, cols: number, x: number, incx: number, y: number): void {
    if (rows > 0 && cols > 0) this.rt.exports.gemvT64(this.addr(a), lda, rows, cols, this.addr(x), incx, this.addr(y));
  }

  /** `y[r] = Σ_{c<cols} A[r·lda + c] · x[c]` for `r < rows`; all positions are word offsets. */
  gemvN(a: number, lda: number, rows: number, cols: number, x: number, y: number): void {
    if (rows > 0) this.rt.exports.gemvN64(this.addr(a), lda, rows, cols, this.addr(x), this.addr(y));
  }

  private addr(word: number): number {
    return this.base + word * 8;
  }
}
