/**
 * The options of the einsum entry points (`einsum`, `contract`, `contractExpression`, …), in a file of
 * their own so that argument handling and the entry points can share them without importing each other.
 * @module
 */
import type { Backend, BackendTensor } from "../backends/backend.js";
import type { Path } from "../paths/path.js";
import type { OptimizeOptions, PathFinder } from "../paths/registry.js";
import type { SharedIntermediates } from "../plan/shared-intermediates.js";
import type { EinsumContext } from "./context.js";

/** How to choose the contraction path. @category Einsum & paths */
export type OptimizeSpec = string | PathFinder | { readonly path: Path; readonly format?: "linear" | "ssa" };

/** Options of `einsum`, `contract` and the other entry points. @category Einsum & paths */
export interface EinsumOptions extends OptimizeOptions {
  /** Optimizer name (default `"auto"`), a path finder, or an explicit `{ path }` (linear by default). */
  readonly optimize?: OptimizeSpec;
  /**
   * Context whose backend and plan cache the call uses (default: `defaultContext()`, a shared
   * CPU backend).
   */
  readonly context?: EinsumContext;
  /** Backend to run on; wins over the context's backend (the context's cache for it is used). */
  readonly backend?: Backend<BackendTensor>;
  /** Cap on the estimated peak working memory in bytes (default 4 GiB). */
  readonly maxBytes?: number | bigint;
  /**
   * Reuse the plan of an earlier call with the same equation, shapes, dtype and options (default
   * true). Plans are kept in the context, per backend (see `PlanCache`); custom path-finder
   * functions are never cached.
   */
  readonly cachePlan?: boolean;
  /** Reuse step results of other contractions given the same cache (see {@link SharedIntermediates}). */
  readonly shared?: SharedIntermediates;
}
