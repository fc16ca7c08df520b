/**
 * Shared intermediates (opt_einsum's `shared_intermediates`): a cache of contraction-step results
 * keyed by the identity of the step's input tensors, passed explicitly to the contraction calls.
 * @module
 */
import type { BackendTensor } from "../backends/backend.js";

/**
 * Step results of the contractions that were given this object (`{ shared }`), keyed by the
 * identity of their inputs: several contractions of the same operands compute each common
 * sub-expression once. Results are held (never released) until the object is dropped or
 * {@link SharedIntermediates.clear | cleared}; use one per group of related contractions.
 * @example
 * ```ts
 * import { SharedIntermediates, einsum, randn } from "multilinear";
 * const [a, b, c] = [randn([4, 5], { seed: 1 }), randn([5, 6], { seed: 2 }), randn([6, 3], { seed: 3 })];
 * const shared = new SharedIntermediates();
 * const path = { path: [[0, 1], [0, 1]] };
 * einsum("ij,jk,kl->il", [a, b, c], { optimize: path, shared });
 * einsum("ij,jk,kl->i", [a, b, c], { optimize: path, shared });
 * shared.hits; // => 1
 * ```
 * @category Einsum & paths
 */
export class SharedIntermediates {
  private readonly results = new Map<string, BackendTensor>();
  private ids = new WeakMap<object, number>();
  private nextId = 0;
  private hitCount = 0;

  /** Steps answered from the cache so far. */
  get hits(): number {
    return this.hitCount;
  }

  /** Step results held. */
  get size(): number {
    return this.results.size;
  }

  /** Drops every held result (the hit count stays). */
  clear(): void {
    this.results.clear();
    this.ids = new WeakMap();
  }

  /** @internal A number naming the object `x` (the same object, the same number). */
  idOf(x: object): number {
    let i = this.ids.get(x);
    if (i === undefined) this.ids.set(x, (i = this.nextId++));
    return i;
  }

  /** @internal The result stored under `key` (counted as a hit), or undefined. */
  lookup<T extends BackendTensor>(key: string): T | undefined {
    const hit = this.results.get(key) as T | undefined;
    if (hit) this.hitCount++;
    return hit;
  }

  /** @internal Stores a step result. */
  store(key: string, value: BackendTensor): void {
    this.results.set(key, value);
  }
}

/**
 * Runs `fn` with a fresh {@link SharedIntermediates} cache and returns its result and the number of
 * cache hits. Pass the cache to the contractions that should share: `einsum(eq, xs, { shared })`.
 * @example
 * ```ts
 * import { sharedIntermediates, einsum, randn } from "multilinear";
 * const [a, b, c] = [randn([4, 5], { seed: 1 }), randn([5, 6], { seed: 2 }), randn([6, 3], { seed: 3 })];
 * const path = { path: [[0, 1], [0, 1]] };
 * const { hits } = sharedIntermediates((shared) => {
 *   einsum("ij,jk,kl->il", [a, b, c], { optimize: path, shared });
 *   einsum("ij,jk,kl->i", [a, b, c], { optimize: path, shared });
 * });
 * hits; // => 1
 * ```
 * @category Einsum & paths
 */
export function sharedIntermediates<R>(fn: (shared: SharedIntermediates) => R): { result: R; hits: number } {
  const shared = new SharedIntermediates();
  const result = fn(shared);
  return { result, hits: shared.hits };
}
