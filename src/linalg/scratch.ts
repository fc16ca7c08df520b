/**
 * Reusable float64 work arrays for the factorisations. Repeated SVDs and reductions then write into
 * memory that is already mapped instead of fresh allocations (on virtual machines a first touch of a
 * page can cost more than the arithmetic done on it). Held through `WeakRef`s, so the garbage
 * collector may still reclaim them between calls.
 * @module
 */

const pool = new Map<string, WeakRef<Float64Array>>();

/**
 * `len` doubles of the work array named `key`, zero-filled when `zero` is set (else arbitrary). The
 * same key hands out the same memory again: a caller must be done with the previous loan of a key
 * before taking it again, and must never return a loan (or a view of one) to its own caller.
 */
export function scratch(key: string, len: number, zero = false): Float64Array {
  let buf = pool.get(key)?.deref();
  if (!buf || buf.length < len) {
    buf = new Float64Array(len);
    pool.set(key, new WeakRef(buf));
    return buf;
  }
  const view = buf.subarray(0, len);
  if (zero) view.fill(0);
  return view;
}

const lent = new Set<string>();

/** A work array taken with {@link borrow}. */
export interface Loan {
  readonly data: Float64Array;
  /** Hands the array back to the pool (call once, when done with it). */
  release(): void;
}

/**
 * Like {@link scratch}, for a holder that keeps the array across calls (a fit's sweeps): while a
 * loan of `key` is out, a second borrower gets a fresh array instead (so re-entrant use, e.g. a fit
 * started from a progress callback, stays correct).
 */
export function borrow(key: string, len: number): Loan {
  if (lent.has(key)) return { data: new Float64Array(len), release: () => undefined };
  lent.add(key);
  let out = true;
  return {
    data: scratch(key, len),
    release: () => {
      if (out) lent.delete(key);
      out = false;
    },
  };
}
