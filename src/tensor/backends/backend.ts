/**
 * The small interface every compute backend implements. The planner lowers every contraction step
 * (outer product, Hadamard product, trace, tensordot) to these operations.
 * @module
 */
import type { DenseTensor } from "../dense.js";
import type { DType } from "../dtype.js";

/** What a backend tensor must expose: its shape and dtype. Its storage is the backend's business. @category Backends */
export interface BackendTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Declared limits, so the planner can refuse what a backend would get wrong instead of running it. @category Backends */
export interface BackendLimits {
  /** Longest loop a kernel may run (gpu.js caps non-constant loops silently). */
  readonly maxLoop: number;
  /** Most elements one tensor may have on this backend. */
  readonly maxElements: number;
}

/**
 * A compute backend. `T` is the backend's own tensor handle (a {@link DenseTensor} on the CPU,
 * a device buffer on a GPU).
 * @category Backends
 */
export interface Backend<T extends BackendTensor = BackendTensor> {
  /** Short name, e.g. `"cpu"`. */
  readonly name: string;
  /** Limits the planner checks before running anything. */
  readonly limits: BackendLimits;
  /** Moves a host tensor onto the backend (may be a no-op). */
  upload(x: DenseTensor): T;
  /** Copies a backend tensor back to the host as a contiguous {@link DenseTensor}. */
  download(x: T): DenseTensor;
  /** Same elements in C order, new shape. */
  reshape(x: T, shape: readonly number[]): T;
  /** Reorders axes: `axes[k]` is the input axis that becomes output axis k. */
  permute(x: T, axes: readonly number[]): T;
  /** Diagonal of two equal-size axes; they are removed and the diagonal becomes the last axis. */
  diagonal(x: T, axisA: number, axisB: number): T;
  /** Sums over the given axes (removed from the result). */
  sumAxes(x: T, axes: readonly number[]): T;
  /** `[B, M, K] · [B, K, N] → [B, M, N]`. */
  batchedMatmul(a: T, b: T): T;
  /**
   * Drops one handle the caller no longer needs (optional). Storage shared with other live handles
   * (views made by `permute`, `reshape`, `diagonal`) must stay valid; releasing twice is harmless.
   */
  release?(x: T): void;
  /**
   * Reads a backend tensor back after all queued work (optional; backends whose device reads back
   * asynchronously, such as WebGPU, implement it). `executePlanAsync` prefers it to `download`.
   */
  downloadAsync?(x: T): Promise<DenseTensor>;
}
