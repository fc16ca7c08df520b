/**
 * Operands that are tensor networks (factorized tensors). A CP, tensor-ring or tensor-train tensor
 * can stand where a dense operand would: einsum expands it into its factors, and the path optimizer
 * contracts them together with everything else, never forming the dense tensor.
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { DenseTensor } from "./dense.js";
import type { DType } from "./dtype.js";
import { getSymbol, type Label } from "./einsum/labels.js";
import { makeProblem, type EinsumProblem } from "./einsum/problem.js";

/**
 * The factors of a network operand and their axes. Axis ids `0 … ndim−1` are the operand's own modes
 * (its open indices); ids `≥ ndim` are internal bonds, summed over.
 * @category Einsum & paths
 */
export interface NetworkDescription {
  readonly tensors: readonly DenseTensor[];
  readonly axes: readonly (readonly number[])[];
}

/** A factorized operand: its full shape and dtype, and its factor network. @category Einsum & paths */
export interface TensorNetworkOperand {
  readonly shape: readonly number[];
  readonly dtype: DType;
  network(): NetworkDescription;
}

/** Either kind of operand einsum accepts. @category Einsum & paths */
export type Operand = DenseTensor | TensorNetworkOperand;

/** True for factorized operands (anything with a `network()` method). @category Einsum & paths */
export function isNetworkOperand(x: Operand): x is TensorNetworkOperand {
  return typeof (x as Partial<TensorNetworkOperand>).network === "function";
}

/**
 * Replaces every network operand of a parsed problem by its factors. Open modes keep the operand's
 * labels (an axis that broadcasts gets a fresh label of size 1, summed away); bonds get fresh labels.
 * @returns the expanded problem and the dense operands in its order.
 * @category Einsum & paths
 */
export function expandNetworks(problem: EinsumProblem, operands: readonly Operand[]): { problem: EinsumProblem; operands: DenseTensor[] } {
  const used = new Set<Label>(problem.sizes.keys());
  let next = 0;
  const fresh = (): Label => {
    for (;;) {
      const s = getSymbol(next++);
      if (!used.has(s)) {
        used.add(s);
        return s;
      }
    }
  };
  const inputs: Label[][] = [];
  const tensors: DenseTensor[] = [];
  operands.forEach((x, k) => {
    if (!isNetworkOperand(x)) {
      inputs.push([...problem.inputs[k]!]);
      tensors.push(x);
      return;
    }
    // Rebuild the operand's full term (squeezed broadcast axes get size-1 labels of their own).
    const squeezed = new Set(problem.broadcastAxes[k]);
    const effective = [...problem.inputs[k]!];
    const term = x.shape.map((_, ax) => (squeezed.has(ax) ? fresh() : effective.shift()!));
    const net = x.network();
    if (net.tensors.length !== net.axes.length) {
      throw new InvalidArgumentError(
        `operand ${k}'s network has ${net.tensors.length} tensors but ${net.axes.length} axis lists`,
        "give one axis list per factor",
      );
    }
    const bonds = new Map<number, Label>();
    net.tensors.forEach((t, f) => {
      const ax = net.axes[f]!;
      if (ax.length !== t.ndim)
        throw new InvalidArgumentError(
          `factor ${f} of operand ${k} has ${t.ndim} axes but ${ax.length} axis ids`,
          "give one id per factor axis",
        );
      inputs.push(
        ax.map((id) => {
          if (id < x.shape.length) return term[id]!;
          let l = bonds.get(id);
          if (!l) bonds.set(id, (l = fresh()));
          return l;
        }),
      );
      tensors.push(t);
    });
  });
  const expanded = makeProblem({ inputs, output: problem.output, shapes: tensors.map((t) => t.shape) });
  return { problem: expanded, operands: tensors };
}
