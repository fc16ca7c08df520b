/**
 * Reusable float64 work arrays for the factorisations a {@link CpuBackend} runs. Repeated SVDs and
 * reductions then write into memory that is already mapped instead of fresh allocations (on virtual
 * machines a first touch of a page can cost more than the arithmetic done on it). Held through
 * `WeakRef`s, so the garbage collector may still reclaim them between calls.
 * @module
 */

/** A work array taken with {@link WorkArrays.borrow}. */
export interface Loan {
  readonly data: Float64Array;
  /** Hands the array back to the pool (call once, when done with it). */
  release(): void;
}

/** Named float64 work arrays, reused from call to call (one pool per backend). */
export class WorkArrays {
  private readonly pool = new Map<string, WeakRef<Float64Array>>();
  private readonly lent = new Set<string>();

  /**
   * `len` doubles of the work array named `key`, zero-filled when `zero` is set (else arbitrary).
   * The same key hands out the same memory again: a caller must be done with the previous loan of a
   * key before taking it again, and must never return a loan (or a view of one) to its own caller.
   */
  take(key: string, len: number, zero = false): Float64Array {
    let buf = this.pool.get(key)?.deref();
    if (!buf || buf.length < len) {
      buf = new Float64Array(len);
      this.pool.set(key, new WeakRef(buf));
      return buf;
    }
    const view = buf.subarray(0, len);
    if (zero) view.fill(0);
    return view;
  }

  /**
   * Like {@link WorkArrays.take}, for a holder that keeps the array across calls (a fit's sweeps):
   * while a loan of `key` is out, a second borrower gets a fresh array instead (so re-entrant use,
   * e.g. a fit started from a progress callback, stays correct).
   */
  borrow(key: string, len: number): Loan {
    if (this.lent.has(key)) return { data: new Float64Array(len), release: () => undefined };
    this.lent.add(key);
    let out = true;
    return {
      data: this.take(key, len),
      release: () => {
        if (out) this.lent.delete(key);
        out = false;
      },
    };
  }
}
