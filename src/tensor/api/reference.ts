/**
 * The reference einsum: one loop over every assignment of every label, float64 accumulation.
 * Small and obviously correct; slow by design. Use it to check other results.
 * @module
 */
import { DenseTensor } from "../dense.js";
import { allocate, type DType } from "../dtype.js";
import type { Label } from "../einsum/labels.js";
import type { EinsumProblem } from "../einsum/problem.js";
import { parseEinsum } from "../einsum/parse.js";
import { InvalidArgumentError } from "../../errors.js";
import { shapeSize } from "../shape.js";

/** Iteration spaces larger than this are refused by {@link referenceEinsum}. @category Einsum & paths */
export const REFERENCE_MAX_ITERATIONS = 2 ** 28;

/**
 * Contracts by brute force over the full iteration space of a parsed problem.
 * @throws {@link InvalidArgumentError} when the iteration space exceeds {@link REFERENCE_MAX_ITERATIONS}.
 * @category Einsum & paths
 */
export function referenceContract(problem: EinsumProblem, operands: readonly DenseTensor[]): DenseTensor {
  const labels: Label[] = [];
  for (const t of problem.inputs) for (const l of t) if (!labels.includes(l)) labels.push(l);
  const dims = labels.map((l) => problem.sizes.get(l)!);
  const total = shapeSize(dims);
  if (total > REFERENCE_MAX_ITERATIONS) {
    throw new InvalidArgumentError(
      `the reference einsum would loop ${total} times`,
      "use einsum() for large problems; the reference is for checking small ones",
    );
  }
  const dtype: DType = operands[0]?.dtype ?? "float64";
  // Each operand viewed without its broadcast axes: one axis per label of its effective term.
  const views = operands.map((x, k) => {
    let v = x;
    for (const ax of [...problem.broadcastAxes[k]!].sort((a, b) => b - a)) v = v.select(ax, 0);
    return v;
  });
  const pos = (l: Label): number => labels.indexOf(l);
  const opIdx = problem.inputs.map((t) => t.map(pos));
  const outIdx = problem.output.map(pos);
  const outShape = problem.output.map((l) => problem.sizes.get(l)!);
  const acc = new Float64Array(shapeSize(outShape));
  const outStrides = new Array<number>(outShape.length);
  for (let i = outShape.length - 1, s = 1; i >= 0; i--) {
    outStrides[i] = s;
    s *= outShape[i]!;
  }
  const idx = new Array<number>(labels.length).fill(0);
  for (let it = 0; it < total; it++) {
    let prod = 1;
    for (let k = 0; k < views.length; k++) {
      const v = views[k]!;
      let p = v.offset;
      const ix = opIdx[k]!;
      for (let a = 0; a < ix.length; a++) p += idx[ix[a]!]! * v.strides[a]!;
      prod *= v.data[p]!;
    }
    let o = 0;
    for (let a = 0; a < outIdx.length; a++) o += idx[outIdx[a]!]! * outStrides[a]!;
    acc[o] = acc[o]! + prod;
    for (let a = labels.length - 1; a >= 0; a--) {
      if (++idx[a]! < dims[a]!) break;
      idx[a] = 0;
    }
  }
  const out = allocate(dtype, acc.length);
  out.set(acc);
  return new DenseTensor(out, outShape);
}

/**
 * The reference einsum on an equation.
 * @example
 * ```ts
 * import { tensor, referenceEinsum } from "multilinear";
 * referenceEinsum("ij->j", [tensor([[1, 2], [3, 4]])]).toArray(); // => [4, 6]
 * ```
 * @category Einsum & paths
 */
export function referenceEinsum(equation: string, operands: readonly DenseTensor[]): DenseTensor {
  return referenceContract(
    parseEinsum(
      equation,
      operands.map((x) => x.shape),
    ),
    operands,
  );
}
