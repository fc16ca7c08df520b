/**
 * multilinear: tensor-network algebra for TypeScript.
 *
 * - {@link einsum} and friends contract dense tensors by numpy's einsum grammar;
 * - {@link parseEinsum} produces the {@link EinsumProblem} every later stage consumes;
 * - {@link pathCost} is the exact (bigint) cost model; {@link planContraction} / {@link executePlan} run a path on a backend.
 * @packageDocumentation
 */
export * from "./errors.js";
export type { DType, DataOf, FloatArray } from "./tensor/dtype.js";
export { itemSize, parseDType } from "./tensor/dtype.js";
export { DenseTensor, type NestedArray } from "./tensor/dense.js";
export { tensor, fromData, full, zeros, ones, scalar, eye, arange, randn, rand, type CreateOptions, type RandomOptions } from "./tensor/create.js";
export { allClose, difference, type CloseOptions, type Difference } from "./tensor/compare.js";
export { Rng } from "./tensor/random.js";
export { shapeSize, broadcastShapes, MAX_ELEMENTS } from "./tensor/shape.js";
export { getSymbol, formatEinsum, type Label } from "./tensor/einsum/labels.js";
export { makeProblem, type EinsumProblem, type ProblemSpec } from "./tensor/einsum/problem.js";
export { parseEinsum, parseSublist, ELLIPSIS, type SublistLabel } from "./tensor/einsum/parse.js";
export { referenceEinsum, referenceContract, REFERENCE_MAX_ITERATIONS } from "./tensor/einsum/reference.js";
export { pathCost, naiveCost, log10Big, type ContractionCost, type StepCost } from "./tensor/cost.js";
export { linearToSsa, ssaToLinear, validateSsa, type Path, type PathStep } from "./tensor/paths/path.js";
export { greedyPath } from "./tensor/paths/greedy.js";
export { getOptimizer, optimizerNames, sequentialPath, type OptimizeOptions, type PathFinder } from "./tensor/paths/registry.js";
export {
  planContraction,
  DEFAULT_MAX_BYTES,
  type ContractionPlan,
  type PlanStep,
  type PairStep,
  type UnaryStep,
  type UnaryOp,
  type PlanOptions,
} from "./tensor/plan.js";
export { executePlan, executePlanOnBackend } from "./tensor/execute.js";
export type { Backend, BackendTensor, BackendLimits } from "./tensor/backends/backend.js";
export { CpuBackend } from "./tensor/backends/cpu.js";
export {
  einsum,
  einsumSublist,
  planProblem,
  choosePath,
  defaultBackend,
  commonDType,
  type EinsumOptions,
  type OptimizeSpec,
  type SublistOperand,
} from "./tensor/einsum.js";
export { readNpy, writeNpy, readNpyHeader, type NpyHeader } from "./io/npy.js";
export {
  readSafetensors,
  writeSafetensors,
  readSafetensorsHeader,
  type SafetensorsDType,
  type SafetensorsFile,
  type SafetensorsHeader,
  type SafetensorsEntryInfo,
  type SafetensorsWriteEntry,
} from "./io/safetensors.js";
export { readFileBytes, writeFileBytes, loadNpy, saveNpy, loadSafetensors, saveSafetensors } from "./io/files.js";

// CPU kernels: WebAssembly SIMD GEMM / copy / sum kernels and the worker pool behind CpuBackend.
export type { CpuBackendOptions, CpuKernels } from "./tensor/backends/cpu.js";
export { wasmKernelsSupported, bestKernelVariant, type KernelVariant } from "./kernels/runtime.js";
