/**
 * Float64 arrays pinned in a kernel runtime's memory (below the arena its jobs use), and
 * matrix–vector products (WebAssembly SIMD) on them: a factorisation keeps its working matrix there,
 * runs these products on it and hands it to GEMMs, which read it in place, without copying it in for
 * each.
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
   * Pins `words` doubles at the bottom of the arena of `rt` (below every job's operands, so no GEMM
   * or copy on `rt` touches them); undefined while another block is open on `rt` (a second user,
   * say a fit started from a callback of another, then works without one) or when the memory cannot
   * grow. {@link ResidentF64.close} it when done.
   */
  static open(rt: KernelRuntime, words: number): ResidentF64 | undefined {
    const base = rt.pin(words * 8);
    return base === undefined ? undefined : new ResidentF64(rt, base, words);
  }

  /** Unpins the block; views taken from it must not be used afterwards. */
  close(): void {
    this.rt.unpin();
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
