/**
 * Khatri–Rao and Kronecker products, mode-n unfolding and folding, in TensorLy's conventions
 * (C order: in `unfold(X, m)` the last remaining mode varies fastest; in `khatriRao([A_1, …])` the
 * first matrix varies slowest).
 * @module
 */
import { InvalidShapeError } from "../errors.js";
import type { DenseTensor } from "../tensor/dense.js";
import { einsum } from "../tensor/api/einsum.js";
import { getSymbol } from "../tensor/einsum/labels.js";
import { normalizeAxis } from "../tensor/shape.js";
import { dims, type LinalgOptions, type Matrix } from "./matrix.js";

/**
 * Column-wise Kronecker product of matrices with the same number of columns: rows indexed by
 * `(i_1, …, i_k)` in C order.
 * @example
 * ```ts
 * import { khatriRao, tensor } from "multilinear";
 * khatriRao([tensor([[1, 2], [3, 4]]), tensor([[1, 1], [0, 2]])]).toArray(); // => [[1, 2], [0, 4], [3, 4], [0, 8]]
 * ```
 * @category Decompositions
 */
export function khatriRao(matrices: readonly Matrix[], options: LinalgOptions = {}): Matrix {
  if (matrices.length === 0)
    throw new InvalidShapeError("khatriRao needs at least one matrix", "pass a list of matrices with equal column counts");
  const r = dims(matrices[0]!)[1];
  for (const m of matrices) {
    if (dims(m)[1] !== r)
      throw new InvalidShapeError(
        `khatriRao needs equal column counts, got ${r} and ${m.shape[1]}`,
        "pass factor matrices of the same rank",
      );
  }
  const labels = matrices.map((_, k) => getSymbol(k));
  const rl = getSymbol(matrices.length);
  const out = einsum(`${labels.map((l) => l + rl).join(",")}->${labels.join("")}${rl}`, matrices, options);
  return out.reshape([out.size / r, r]);
}

/**
 * Kronecker product of two matrices.
 * @example
 * ```ts
 * import { kron, tensor } from "multilinear";
 * kron(tensor([[1, 2]]), tensor([[1], [10]])).toArray(); // => [[1, 2], [10, 20]]
 * ```
 * @category Decompositions
 */
export function kron(a: Matrix, b: Matrix, options: LinalgOptions = {}): Matrix {
  const [m, n] = dims(a);
  const [p, q] = dims(b);
  return einsum("ij,kl->ikjl", [a, b], options).reshape([m * p, n * q]);
}

/**
 * Mode-`mode` unfolding: `moveaxis(X, mode, 0)` reshaped to `(I_mode, −1)`.
 * @example
 * ```ts
 * import { unfold, arange } from "multilinear";
 * unfold(arange(8).reshape([2, 2, 2]), 1).toArray(); // => [[0, 1, 4, 5], [2, 3, 6, 7]]
 * ```
 * @category Decompositions
 */
export function unfold(x: DenseTensor, mode: number): Matrix {
  const m = normalizeAxis(mode, x.ndim);
  const order = [m, ...[...Array(x.ndim).keys()].filter((i) => i !== m)];
  return x.permute(order).reshape([x.shape[m]!, -1]).contiguous();
}

/** Inverse of {@link unfold}: a matrix `(I_mode, −1)` back to a tensor of `shape`. @category Decompositions */
export function fold(unfolded: Matrix, mode: number, shape: readonly number[]): DenseTensor {
  const m = normalizeAxis(mode, shape.length);
  const moved = [shape[m]!, ...shape.filter((_, i) => i !== m)];
  const t = unfolded.reshape(moved);
  const back = [...Array(shape.length).keys()].map((i) => (i === m ? 0 : i < m ? i + 1 : i));
  return t.permute(back).contiguous();
}
