/**
 * Tensor-ring and tensor-train tensors in TensorLy's convention: core k is `R_k × I_k × R_{k+1}`,
 * `X[i_1…i_D] = trace(G_1[:, i_1, :] ⋯ G_D[:, i_D, :])`; a tensor train is a ring with boundary ranks 1.
 * @module
 */
import { ConfigError } from "../errors.js";
import type { DenseTensor } from "../tensor/dense.js";
import type { DType } from "../tensor/dtype.js";
import { einsum } from "../tensor/api/einsum.js";
import { getSymbol } from "../tensor/einsum/labels.js";
import { shapeSizeBig } from "../tensor/shape.js";
import type { NetworkDescription, TensorNetworkOperand } from "../tensor/network-operands.js";
import { checkIndex } from "./cp.js";
import { checkDenseSize } from "./dense-guard.js";

function checkCores(cores: readonly DenseTensor[], ring: boolean): void {
  const kind = ring ? "tensor-ring" : "tensor-train";
  if (cores.length === 0) throw new ConfigError(`a ${kind} tensor needs at least one core`, "pass cores of shape R_k × I_k × R_{k+1}");
  const dtype = cores[0]!.dtype;
  cores.forEach((c, k) => {
    if (c.ndim !== 3) throw new ConfigError(`${kind} core ${k} has shape [${c.shape.join(", ")}]`, "each core is R_k × I_k × R_{k+1}");
    if (c.dtype !== dtype) throw new ConfigError(`core ${k} is ${c.dtype} but core 0 is ${dtype}`, "give all cores one dtype");
    const next = cores[(k + 1) % cores.length]!;
    if (k < cores.length - 1 || ring) {
      if (c.shape[2] !== next.shape[0]) {
        throw new ConfigError(
          `${kind} core ${k} ends with rank ${c.shape[2]} but core ${(k + 1) % cores.length} starts with ${next.shape[0]}`,
          "consecutive cores must share their rank (R_{k+1})",
        );
      }
    }
  });
  if (!ring && (cores[0]!.shape[0] !== 1 || cores[cores.length - 1]!.shape[2] !== 1)) {
    throw new ConfigError(
      `tensor-train boundary ranks must be 1, got ${cores[0]!.shape[0]} and ${cores[cores.length - 1]!.shape[2]}`,
      "use a TRTensor for a ring, or boundary ranks of 1",
    );
  }
}

/** Shared implementation of ring and train tensors. */
abstract class CoreTensor implements TensorNetworkOperand {
  constructor(readonly cores: readonly DenseTensor[]) {}

  /** Shape of the full tensor. */
  get shape(): readonly number[] {
    return this.cores.map((c) => c.shape[1]!);
  }

  get dtype(): DType {
    return this.cores[0]!.dtype;
  }

  /** Ranks `R_0 … R_D` (`R_D = R_0`), TensorLy's D+1-entry form. */
  get ranks(): number[] {
    return [...this.cores.map((c) => c.shape[0]!), this.cores[this.cores.length - 1]!.shape[2]!];
  }

  /** Number of stored scalars, `Σ R_k I_k R_{k+1}`. */
  parameterCount(): bigint {
    return this.cores.reduce((s, c) => s + shapeSizeBig(c.shape), 0n);
  }

  /** Cores `[r_k, i_k, r_{k+1}]`, the ring closing on bond 0. */
  network(): NetworkDescription {
    const d = this.cores.length;
    return { tensors: this.cores, axes: this.cores.map((_, k) => [d + k, k, d + ((k + 1) % d)]) };
  }

  /** One element: the trace of the product of the selected core slices. */
  get(...index: number[]): number {
    checkIndex(index, this.shape);
    const r0 = this.cores[0]!.shape[0]!;
    let m = new Float64Array(r0 * r0);
    for (let i = 0; i < r0; i++) m[i * r0 + i] = 1;
    let cols = r0;
    this.cores.forEach((c, k) => {
      const [, , rb] = c.shape as [number, number, number];
      const next = new Float64Array(r0 * rb);
      for (let i = 0; i < r0; i++)
        for (let a = 0; a < cols; a++) {
          const v = m[i * cols + a]!;
          if (v === 0) continue;
          for (let b = 0; b < rb; b++) next[i * rb + b] = next[i * rb + b]! + v * c.get(a, index[k]!, b);
        }
      m = next;
      cols = rb;
    });
    let t = 0;
    for (let i = 0; i < r0; i++) t += m[i * cols + i]!;
    return t;
  }

  /** The dense tensor (guarded against sizes that would not fit). */
  toDense(): DenseTensor {
    return trToTensorCores(this.cores, this.shape);
  }
}

/** A tensor-ring tensor. Usable directly as an einsum operand (it expands into its cores). @category Decompositions */
export class TRTensor extends CoreTensor {
  /** @throws {@link ConfigError} when consecutive ranks do not chain (cyclically) or cores are not 3-way. */
  constructor(cores: readonly DenseTensor[]) {
    checkCores(cores, true);
    super(cores);
  }
}

/** A tensor-train (matrix product state) tensor: a ring with `R_0 = R_D = 1`. @category Decompositions */
export class TTTensor extends CoreTensor {
  /** @throws {@link ConfigError} when the boundary ranks are not 1 or consecutive ranks do not chain. */
  constructor(cores: readonly DenseTensor[]) {
    checkCores(cores, false);
    super(cores);
  }
}

function trToTensorCores(cores: readonly DenseTensor[], shape: readonly number[]): DenseTensor {
  checkDenseSize(shape, "tensor");
  const d = cores.length;
  const modes = cores.map((_, k) => getSymbol(k));
  const bonds = cores.map((_, k) => getSymbol(d + k));
  const terms = cores.map((_, k) => `${bonds[k]}${modes[k]}${bonds[(k + 1) % d]}`);
  return einsum(`${terms.join(",")}->${modes.join("")}`, cores);
}

/**
 * The dense tensor of a tensor ring (TensorLy's `tr_to_tensor`).
 * @example
 * ```ts
 * import { TRTensor, trToTensor, tensor } from "multilinear";
 * const core = tensor([[[1, 0], [0, 1]], [[0, 1], [1, 0]]]); // 2×2×2
 * trToTensor(new TRTensor([core, core])).toArray(); // => [[2, 0], [0, 2]]
 * ```
 * @category Decompositions
 */
export function trToTensor(tr: TRTensor): DenseTensor {
  return tr.toDense();
}

/** The dense tensor of a tensor train (TensorLy's `tt_to_tensor`). @category Decompositions */
export function ttToTensor(tt: TTTensor): DenseTensor {
  return tt.toDense();
}
