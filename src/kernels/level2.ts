/**
 * Float64 arrays pinned in a kernel runtime's memory (below the arena its jobs use), and
 * matrix–vector products (WebAssembly SIMD) on them: a factorisation keeps its working matrix there,
 * runs these products on it and hands it to GEMMs, which read it in place, without copying it in for
 * each. The passes of the divide-and-conquer SVD's secular-equation solver run on such memory too.
 * @module
 */
import type { KernelRuntime } from "./runtime.js";

/** A block of float64 words resident in kernel memory, with the level-2 kernels over it. */
export class ResidentF64 implements Level2F64 {
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

  secularSums(delta: number, z2: number, inv: number, K: number, i: number, tau: number, out: number): void {
    this.rt.exports.secularSums(this.addr(delta), this.addr(z2), this.addr(inv), K, i, tau, this.addr(out));
  }

  secularMid(d: number, lower: number, upper: number, z2: number, K: number, i: number, mid: number, dn: number, out: number): void {
    this.rt.exports.secularMid(this.addr(d), this.addr(lower), this.addr(upper), this.addr(z2), K, i, mid, dn, this.addr(out));
  }

  lownerUpdate(acc: number, lower: number, upper: number, inv: number, K: number, i: number): void {
    this.rt.exports.lownerUpdate(this.addr(acc), this.addr(lower), this.addr(upper), this.addr(inv), K, i);
  }

  private addr(word: number): number {
    return this.base + word * 8;
  }
}

/** Float64 work memory with the level-2 products over it (positions are word offsets). */
export interface Level2F64 {
  /** `len` doubles from word `at`. */
  view(at: number, len: number): Float64Array;
  /** True when views taken earlier may be stale (re-take them). */
  readonly moved: boolean;
  /** `y[c] += Σ_{r<rows} x[r·incx] · A[r·lda + c]` for `c < cols`. */
  gemvT(a: number, lda: number, rows: number, cols: number, x: number, incx: number, y: number): void;
  /** `y[r] = Σ_{c<cols} A[r·lda + c] · x[c]` for `r < rows`. */
  gemvN(a: number, lda: number, rows: number, cols: number, x: number, y: number): void;
  /**
   * Secular function terms at τ against poles `delta` (K words): `inv[j] = 1/(δ_j − τ)` and, with
   * `t = z2_j·inv[j]`, the sums of t and t·inv[j] over j ≤ i and over j > i and of t·inv[j]² over all
   * j into out[0…4].
   */
  secularSums(delta: number, z2: number, inv: number, K: number, i: number, tau: number, out: number): void;
  /**
   * The same sums (out[0…3], no reciprocals kept) at τ = `mid` against `lower`, writing
   * `upper[j] = (d_j − dn)(d_j + dn)` on the way.
   */
  secularMid(d: number, lower: number, upper: number, z2: number, K: number, i: number, mid: number, dn: number, out: number): void;
  /** `acc[j] *= upper[j]·inv[j]` for j ≤ i and `acc[j] *= lower[j]·inv[j]` for j > i. */
  lownerUpdate(acc: number, lower: number, upper: number, inv: number, K: number, i: number): void;
  /** Done with the memory. */
  close(): void;
}

/** {@link Level2F64} on an ordinary array, with the products as TypeScript loops (no WebAssembly). */
export class HeapF64 implements Level2F64 {
  private readonly m: Float64Array;
  readonly moved = false;

  constructor(words: number) {
    this.m = new Float64Array(words);
  }

  view(at: number, len: number): Float64Array {
    return this.m.subarray(at, at + len);
  }

  gemvT(a: number, lda: number, rows: number, cols: number, x: number, incx: number, y: number): void {
    const M = this.m;
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const a0 = a + r * lda;
      const a1 = a0 + lda;
      const a2 = a1 + lda;
      const a3 = a2 + lda;
      const s0 = M[x + r * incx]!;
      const s1 = M[x + (r + 1) * incx]!;
      const s2 = M[x + (r + 2) * incx]!;
      const s3 = M[x + (r + 3) * incx]!;
      for (let c = 0; c < cols; c++) M[y + c] = M[y + c]! + s0 * M[a0 + c]! + s1 * M[a1 + c]! + s2 * M[a2 + c]! + s3 * M[a3 + c]!;
    }
    for (; r < rows; r++) {
      const a0 = a + r * lda;
      const s0 = M[x + r * incx]!;
      for (let c = 0; c < cols; c++) M[y + c] = M[y + c]! + s0 * M[a0 + c]!;
    }
  }

  gemvN(a: number, lda: number, rows: number, cols: number, x: number, y: number): void {
    const M = this.m;
    for (let r = 0; r < rows; r++) {
      const a0 = a + r * lda;
      let s0 = 0;
      let s1 = 0;
      let c = 0;
      for (; c + 1 < cols; c += 2) {
        s0 += M[a0 + c]! * M[x + c]!;
        s1 += M[a0 + c + 1]! * M[x + c + 1]!;
      }
      if (c < cols) s0 += M[a0 + c]! * M[x + c]!;
      M[y + r] = s0 + s1;
    }
  }

  secularSums(delta: number, z2: number, inv: number, K: number, i: number, tau: number, out: number): void {
    const M = this.m;
    let psi = 0;
    let dpsi = 0;
    let phi = 0;
    let dphi = 0;
    let curv = 0;
    for (let j = 0; j < K; j++) {
      const r = 1 / (M[delta + j]! - tau);
      M[inv + j] = r;
      const t = M[z2 + j]! * r;
      if (j <= i) {
        psi += t;
        dpsi += t * r;
      } else {
        phi += t;
        dphi += t * r;
      }
      curv += t * r * r;
    }
    this.sums(out, psi, dpsi, phi, dphi);
    M[out + 4] = curv;
  }

  secularMid(d: number, lower: number, upper: number, z2: number, K: number, i: number, mid: number, dn: number, out: number): void {
    const M = this.m;
    let psi = 0;
    let dpsi = 0;
    let phi = 0;
    let dphi = 0;
    for (let j = 0; j < K; j++) {
      const dj = M[d + j]!;
      M[upper + j] = (dj - dn) * (dj + dn);
      const r = 1 / (M[lower + j]! - mid);
      const t = M[z2 + j]! * r;
      if (j <= i) {
        psi += t;
        dpsi += t * r;
      } else {
        phi += t;
        dphi += t * r;
      }
    }
    this.sums(out, psi, dpsi, phi, dphi);
  }

  /** The four sums of the secular passes, at word `out`. */
  private sums(out: number, psi: number, dpsi: number, phi: number, dphi: number): void {
    this.m[out] = psi;
    this.m[out + 1] = dpsi;
    this.m[out + 2] = phi;
    this.m[out + 3] = dphi;
  }

  lownerUpdate(acc: number, lower: number, upper: number, inv: number, K: number, i: number): void {
    const M = this.m;
    for (let j = 0; j < K; j++) M[acc + j] = M[acc + j]! * (M[(j <= i ? upper : lower) + j]! * M[inv + j]!);
  }

  close(): void {}
}
