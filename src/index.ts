/**
 * multilinear: tensor-network algebra for TypeScript.
 *
 * - {@link einsum} and friends contract dense tensors by numpy's einsum grammar;
 * - {@link parseEinsum} produces the {@link EinsumProblem} every later stage consumes;
 * - {@link pathCost} is the exact (bigint) cost model; {@link planContraction} / {@link executePlan} run a path on a backend.
 *
 * The GPU backend is the separate entry `multilinear/gpu`; the fast-check kit is `multilinear/testing`.
 * The guides (in the site's navigation and in `docs/guides/`) explain each area with worked examples.
 * @module multilinear
 * @categoryDescription Tensor
 * Dense tensors: dtypes, creation, random numbers, shapes and comparison.
 * @categoryDescription Einsum & paths
 * numpy's einsum grammar, contraction-path optimizers, the exact cost model, plans and their execution.
 * @categoryDescription Backends
 * The backend interfaces, the CPU backend and its WebAssembly kernels, backend-generic layer operations.
 * @categoryDescription Decompositions
 * CP, tensor-ring and tensor-train tensors, their fits (CP-ALS, TR-SVD/ALS, TT-SVD) and the linear algebra under them.
 * @categoryDescription μMoE
 * Multilinear Mixture-of-Experts layers, gates and activations, weight files, dense/sparse/soft MoE references.
 * @categoryDescription Budgets
 * Exact parameter and MAC counts, symbolic formulas, rank matching, expert-rank analysis, sweeps and their charts.
 * @categoryDescription I/O
 * `.npy` and `.safetensors` readers and writers.
 * @categoryDescription Errors
 * The typed errors: every one is a {@link MultilinearError} with a `code`, a message and a `hint`.
 */
export * from "./errors.js";
export { checkOptionKeys, closestKey } from "./option-keys.js";
export type { DType, DataOf, FloatArray } from "./tensor/dtype.js";
export { itemSize, parseDType } from "./tensor/dtype.js";
export { DenseTensor, type NestedArray } from "./tensor/dense.js";
export {
  tensor,
  fromData,
  full,
  zeros,
  ones,
  scalar,
  eye,
  arange,
  randn,
  rand,
  type CreateOptions,
  type RandomOptions,
} from "./tensor/create.js";
export { allClose, difference, type CloseOptions, type Difference } from "./tensor/compare.js";
export { Rng } from "./tensor/random.js";
export { shapeSize, broadcastShapes, MAX_ELEMENTS } from "./tensor/shape.js";
export { getSymbol, formatEinsum, type Label } from "./tensor/einsum/labels.js";
export { makeProblem, type EinsumProblem, type ProblemSpec } from "./tensor/einsum/problem.js";
export { parseEinsum, parseSublist, ELLIPSIS, type SublistLabel } from "./tensor/einsum/parse.js";
export { referenceEinsum, referenceContract, REFERENCE_MAX_ITERATIONS } from "./tensor/api/reference.js";
export { pathCost, naiveCost, log10Big, type ContractionCost, type NaiveCost, type StepCost } from "./tensor/paths/cost.js";
export { linearToSsa, ssaToLinear, validateSsa, type Path, type PathStep } from "./tensor/paths/path.js";
export { greedyPath, greedySsa, type GreedyOptions } from "./tensor/paths/greedy.js";
export { toNetwork, type PathNetwork } from "./tensor/paths/compact.js";
export { searchPath, type SearchOptions, type SearchResult } from "./tensor/paths/search.js";
export { dpPath, connectedComponents, DP_MAX_COMPONENT, type DpOptions } from "./tensor/paths/dp.js";
export { randomGreedySsa, ssaFlops, type RandomGreedyOptions } from "./tensor/paths/random-greedy.js";
export { annealSsa, hyperSsa, reconfigureSsa, type AnnealOptions } from "./tensor/paths/anneal.js";
export { pathInfo, formatPathInfo, pathInfoJson, type PathInfo, type PathInfoStep } from "./tensor/paths/info.js";
export { pathTreeSvg, type TreeSvgOptions } from "./tensor/paths/svg.js";
export { findSlices, slicedProblem, type Slicing } from "./tensor/paths/slicing.js";
export {
  runCorpus,
  type Corpus,
  type CorpusCase,
  type CorpusRun,
  type CorpusOptions,
  type CaseResult,
  type OptimizerSummary,
} from "./tensor/paths/corpus.js";
export { contract, contractPath, contractSliced, type ContractOptions, type ContractPathResult } from "./tensor/api/contract.js";
export { contractExpression, type ContractExpression } from "./tensor/api/expression.js";
export { EINSUM_OPTION_KEYS, type EinsumCallOptions, type NumericArray, type OperandInput } from "./tensor/api/arguments.js";
export {
  getOptimizer,
  findPath,
  exhaustiveSearchSize,
  EXHAUSTIVE_SEARCH_LIMIT,
  optimizerNames,
  registerOptimizer,
  unregisterOptimizer,
  sequentialPath,
  type OptimizeOptions,
  type PathFinder,
  type PathSearch,
  type RegisterOptimizerOptions,
} from "./tensor/paths/registry.js";
export {
  planContraction,
  DEFAULT_MAX_BYTES,
  type ContractionPlan,
  type PlanStep,
  type PairStep,
  type UnaryStep,
  type UnaryOp,
  type PlanOptions,
} from "./tensor/plan/plan.js";
export {
  executePlan,
  executePlanOnBackend,
  executePlanFrom,
  precomputeConstants,
  type FoldedConstants,
  type ExecuteOptions,
} from "./tensor/plan/execute.js";
export { SharedIntermediates, sharedIntermediates } from "./tensor/plan/shared-intermediates.js";
export type { Backend, BackendTensor, BackendLimits } from "./tensor/backends/backend.js";
export { CpuBackend } from "./tensor/backends/cpu/backend.js";
export {
  einsum,
  einsumSublist,
  planProblem,
  choosePath,
  commonDType,
  type EinsumOptions,
  type OptimizeSpec,
  type SublistOperand,
} from "./tensor/api/einsum.js";
export {
  createContext,
  defaultContext,
  defaultBackend,
  clearPlanCache,
  EinsumContext,
  PlanCache,
  PLAN_CACHE_SIZE,
  type ContextOptions,
} from "./tensor/api/context.js";
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

