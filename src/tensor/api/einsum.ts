/**
 * `einsum`: parse → find a path → plan → execute.
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { Backend, BackendTensor } from "../backends/backend.js";
import type { DenseTensor } from "../dense.js";
import { itemSize } from "../dtype.js";
import { parseEinsum, parseSublist, type SublistLabel } from "../einsum/parse.js";
import type { EinsumProblem } from "../einsum/problem.js";
import { executePlan } from "../plan/execute.js";
import type { SharedIntermediates } from "../plan/shared-intermediates.js";
import { defaultContext } from "./context.js";

// The backend of the default context, for modules that run on it (they import it from here).
export { defaultBackend, clearPlanCache, PLAN_CACHE_SIZE } from "./context.js";
import { linearToSsa, type Path } from "../paths/path.js";
import { getOptimizer, optimizerKey, type OptimizeOptions } from "../paths/registry.js";
import type { EinsumOptions, OptimizeSpec } from "./options.js";
import { planContraction, type ContractionPlan } from "../plan/plan.js";
import { expandNetworks, isNetworkOperand, type Operand } from "../network-operands.js";
import {
  EINSUM_OPTION_KEYS,
  einsumArguments,
  promoteOperands,
  resolveEinsumOptions,
  sublistAt,
  sublistOperands,
  type EinsumCallOptions,
  type OperandInput,
} from "./arguments.js";

export type { EinsumOptions, OptimizeSpec } from "./options.js";

/** The backend a call runs on: `backend`, else the context's, else the default context's. */
export function resolveBackend(options: Pick<EinsumOptions, "backend" | "context">): Backend<BackendTensor> {
  return options.backend ?? (options.context ?? defaultContext()).backend;
}

/** The cache key of a call, or undefined when the call must not be cached. */
function planKey(equation: string, operands: readonly Operand[], dtype: string, options: EinsumOptions): string | undefined {
  if (options.cachePlan === false || typeof options.optimize === "function") return undefined;
  let shapes = "";
  for (const x of operands) {
    if (isNetworkOperand(x)) return undefined;
    shapes += x.shape.join(",") + ";";
  }
  const o = options.optimize;
  const opt = o === undefined ? "auto" : typeof o === "string" ? optimizerKey(o) : JSON.stringify(o);
  return `${equation}|${shapes}|${dtype}|${opt}|${options.memoryLimit ?? ""}|${options.maxBytes ?? ""}|${options.seed ?? ""}|${options.timeLimitMs ?? ""}`;
}

/** Finds an SSA path for a problem according to `optimize`. @category Einsum & paths */
export function choosePath(problem: EinsumProblem, optimize: OptimizeSpec | undefined, options: OptimizeOptions = {}): Path {
  const n = problem.inputs.length;
  // One or two operands have one path; skip the optimizer machinery (it dominates tiny einsums).
  if ((optimize === undefined || optimize === "auto") && n <= 2 && options.memoryLimit === undefined) return n === 1 ? [[0]] : [[0, 1]];
  if (optimize === undefined) return getOptimizer("auto")(problem, options);
  if (typeof optimize === "string") return getOptimizer(optimize)(problem, options);
  if (typeof optimize === "function") return optimize(problem, options);
  if (optimize && Array.isArray(optimize.path)) {
    return optimize.format === "ssa" ? optimize.path : linearToSsa(optimize.path, problem.inputs.length);
  }
  throw new InvalidArgumentError(
    "`optimize` is neither an optimizer name, a function nor { path }",
    "pass e.g. optimize: 'greedy' or optimize: { path: [[0, 1]] }",
  );
}

/**
 * Plans a contraction of a parsed problem (path search, lowering, memory check).
 * @param options - optimizer and memory options; `dtype` (of the operands) sizes the byte estimate.
 * @category Einsum & paths
 */
