/**
 * opt_einsum-style entry points: `contract(eq, ...operands, options)`, `contractPath(eq, ...shapes)`,
 * and sliced execution.
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { Backend, BackendTensor } from "../backends/backend.js";
import { DenseTensor } from "../dense.js";
import { allocate } from "../dtype.js";
import { choosePath, commonDType, einsum, resolveBackend, type EinsumOptions } from "./einsum.js";
import { defaultBackend } from "./context.js";
import { parseEinsum } from "../einsum/parse.js";
import type { EinsumProblem } from "../einsum/problem.js";
import { executePlan } from "../plan/execute.js";
import { isNetworkOperand } from "../network-operands.js";
import type { SublistLabel } from "../einsum/parse.js";
import { contractPathArguments, EINSUM_OPTION_KEYS, einsumArguments, type EinsumCallOptions, type OperandInput } from "./arguments.js";
import { pathInfo, type PathInfo } from "../paths/info.js";
import type { Path } from "../paths/path.js";
import { findSlices, type Slicing } from "../paths/slicing.js";
import { planContraction } from "../plan/plan.js";
import { itemSize } from "../dtype.js";

/** Options of {@link contract}: einsum's, plus slicing. @category Einsum & paths */
export interface ContractOptions extends EinsumOptions {
  /**
   * Slice the contraction so that no intermediate exceeds this many elements (sum over slices). By
   * default an intermediate above `memoryLimit` is an error.
   */
  readonly sliceLimit?: number | bigint;
}

/** Keys of {@link ContractOptions}. */
const CONTRACT_OPTION_KEYS: readonly string[] = [...EINSUM_OPTION_KEYS, "sliceLimit"];

/**
 * Contracts operands by an einsum equation, opt_einsum style: operands as arguments, options last
 * (or numpy's interleaved form). Takes what {@link einsum} takes; `optimize` may be an opt_einsum
 * path list (linear form) and `memoryLimit` may be `"max_input"`.
 * @throws {@link UnknownOptionError} for a misspelled option; otherwise as {@link einsum}.
 * @example
 * ```ts
 * import { contract, tensor } from "multilinear";
 * const a = tensor([[1, 2], [3, 4]]);
 * contract("ij,jk,kl->il", a, a, a, { optimize: "optimal" }).toArray(); // => [[37, 54], [81, 118]]
 * contract("ij,jk,kl->il", a, a, a, { optimize: [[1, 2], [0, 1]] }).toArray(); // => [[37, 54], [81, 118]]
 * contract(a, [0, 1], a, [1, 2], [0, 2]).toArray(); // => [[7, 10], [15, 22]]
 * ```
 * @category Einsum & paths
 */
export function contract(
  equation: string,
  ...args: [...OperandInput[], EinsumCallOptions<ContractOptions> | undefined] | OperandInput[]
): DenseTensor;
export function contract(
  ...interleaved: (OperandInput | readonly SublistLabel[] | EinsumCallOptions<ContractOptions> | undefined)[]
): DenseTensor;
export function contract(...all: unknown[]): DenseTensor {
  const { equation, operands, options } = einsumArguments<ContractOptions>(all, CONTRACT_OPTION_KEYS, "contract");
  if (options.sliceLimit === undefined) return einsum(equation, operands, options);
  if (operands.some(isNetworkOperand))
    throw new InvalidArgumentError(
      "sliced contraction takes dense operands",
      "expand factorized operands with toDense(), or contract without sliceLimit",
    );
  const dense = operands as DenseTensor[];
  const problem = parseEinsum(
    equation,
    dense.map((x) => x.shape),
  );
  const path = choosePath(problem, options.optimize, { ...options, memoryLimit: undefined });
  return contractSliced(problem, dense, path, findSlices(problem, path, options.sliceLimit), resolveBackend(options));
}

/**
 * Runs a sliced contraction: for every assignment of the sliced labels, the operands are viewed at
 * that index, the slice's plan is run, and the results are summed (in float64).
 * @category Einsum & paths
 */
export function contractSliced(
  problem: EinsumProblem,
  operands: readonly DenseTensor[],
  path: Path,
  slicing: Slicing,
  backend: Backend<BackendTensor> = defaultBackend(),
): DenseTensor {
  const dtype = commonDType(operands);
  const plan = planContraction(slicing.problem, path, { itemSize: itemSize(dtype), limits: backend.limits });
  // Operands without their broadcast axes, so axes line up with the effective terms.
  const views = operands.map((x, k) => {
    let v = x;
    for (const ax of [...problem.broadcastAxes[k]!].sort((a, b) => b - a)) v = v.select(ax, 0);
    return v;
  });
  const labels = slicing.labels;
  const sizes = labels.map((l) => problem.sizes.get(l)!);
  const outSize = plan.outputShape.reduce((a, b) => a * b, 1);
  const acc = new Float64Array(outSize);
  const index = new Array<number>(labels.length).fill(0);
  const total = Number(slicing.slices);
  for (let s = 0; s < total; s++) {
    const sliced = views.map((v, k) => {
      let t = v;
      const term = [...problem.inputs[k]!];
      // Fix every sliced label of this operand (a repeated label is fixed on each of its axes).
      for (let j = 0; j < labels.length; j++) {
        for (let ax = term.indexOf(labels[j]!); ax >= 0; ax = term.indexOf(labels[j]!)) {
          t = t.select(ax, index[j]!);
          term.splice(ax, 1);
        }
      }
      return t;
    });
    const part = executePlan(plan, sliced, backend).toTypedArray();
    for (let i = 0; i < outSize; i++) acc[i] = acc[i]! + part[i]!;
    for (let j = labels.length - 1; j >= 0; j--) {
      if (++index[j]! < sizes[j]!) break;
      index[j] = 0;
    }
  }
  const out = allocate(dtype, outSize);
  out.set(acc);
  return new DenseTensor(out, plan.outputShape);
}

/** What {@link contractPath} returns. @category Einsum & paths */
export interface ContractPathResult {
  /** The path in opt_einsum's linear form. */
  readonly path: number[][];
  readonly info: PathInfo;
}

/**
 * The contraction path of an einsum expression without running it, opt_einsum style: operands (or
 * their shapes) as arguments, options last.
 * @example
 * ```ts
 * import { contractPath } from "multilinear";
 * const { path, info } = contractPath("ab,bc,cd->ad", [2, 30], [30, 4], [4, 50], { optimize: "optimal" });
 * path; // => [[0, 1], [0, 1]]
 * [info.cost.multiplyAdds, info.cost.flops]; // => [640n, 1280n]
 * ```
 * @category Einsum & paths
 */
export function contractPath(
  equation: string,
  ...args: [...(OperandInput | readonly number[])[], EinsumCallOptions | undefined] | (OperandInput | readonly number[])[]
): ContractPathResult;
export function contractPath(...all: unknown[]): ContractPathResult {
  const { equation, shapes, options } = contractPathArguments(all, EINSUM_OPTION_KEYS);
  const problem = parseEinsum(equation, shapes);
  const path = choosePath(problem, options.optimize, options);
  const name = typeof options.optimize === "string" ? options.optimize : options.optimize === undefined ? "auto" : "custom";
  return { path: pathInfo(problem, path, name).path, info: pathInfo(problem, path, name) };
}
