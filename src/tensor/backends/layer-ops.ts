/**
 * Element-wise and row-wise operations the μMoE layers need besides contractions (gate softmax,
 * entmax-1.5, sparsemax, normalisations, bias, GELU), as an interface any backend can implement.
 * Row-wise operations act on the last axis. The CPU implementation is `cpuLayerOps`
 * (`backends/cpu/layer-ops.ts`); the GPU backend implements them itself.
 * @module
 */
import { InvalidShapeError } from "../../errors.js";

/** Options of the normalisations: ε and an optional affine transform along the last axis. @category Backends */
export interface NormOptions<T> {
  /** Added to the variance (default 1e-5, as PyTorch). */
  readonly eps?: number;
  /** Scale along the last axis (both or neither of gamma and beta). */
  readonly gamma?: T;
  /** Shift along the last axis. */
  readonly beta?: T;
}

/** Layer operations of a backend. Every result is a new tensor owned by the caller. @category Backends */
export interface LayerOps<T> {
  /** Softmax along the last axis. */
  softmax(x: T): T;
  /** α-entmax with α = 1.5 along the last axis (sparse, sums to 1). */
  entmax15(x: T): T;
  /** Sparsemax (α = 2) along the last axis. */
  sparsemax(x: T): T;
  /** `x + bias`, `bias` of the size of the last axis. */
  addBias(x: T, bias: T): T;
  /** GELU, exact (erf) form as PyTorch's default. */
  gelu(x: T): T;
  /** LayerNorm over the last axis (biased variance). */
  layerNorm(x: T, options?: NormOptions<T>): T;
  /** BatchNorm in eval mode: per channel (last axis) running mean and variance. */
  batchNormEval(x: T, mean: T, variance: T, options?: NormOptions<T>): T;
  /** Appends a 1 to the last axis (`[…, d] → […, d + 1]`), the bias input of a μMoE layer. */
  appendOnes(x: T): T;
  /** Element-wise product of two tensors of the same shape. */
  multiply(x: T, y: T): T;
  /**
   * Keeps the `k` largest entries of each row (ties: the lower index first) and sets the others to
   * −Infinity, so a following softmax, entmax-1.5 or sparsemax gives them exactly 0 (top-k gating).
   * Optional: a backend without it cannot run top-k gates.
   */
  keepTopK?(x: T, k: number): T;
}

/** The size of the last axis. @throws {@link InvalidShapeError} for a rank-0 tensor. */
export function lastDim(x: { readonly shape: readonly number[] }): number {
  if (x.shape.length === 0)
    throw new InvalidShapeError("a row-wise operation needs at least one axis, got a scalar", "reshape to [1] first");
  return x.shape[x.shape.length - 1]!;
}

/** @throws {@link InvalidShapeError} unless `v` is a vector of length `d`. */
export function checkVector(v: { readonly shape: readonly number[] }, d: number, what: string): void {
  if (v.shape.length !== 1 || v.shape[0] !== d) {
    throw new InvalidShapeError(
      `${what} must have shape [${d}] (the last axis of the input), got [${v.shape.join(", ")}]`,
      `pass a vector of length ${d}`,
    );
  }
}
