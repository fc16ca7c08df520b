/**
 * `einsumAsync`: {@link einsum} for backends that read back asynchronously (the GPU backend in
 * `webgpu` mode). Operands are uploaded once, intermediates stay on the backend, only the result is
 * read back.
 * @module
 */
import type { DenseTensor } from "../dense.js";
import { parseEinsum } from "../einsum/parse.js";
import { commonDType, execOptions, planProblem, resolveBackend, type EinsumOptions } from "./einsum.js";
import { executePlanAsync } from "../plan/execute.js";

/**
 * Contracts operands by a numpy einsum equation on `options.backend` (default: the backend of `options.context`, else of the default context)
 * and resolves to the result on the host.
 * @throws {@link EinsumSyntaxError} / {@link ShapeMismatchError} / {@link MemoryLimitError} as {@link einsum}.
 * @example
 * ```ts
 * import { einsumAsync, tensor } from "multilinear";
 * (await einsumAsync("ij->j", [tensor([[1, 2], [3, 4]])])).toArray(); // => [4, 6]
 * ```
 * @category Einsum & paths
 */
export async function einsumAsync(equation: string, operands: readonly DenseTensor[], options: EinsumOptions = {}): Promise<DenseTensor> {
  const dtype = commonDType(operands);
  const problem = parseEinsum(
    equation,
    operands.map((x) => x.shape),
  );
  const backend = resolveBackend(options);
  const plan = planProblem(problem, { ...options, backend, dtype });
  return executePlanAsync(plan, operands, backend, execOptions(options));
}