// ---- moe budget: parameter/FLOP calculators, rank matching, expert-rank analysis, plots ----
export {
  LAYER_KINDS,
  maxTensorRank,
  ringFromTriples,
  triplesFromRing,
  expertTensorShape,
  resolveLayer,
  rankBoundWarnings,
  type ResolvedLayer,
  type LayerSpec,
  type LayerKind,
  type BaselineSpec,
  type CommonLayerSpec,
  type LinearSpec,
  type DenseMoESpec,
  type SparseMoESpec,
  type SoftMoESpec,
} from "./moe/budget/spec.js";
export type { ParameterEntry } from "./moe/budget/params.js";
export type { MacEntry } from "./moe/budget/macs.js";
export { evaluateFormula, formulaToTex, formulaScope, layerFormulas, type LayerFormulas } from "./moe/budget/formula.js";
export { layerBudget, budgetTex, type LayerBudget } from "./moe/budget/layer-budget.js";
export {
  derivedMacs,
  layerEinsum,
  officialPath,
  naivePath,
  fastOrderOptimizer,
  type DerivedMacs,
  type LayerEinsum,
} from "./moe/budget/paths.js";
export {
  matchRank,
  solveRank,
  linearTarget,
  relativeDifference,
  type MatchMode,
  type RankTemplate,
  type RankMatchOptions,
  type RankMatch,
  type RankMatchFound,
  type RankMatchInfeasible,
} from "./moe/budget/rank-solve.js";
export {
  maxExpertRank,
  expertRankComparison,
  rankProfile,
  type RankComparisonEntry,
  type RankComparisonRow,
  type RankComparisonOptions,
  type ExpertTensorSource,
  type RankProfileOptions,
  type RankProfile,
} from "./moe/budget/rank-analysis.js";
export { formatBudgetTable, formatCount, describeLayer, type BudgetTableOptions } from "./moe/budget/table.js";
export {
  budgetSweep,
  expertRange,
  formatSweepTable,
  sweepChartSvg,
  type SweepOptions,
  type SweepEntry,
  type SweepRow,
  type SweepResult,
} from "./moe/budget/sweep.js";
export {
  renderLineChart,
  formatTick,
  type LineChartOptions,
  type ChartPanel,
  type ChartSeries,
  type ChartPoint,
} from "./plot/line-chart.js";

