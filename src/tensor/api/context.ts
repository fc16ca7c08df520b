/**
 * Einsum contexts: the backend the convenience functions ({@link einsum}, {@link contract}, …) run
 * on when none is passed, and the plan caches they keep. The one module-level default context is
 * the only state those functions hold between calls; pass `{ context }` to keep yours apart.
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { Backend, BackendTensor } from "../backends/backend.js";
import { CpuBackend } from "../backends/cpu/backend.js";
import type { ContractionPlan } from "../plan/plan.js";

/** Plans a {@link PlanCache} keeps unless told otherwise. @category Einsum & paths */
export const PLAN_CACHE_SIZE = 256;

/**
 * The most recently used contraction plans, by a key of equation, shapes, dtype and options
 * (least recently used dropped first).
 * @category Einsum & paths
 */
export class PlanCache {
  private readonly plans = new Map<string, ContractionPlan>();

  /** @param capacity - most plans kept (0 keeps none). */
  constructor(readonly capacity: number = PLAN_CACHE_SIZE) {}

  /** Plans held now. */
  get size(): number {
    return this.plans.size;
  }

  /** The plan stored under `key` (it becomes the most recently used), or undefined. */
  get(key: string): ContractionPlan | undefined {
    const plan = this.plans.get(key);
    if (plan) {
      this.plans.delete(key);
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** Stores `plan` under `key`, dropping the least recently used plan when full. */
  set(key: string, plan: ContractionPlan): void {
    if (this.capacity === 0) return;
    this.plans.delete(key);
    if (this.plans.size >= this.capacity) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(key, plan);
  }

  /** Drops every plan. */
  clear(): void {
    this.plans.clear();
  }
}

/** Options of {@link createContext}. @category Einsum & paths */
export interface ContextOptions<B extends Backend<BackendTensor> = Backend<BackendTensor>> {
  /** Backend the context runs on (default: a {@link CpuBackend} created on first use). */
  readonly backend?: B;
  /** Plans kept per backend (default {@link PLAN_CACHE_SIZE}; 0 disables plan caching). */
  readonly planCacheSize?: number;
}

/**
 * A backend plus the plan caches of the calls made through it. Calls that pass `{ context }` use its
 * backend (unless they also pass `{ backend }`, which wins) and its cache for that backend.
 * @example
 * ```ts
 * import { createContext, einsum, tensor, CpuBackend } from "multilinear";
 * const context = createContext({ backend: new CpuBackend({ kernels: "ts" }), planCacheSize: 8 });
 * const a = tensor([[1, 2], [3, 4]]);
 * einsum("ij,jk->ik", [a, a], { context }).toArray(); // => [[7, 10], [15, 22]]
 * context.planCache().size; // => 1
 * context.clearPlanCache();
 * context.planCache().size; // => 0
 * ```
 * @category Einsum & paths
 */
export class EinsumContext<B extends Backend<BackendTensor> = Backend<BackendTensor>> {
  /** Plans kept per backend. */
  readonly planCacheSize: number;
  private given: B | undefined;
  private created: CpuBackend | undefined;
  private caches = new WeakMap<object, PlanCache>();

  /** @internal Use {@link createContext}. */
  constructor(options: ContextOptions<B> = {}) {
    const size = options.planCacheSize ?? PLAN_CACHE_SIZE;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new InvalidArgumentError(
        `planCacheSize must be a non-negative integer, got ${size}`,
        "pass e.g. planCacheSize: 64, or 0 to cache no plans",
      );
    }
    this.planCacheSize = size;
    this.given = options.backend;
  }

  /** The context's backend (the CPU backend it created on first use when none was given). */
  get backend(): B {
    if (this.given) return this.given;
    this.created ??= new CpuBackend();
    return this.created as unknown as B;
  }

  /** The plan cache of `backend` (default: the context's own backend) in this context. */
  planCache(backend: Backend<BackendTensor> = this.backend): PlanCache {
    let cache = this.caches.get(backend);
    if (!cache) this.caches.set(backend, (cache = new PlanCache(this.planCacheSize)));
    return cache;
  }

  /** Drops every plan this context cached, for all backends. */
  clearPlanCache(): void {
    this.caches = new WeakMap();
  }

  /**
   * Stops the worker threads of the CPU backend this context created (a backend passed in stays the
   * caller's to dispose). The context keeps working, on the calling thread.
   */
  dispose(): void {
    this.created?.dispose();
  }
}

/**
 * A new {@link EinsumContext}: its own backend (or a CPU backend created on first use) and its own
 * plan caches.
 * @throws {@link InvalidArgumentError} for a negative or fractional `planCacheSize`.
 * @example
 * ```ts
 * import { createContext, contract, tensor } from "multilinear";
 * const context = createContext();
 * contract("i,i->", tensor([1, 2]), tensor([3, 4]), { context }).item(); // => 11
 * context.backend.name; // => "cpu"
 * ```
 * @category Einsum & paths
 */
export function createContext(): EinsumContext<CpuBackend>;
export function createContext<B extends Backend<BackendTensor>>(options: ContextOptions<B> & { readonly backend: B }): EinsumContext<B>;
export function createContext(options: Omit<ContextOptions, "backend">): EinsumContext<CpuBackend>;
export function createContext(options: ContextOptions = {}): EinsumContext {
  return new EinsumContext(options);
}

/**
 * The one default context, module-level state shared by every call that passes neither `context`
 * nor `backend`: a CPU backend created on first use (all cores) and its plan cache. It is the only
 * state the convenience API keeps between calls.
 */
const DEFAULT_CONTEXT: EinsumContext<CpuBackend> = new EinsumContext<CpuBackend>();

/**
 * The default context (see {@link createContext}): the module-level context that calls without
 * `{ context }` use. Its backend is a CPU backend created on first use, shared process-wide.
 * @example
 * ```ts
 * import { defaultContext, defaultBackend } from "multilinear";
 * defaultContext().backend === defaultBackend(); // => true
 * ```
 * @category Einsum & paths
 */
export function defaultContext(): EinsumContext<CpuBackend> {
  return DEFAULT_CONTEXT;
}

/** The default context's backend: the shared CPU backend. @category Einsum & paths */
export function defaultBackend(): CpuBackend {
  return DEFAULT_CONTEXT.backend;
}

/** Drops every plan cached in the default context (contexts made with {@link createContext} keep theirs). @category Einsum & paths */
export function clearPlanCache(): void {
  DEFAULT_CONTEXT.clearPlanCache();
}
