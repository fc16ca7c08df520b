/**
 * CP (CANDECOMP/PARAFAC) tensors in TensorLy's convention: `X[i_1…i_D] = Σ_r w_r ∏_d U_d[i_d, r]`.
 * @module
 */
import { ConfigError, InvalidArgumentError } from "../errors.js";
import { DenseTensor } from "../tensor/dense.js";
import type { DType } from "../tensor/dtype.js";
import { einsum } from "../tensor/api/einsum.js";
import { getSymbol } from "../tensor/einsum/labels.js";
import { shapeSizeBig } from "../tensor/shape.js";
import type { NetworkDescription, TensorNetworkOperand } from "../tensor/network-operands.js";
import { checkDenseSize } from "./dense-guard.js";

/**
 * A CP tensor: weights (length R) and one factor matrix `I_d × R` per mode. Usable directly as an
 * einsum operand: it expands into its factors, and the dense tensor is never formed.
 * @category Decompositions
 */
export class CPTensor implements TensorNetworkOperand {
  readonly weights: DenseTensor;
  readonly factors: readonly DenseTensor[];

  /**
   * @param weights - length-R weights (`undefined` means ones).
   * @throws {@link ConfigError} when the factors disagree on the rank or dtype.
   */
  constructor(weights: DenseTensor | undefined, factors: readonly DenseTensor[]) {
    if (factors.length === 0) throw new ConfigError("a CP tensor needs at least one factor", "pass one I_d × R matrix per mode");
    const r = factors[0]!.shape[1];
    const dtype = factors[0]!.dtype;
    factors.forEach((f, k) => {
      if (f.ndim !== 2) throw new ConfigError(`CP factor ${k} has shape [${f.shape.join(", ")}]`, "each factor is an I_d × R matrix");
      if (f.shape[1] !== r)
        throw new ConfigError(
          `CP factor ${k} has ${f.shape[1]} columns but factor 0 has ${r}`,
          "give every factor the rank R as its column count",
        );
      if (f.dtype !== dtype) throw new ConfigError(`CP factor ${k} is ${f.dtype} but factor 0 is ${dtype}`, "give all factors one dtype");
    });
    const w = weights ?? new DenseTensor(dtype === "float32" ? new Float32Array(r!).fill(1) : new Float64Array(r!).fill(1), [r!]);
    if (w.ndim !== 1 || w.shape[0] !== r)
      throw new ConfigError(`CP weights have shape [${w.shape.join(", ")}] for rank ${r}`, `pass ${r} weights`);
    this.weights = w.astype(dtype);
    this.factors = factors;
  }

  /** Rank R (number of rank-one terms). */
  get rank(): number {
    return this.factors[0]!.shape[1]!;
  }

  /** Shape of the full tensor. */
  get shape(): readonly number[] {
    return this.factors.map((f) => f.shape[0]!);
  }

  get dtype(): DType {
    return this.factors[0]!.dtype;
  }

  /** Number of stored scalars: `R + R·ΣI_d`. */
  parameterCount(): bigint {
    return this.factors.reduce((s, f) => s + shapeSizeBig(f.shape), BigInt(this.rank));
  }

  /** The factor network: weights `[r]` and factors `[i_d, r]`. */
  network(): NetworkDescription {
    const d = this.factors.length;
    return { tensors: [this.weights, ...this.factors], axes: [[d], ...this.factors.map((_, k) => [k, d])] };
  }

  /** The dense tensor (guarded against sizes that would not fit). */
  toDense(): DenseTensor {
    return cpToTensor(this);
  }

  /** One element, `Σ_r w_r ∏_d U_d[i_d, r]`. */
  get(...index: number[]): number {
    checkIndex(index, this.shape);
    let s = 0;
    for (let r = 0; r < this.rank; r++) {
      let p = this.weights.get(r);
      this.factors.forEach((f, k) => (p *= f.get(index[k]!, r)));
      s += p;
    }
    return s;
  }
}

/**
 * The dense tensor of a CP tensor (TensorLy's `cp_to_tensor`).
 * @throws {@link InvalidArgumentError} when the dense tensor would exceed the size guard.
 * @example
 * ```ts
 * import { CPTensor, cpToTensor, tensor } from "multilinear";
 * cpToTensor(new CPTensor(tensor([2]), [tensor([[1], [2]]), tensor([[3], [4]])])).toArray(); // => [[6, 8], [12, 16]]
 * ```
 * @category Decompositions
 */
export function cpToTensor(cp: CPTensor): DenseTensor {
  checkDenseSize(cp.shape, "CP tensor");
  const modes = cp.factors.map((_, k) => getSymbol(k));
  const r = getSymbol(cp.factors.length);
  return einsum(`${r},${modes.map((m) => m + r).join(",")}->${modes.join("")}`, [cp.weights, ...cp.factors]);
}

/**
 * Frobenius norm of a CP tensor without forming it: `√(Σ_{r,s} w_r w_s ∏_d (U_dᵀU_d)_{rs})`.
 * @example
 * ```ts
 * import { CPTensor, cpNorm, tensor } from "multilinear";
 * cpNorm(new CPTensor(undefined, [tensor([[3], [0]]), tensor([[0], [4]])])); // => 12
 * ```
 * @category Decompositions
 */
export function cpNorm(cp: CPTensor): number {
  const R = cp.rank;
  const g = new Float64Array(R * R).fill(1);
  for (const f of cp.factors) {
    const gram = einsum("ir,is->rs", [f, f]).toTypedArray();
    for (let i = 0; i < R * R; i++) g[i] = g[i]! * gram[i]!;
  }
  const w = cp.weights.toTypedArray();
  let s = 0;
  for (let r = 0; r < R; r++) for (let q = 0; q < R; q++) s += w[r]! * w[q]! * g[r * R + q]!;
  return Math.sqrt(Math.max(s, 0));
}

/**
 * TensorLy's `cp_normalize`: unit-norm factor columns, the norms moved into the weights (a zero column keeps norm 1).
 * @category Decompositions
 */
export function cpNormalize(cp: CPTensor): CPTensor {
  const R = cp.rank;
  const w = Float64Array.from(cp.weights.toTypedArray());
  const normalized = cp.factors.map((f, k) => {
    const n = f.shape[0]!;
    const out = Float64Array.from(f.toTypedArray());
    // The weights are first multiplied into factor 0, then every column is scaled to unit norm.
    if (k === 0) for (let i = 0; i < n; i++) for (let r = 0; r < R; r++) out[i * R + r] = out[i * R + r]! * w[r]!;
    if (k === 0) w.fill(1);
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += out[i * R + r]! ** 2;
      const norm = Math.sqrt(s) || 1;
      w[r] = w[r]! * norm;
      for (let i = 0; i < n; i++) out[i * R + r] = out[i * R + r]! / norm;
    }
    return new DenseTensor(out, [n, R]).astype(cp.dtype);
  });
  return new CPTensor(new DenseTensor(w, [R]).astype(cp.dtype), normalized);
}

/** @internal */
export function checkIndex(index: readonly number[], shape: readonly number[]): void {
  if (index.length !== shape.length || index.some((i, k) => !Number.isInteger(i) || i < 0 || i >= shape[k]!)) {
    throw new InvalidArgumentError(
      `index [${index.join(", ")}] is out of range for shape [${shape.join(", ")}]`,
      "give one in-range index per mode",
    );
  }
}