// CPU kernels: WebAssembly SIMD GEMM / copy / sum kernels and the worker pool behind CpuBackend.
export type { CpuBackendOptions, CpuKernels, MatmulInto } from "./tensor/backends/cpu/backend.js";
export { wasmKernelsSupported, bestKernelVariant, type KernelVariant } from "./kernels/runtime.js";

// ---- moe: μMoE layers, gating, activations, PyTorch weights ----
export type { MuMoEConfig, MuMoEKind, GateNormalization, GateActivation, TRRanks, ResolvedMuMoEConfig } from "./moe/config.js";
export { erf, erfc, gelu } from "./math/special.js";
export { softmax, entmax15, sparsemax, entmaxBisect, layerNormRows, type EntmaxBisectOptions } from "./tensor/activations.js";
export { normalizeLogits, activate, type BatchNormStats } from "./moe/gate.js";
export { muMoEForward, muMoEGates, NORM_EPS, type LayerTensors, type ForwardSpec } from "./moe/forward.js";
export { FactorizedExperts } from "./moe/experts.js";
export { DeviceMuMoE, type DeviceBackend } from "./moe/device.js";
export {
  MuMoELayer,
  resolveMuMoEConfig,
  appendOnes,
  expectedShapes,
  layerOpsOf,
  layerTensors,
  type MuMoEWeights,
  type ForwardOptions,
  type MuMoELayerOptions,
} from "./moe/mumoe.js";
export { createMuMoE, type CreateMuMoEOptions } from "./moe/init.js";
export {
  loadMuMoE,
  saveMuMoE,
  saveMuMoEFile,
  muMoEFromSafetensors,
  configFromOfficial,
  officialFromConfig,
  type OfficialConstructorArgs,
  type LoadMuMoEOptions,
} from "./moe/io.js";
export {
  DenseMoE,
  SparseMoE,
  SoftMoE,
  denseExpertsForward,
  muMoEDenseForward,
  type DenseCheckable,
  type MoEConfig,
  type MoEWeights,
  type MoEForwardOptions,
  type SoftMoEWeights,
} from "./moe/references.js";
export { flattenExperts, flattenGates } from "./moe/hierarchy.js";

// ---- linalg ----
export { qr, type QR } from "./linalg/qr.js";
export { svd, singularValues, type SVD, type SVDOptions } from "./linalg/svd.js";
export { cholesky, choleskySolve, solveSymmetric, lstsq, pinv, eigh, type Eigh, type PinvOptions } from "./linalg/solve.js";
export { khatriRao, kron, unfold, fold } from "./linalg/products.js";
export { frobenius, type Matrix, type LinalgOptions } from "./linalg/matrix.js";
export {
  isNetworkOperand,
  expandNetworks,
  type TensorNetworkOperand,
  type NetworkDescription,
  type Operand,
} from "./tensor/network-operands.js";
export { CPTensor, cpToTensor, cpNorm, cpNormalize } from "./decomp/cp.js";
export { DENSE_LIMIT } from "./decomp/dense-guard.js";
export { TRTensor, TTTensor, trToTensor, ttToTensor } from "./decomp/tr.js";
export { cpAls, mttkrpOf, type CPAlsOptions, type CPAlsResult } from "./decomp/fit/cp-als.js";
export type { FitReport, ProgressCallback } from "./decomp/fit/common.js";
export { ringRanks, trainRanks } from "./decomp/rank-lists.js";
export { trSvd, trAls, ttSvd, ttRound, type TRAlsOptions, type TTSvdOptions } from "./decomp/fit/tr-tt.js";
export { matrixRank, unfoldingRank, type RankTolerance } from "./decomp/numerical-rank.js";
export { writeFactorized, readFactorized, methodOf, ranksOf, type Factorized } from "./decomp/io.js";

// ---- device backends: backend-generic asynchronous execution and layer operations ----
// The GPU backend itself is the separate entry `multilinear/gpu` (src/gpu/index.ts), so that this
// entry never loads gpu.js or webgpu.
export { executePlanAsync } from "./tensor/plan/execute.js";
export { einsumAsync } from "./tensor/api/einsum-async.js";
export type { LayerOps, NormOptions } from "./tensor/backends/layer-ops.js";
export { cpuLayerOps } from "./tensor/backends/cpu/layer-ops.js";
