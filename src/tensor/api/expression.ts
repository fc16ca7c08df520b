/**
 * Reusable contraction expressions (opt_einsum's `contract_expression`): parse and plan once, run
 * many times; operands known in advance can be given as constants, and every step that depends only
 * on constants is computed once. With `{ shared }` (a {@link SharedIntermediates}) every call of the
 * expression reuses step results of other contractions of the same operands (opt_einsum's
 * `shared_intermediates`).
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { Backend, BackendTensor } from "../backends/backend.js";
import { DenseTensor } from "../dense.js";
import { choosePath, commonDType, execOptions, resolveBackend, type EinsumOptions } from "./einsum.js";
import { contractPathArguments, EINSUM_OPTION_KEYS, promoteOperands } from "./arguments.js";
import { parseEinsum } from "../einsum/parse.js";
import { itemSize } from "../dtype.js";
import { executePlanFrom, precomputeConstants } from "../plan/execute.js";
import { pathInfo, type PathInfo } from "../paths/info.js";
import { planContraction, type ContractionPlan } from "../plan/plan.js";

/** A planned contraction: call it with the (non-constant) operands. @category Einsum & paths */
export interface ContractExpression {
  (...operands: DenseTensor[]): DenseTensor;
  readonly equation: string;
  readonly plan: ContractionPlan;
  readonly info: PathInfo;
  /** Positions of the operands the call takes (those that are not constants). */
  readonly variables: readonly number[];
}

/**
 * Plans `equation` for the given shapes once. Pass a tensor instead of a shape to make that operand
 * a constant: steps that only involve constants are computed at once and reused by every call.
 * @example
 * ```ts
 * import { contractExpression, tensor } from "multilinear";
 * const w = tensor([[1, 2], [3, 4]]);
 * const expr = contractExpression("bi,ij->bj", [2, 2], w);
 * expr(tensor([[1, 0], [0, 1]])).toArray(); // => [[1, 2], [3, 4]]
 * expr.variables; // => [0]
 * ```
 * @category Einsum & paths
 */
export function contractExpression(
  equation: string,
  ...args: (readonly number[] | DenseTensor | (EinsumOptions & { readonly dtype?: "float32" | "float64" }))[]
): ContractExpression {
  const normalized = contractPathArguments([equation, ...args], [...EINSUM_OPTION_KEYS, "dtype"], "contractExpression");
  const specs = normalized.operands.map((x, k) => {
    if (Array.isArray(x) || x instanceof DenseTensor) return x as readonly number[] | DenseTensor;
    throw new InvalidArgumentError(
      `operand ${k} of an expression is a factorized tensor`,
      "give its shape, or expand it with toDense() to make it a constant",
    );
  });
  const constants = new Map<number, DenseTensor>();
  const given = promoteOperands(specs.filter((s): s is DenseTensor => s instanceof DenseTensor));
  specs.forEach((s, k) => {
    if (s instanceof DenseTensor) constants.set(k, given.shift()!);
  });
  const shapes = normalized.shapes;
  const options = normalized.options as EinsumOptions & { readonly dtype?: "float32" | "float64" };
  const problem = parseEinsum(equation, shapes);
  const dtype = constants.size > 0 ? commonDType([...constants.values()]) : (options.dtype ?? "float64");
  const path = choosePath(problem, options.optimize, options);
  const backend: Backend<BackendTensor> = resolveBackend(options);
  const plan = planContraction(problem, path, {
    itemSize: itemSize(dtype),
    limits: backend.limits,
    ...(options.memoryLimit !== undefined ? { memoryLimit: options.memoryLimit } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
  });
  const variables = specs.map((_, k) => k).filter((k) => !constants.has(k));
  const folded = precomputeConstants(plan, constants, backend);
  const runOptions = execOptions(options);
  // float32 constants met by a float64 operand: numpy computes in float64, so the constants are folded again in float64 (once).
  let folded64: typeof folded | undefined;
  const run = (...operands: DenseTensor[]): DenseTensor => {
    if (operands.length !== variables.length) {
      throw new InvalidArgumentError(
        `the expression takes ${variables.length} operand${variables.length === 1 ? "" : "s"} (positions ${variables.join(", ")}), got ${operands.length}`,
        "pass only the operands that were not given as constants",
      );
    }
    operands.forEach((x, i) => {
      if (!(x instanceof DenseTensor))
        throw new InvalidArgumentError(`operand ${variables[i]} is not a DenseTensor`, "pass tensors, e.g. tensor([[1, 2], [3, 4]])");
    });
    const constantDType = constants.size > 0 ? dtype : undefined;
    const wide =
      [...operands, ...constants.values()].some((x) => x.dtype === "float64") &&
      [...operands, ...constants.values()].some((x) => x.dtype === "float32");
    const xs = wide ? operands.map((x) => (x.dtype === "float32" ? x.astype("float64") : x)) : operands;
    const all = new Map<number, DenseTensor>(xs.map((x, i) => [variables[i]!, x]));
    if (wide && constantDType === "float32") {
      folded64 ??= precomputeConstants(plan, new Map([...constants].map(([k, c]) => [k, c.astype("float64")])), backend);
      return executePlanFrom(plan, all, folded64, backend, runOptions);
    }
    return executePlanFrom(plan, all, folded, backend, runOptions);
  };
  return Object.assign(run, { equation: problem.equation, plan, info: pathInfo(problem, path), variables });
}