export function planProblem(
  problem: EinsumProblem,
  options: EinsumOptions & { readonly dtype?: "float32" | "float64" } = {},
): ContractionPlan {
  const path = choosePath(problem, options.optimize, options);
  return planContraction(problem, path, {
    ...(options.memoryLimit !== undefined ? { memoryLimit: options.memoryLimit } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    itemSize: itemSize(options.dtype ?? "float64"),
    ...(options.backend ? { limits: options.backend.limits } : {}),
  });
}

/**
 * Contracts operands by a numpy einsum equation. The operands may be given as one list or as
 * arguments (options last, optional), or in numpy's interleaved form `einsum(a, [0, 1], b, [1, 2],
 * [0, 2])`. An operand may be a tensor, a factorized tensor, nested arrays of numbers, a
 * Float64Array/Float32Array (1-D) or a number. Mixed float32/float64 operands are computed in
 * float64 (numpy's promotion); otherwise the result has the operands' dtype.
 * @param equation - `"ij,jk->ik"`; implicit output, `...`, repeated labels and spaces allowed.
 * @param operands - dense tensors, or factorized tensors (CP/TR/TT), which expand into their factors.
 * @param options - see {@link EinsumOptions}; `optimize` may also be an opt_einsum path list and
 * `memoryLimit` `"max_input"`. An unknown key is an error naming the closest valid one.
 * @throws {@link EinsumSyntaxError} when the equation does not parse.
 * @throws {@link ShapeMismatchError} when a label has two sizes.
 * @throws {@link UnknownOptionError} for a misspelled option.
 * @throws {@link InvalidArgumentError} for a value that is not an operand or an option of the wrong type.
 * @throws {@link MemoryLimitError} when an intermediate exceeds `memoryLimit`.
 * @example
 * ```ts
 * import { tensor, einsum } from "multilinear";
 * const a = tensor([[1, 2], [3, 4]]);
 * einsum("ii->", [a]).item(); // => 5
 * einsum("ij,jk->ik", [a, a]).toArray(); // => [[7, 10], [15, 22]]
 * einsum("ij,jk->ik", [[1, 2], [3, 4]], [[1, 0], [0, 1]]).toArray(); // => [[1, 2], [3, 4]]
 * einsum("i,i->", new Float64Array([1, 2]), new Float64Array([3, 4])).item(); // => 11
 * einsum(a, [0, 1], a, [1, 2], [0, 2]).toArray(); // => [[7, 10], [15, 22]]
 * ```
 * @category Einsum & paths
 */
export function einsum(equation: string, operands: readonly OperandInput[], options?: EinsumCallOptions): DenseTensor;
export function einsum(equation: string, ...operands: [...OperandInput[], EinsumCallOptions | undefined] | OperandInput[]): DenseTensor;
export function einsum(...interleaved: (OperandInput | readonly SublistLabel[] | EinsumCallOptions | undefined)[]): DenseTensor;
export function einsum(...args: unknown[]): DenseTensor {
  const { equation, operands, options } = einsumArguments<EinsumOptions>(args, EINSUM_OPTION_KEYS, "einsum");
  const dtype = commonDType(operands);
  const key = planKey(equation, operands, dtype, options);
  if (key !== undefined) {
    const backend = resolveBackend(options);
    const cache = (options.context ?? defaultContext()).planCache(backend);
    let plan = cache.get(key);
    if (!plan) {
      plan = planProblem(
        parseEinsum(
          equation,
          operands.map((x) => x.shape),
        ),
        { ...options, backend, dtype },
      );
      cache.set(key, plan);
    }
    return executePlan(plan, operands as readonly DenseTensor[], backend, execOptions(options));
  }
  const problem = parseEinsum(
    equation,
    operands.map((x) => x.shape),
  );
  return run(problem, operands, dtype, options);
}

/** One operand of {@link einsumSublist}: a tensor and its labels. @category Einsum & paths */
export interface SublistOperand {
  readonly tensor: DenseTensor;
  readonly labels: readonly SublistLabel[];
}

/**
 * numpy's interleaved form: labels are arbitrary numbers or strings (`"..."` is the ellipsis).
 * @example
 * ```ts
 * import { tensor, einsumSublist } from "multilinear";
 * const a = tensor([[1, 2], [3, 4]]);
 * einsumSublist([{ tensor: a, labels: [100, 200] }, { tensor: a, labels: [200, 300] }], [100, 300]).toArray(); // => [[7, 10], [15, 22]]
 * ```
 * @category Einsum & paths
 */
export function einsumSublist(
  operands: readonly SublistOperand[],
  output?: readonly SublistLabel[],
  rawOptions?: EinsumCallOptions,
): DenseTensor {
  const tensors = promoteOperands(sublistOperands(operands).map((o) => o.tensor));
  const dtype = commonDType(tensors);
  const problem = parseSublist(
    operands.map((o) => o.labels),
    tensors.map((x) => x.shape),
    output === undefined ? undefined : sublistAt(output, "the output sublist"),
  );
  const options = resolveEinsumOptions<EinsumOptions>(
    rawOptions,
    tensors.map((x) => x.shape),
    EINSUM_OPTION_KEYS,
    "einsumSublist options",
  );
  return run(problem, tensors, dtype, options);
}

function run(problem: EinsumProblem, operands: readonly Operand[], dtype: "float32" | "float64", options: EinsumOptions): DenseTensor {
  // Factorized operands expand into their factors, so the whole network is planned together.
  const expanded = operands.some(isNetworkOperand)
    ? expandNetworks(problem, operands)
    : { problem, operands: operands as readonly DenseTensor[] };
  const backend = resolveBackend(options);
  const plan = planProblem(expanded.problem, { ...options, backend, dtype });
  return executePlan(plan, expanded.operands, backend, execOptions(options));
}

/** The executor options of a call. */
export function execOptions(options: Pick<EinsumOptions, "shared">): { readonly shared?: SharedIntermediates } {
  return options.shared ? { shared: options.shared } : {};
}

/**
 * The dtype a contraction of these operands computes in: theirs when they agree, float64 when
 * float32 and float64 are mixed (numpy's promotion) or there are none.
 * @example
 * ```ts
 * import { commonDType, zeros } from "multilinear";
 * commonDType([zeros([2], { dtype: "float32" }), zeros([2], { dtype: "float32" })]); // => "float32"
 * commonDType([zeros([2], { dtype: "float32" }), zeros([2])]); // => "float64"
 * ```
 * @category Einsum & paths
 */
export function commonDType(operands: readonly { readonly dtype: "float32" | "float64" }[]): "float32" | "float64" {
  const ds = new Set(operands.map((x) => x.dtype));
  return ds.size === 1 && ds.has("float32") ? "float32" : "float64";
}
