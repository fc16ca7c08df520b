/**
 * CP decomposition by alternating least squares, with TensorLy's `parafac` semantics (docs/guides/decompositions.md#cp-conventions):
 * SVD or seeded random initialisation, optional column normalisation into the weights, stopping on the
 * change of the relative reconstruction error, an error history, and a non-negative variant
 * (multiplicative updates). The error uses TensorLy's expansion `‖X‖² + ‖X̂‖² − 2⟨X, X̂⟩`; when `tol` is
 * below 1e-8 it switches to the exact residual once the error falls below 1e-6, where the expansion's
 * cancellation would hide further progress.
 *
 * On the CPU backend a sweep runs on typed arrays: its MTTKRPs take two GEMMs over X (see
 * `mttkrp.ts`) and its Gram matrices, their Hadamard products and the normal-equation solves are
 * R × R loops, with no einsum parsing or planning per call.
 * @module
 */
import { InvalidArgumentError, NotConvergedError } from "../../errors.js";
import { checkOptionKeys } from "../../option-keys.js";
import { validateShape } from "../../tensor/shape.js";
import { DenseTensor } from "../../tensor/dense.js";
import { CpuBackend } from "../../tensor/backends/cpu/backend.js";
import { defaultBackend, einsum, planProblem } from "../../tensor/api/einsum.js";
import { makeProblem } from "../../tensor/einsum/problem.js";
import { executePlan } from "../../tensor/plan/execute.js";
import type { ContractionPlan } from "../../tensor/plan/plan.js";
import type { DType } from "../../tensor/dtype.js";
import type { Backend, BackendTensor } from "../../tensor/backends/backend.js";
import { getSymbol } from "../../tensor/einsum/labels.js";
import { Rng } from "../../tensor/random.js";
import { eigh } from "../../linalg/solve.js";
import { checkFinite, frobenius } from "../../linalg/matrix.js";
import { CPTensor, cpNormalize, cpToTensor } from "../cp.js";
import { checkShapeOf, positiveInt, type FitReport, type ProgressCallback } from "./common.js";
import { MttkrpSweep } from "./mttkrp.js";
import { gramOf, hadamardOf, multiplicative, scaleColumns, solveNormal } from "./normal-equations.js";

/** Options of {@link cpAls}. @category Decompositions */
export interface CPAlsOptions {
  /** `svd` (default, TensorLy's) or `random` (uniform [0, 1), seeded). */
  readonly init?: "svd" | "random" | CPTensor;
  /** Maximum iterations (default 100). */
  readonly maxIter?: number;
  /** Tolerance on the change of the relative error (default 1e-8). */
  readonly tol?: number;
  /** `abs_rec_error` (default: |e_{t−1} − e_t| < tol) or `rec_error` (e_{t−1} − e_t < tol). */
  readonly cvgCriterion?: "abs_rec_error" | "rec_error";
  /** Normalise factor columns into the weights after every iteration (default false). */
  readonly normalizeFactors?: boolean;
  /** Non-negative factors (multiplicative updates; `init` values are made non-negative). */
  readonly nonNegative?: boolean;
  /** Seed of the random initialisation (and of the random columns SVD init adds when a mode is smaller than R). */
  readonly seed?: number;
  /** Throw {@link NotConvergedError} instead of returning `converged: false`. */
  readonly requireConvergence?: boolean;
  /** Called after every iteration. */
  readonly onIteration?: ProgressCallback;
  /**
   * Backend for the contractions (default: the shared CPU backend). A {@link CpuBackend} runs the
   * MTTKRPs as two GEMMs per sweep on typed arrays; any other backend runs one planned einsum
   * contraction per mode. The R × R algebra (Gram matrices, solves) always runs on the host.
   */
  readonly backend?: Backend<BackendTensor>;
}

/** Result of {@link cpAls}. @category Decompositions */
export interface CPAlsResult extends FitReport {
  readonly cp: CPTensor;
}

/**
 * Fits a rank-R CP tensor to `x` by ALS (TensorLy's `parafac`).
 * @throws {@link InvalidArgumentError} for rank < 1, non-finite data or bad options.
 * @example
 * ```ts
 * import { cpAls, CPTensor, cpToTensor, randn } from "multilinear";
 * const planted = new CPTensor(undefined, [randn([6, 2], { seed: 1 }), randn([5, 2], { seed: 2 }), randn([4, 2], { seed: 3 })]);
 * const fit = cpAls(cpToTensor(planted), 2, { tol: 1e-14, maxIter: 500 });
 * fit.errors[fit.errors.length - 1]! < 1e-6; // => true
 * ```
 * @category Decompositions
 */
export function cpAls(x: DenseTensor, rank: number, options: CPAlsOptions = {}): CPAlsResult {
  checkOptionKeys(
    options,
    ["init", "maxIter", "tol", "cvgCriterion", "normalizeFactors", "nonNegative", "seed", "requireConvergence", "onIteration", "backend"],
    "cpAls options",
  );
  checkShapeOf(x);
  const X = x.astype("float64");
  const normX = normOf(X, x);
  positiveInt(rank, "rank");
  // The factors are I_n × R: refuse a rank no factor can hold before any of them is allocated.
  for (const n of X.shape) validateShape([n, rank], "a CP factor");
  const maxIter = options.maxIter ?? 100;
  positiveInt(maxIter, "maxIter");
  const tol = options.tol ?? 1e-8;
  if (!(tol >= 0)) throw new InvalidArgumentError(`tol must be ≥ 0, got ${tol}`, "pass a tolerance such as 1e-8");
  const D = X.ndim;
  const rng = new Rng(options.seed ?? 0);
  // Factors are n × R row-major arrays, replaced (never written into) when they change.
  const backend = options.backend ?? defaultBackend();
  let factors: Float64Array[] = initialFactors(X, rank, options, rng, backend).map((f) => f.astype("float64").toTypedArray());
  if (options.nonNegative) factors = factors.map((f) => f.map(Math.abs));
  let weights = new Float64Array(rank).fill(1);
  const errors: number[] = [];
  let converged = false;
  const { mttkrp, release } = mttkrpFor(X, rank, backend);
  let grams = factors.map((f) => gramOf(f, rank));
  try {
    for (let it = 0; it < maxIter; it++) {
      // Weights live in factor 0 during a sweep.
      if (weights.some((w) => w !== 1)) {
        factors[0] = scaleColumns(factors[0]!, weights);
        grams[0] = gramOf(factors[0], rank);
        weights = new Float64Array(rank).fill(1);
      }
      let last: Float64Array = new Float64Array(0);
      for (let m = 0; m < D; m++) {
        const V = hadamardOf(grams, m, rank);
        last = mttkrp(factors, m);
        factors[m] = options.nonNegative ? multiplicative(factors[m]!, last, V, rank) : solveNormal(V, last, rank);
        grams[m] = gramOf(factors[m]!, rank);
      }
      // ‖X − X̂‖² = ‖X‖² + ‖X̂‖² − 2⟨X, X̂⟩, with ⟨X, X̂⟩ from the last mode's MTTKRP and ‖X̂‖² from the Gram matrices.
      const u = factors[D - 1]!;
      let inner = 0;
      for (let i = 0; i < last.length; i++) inner += last[i]! * u[i]!;
      let normHat2 = 0;
      for (const v of hadamardOf(grams, -1, rank)) normHat2 += v;
      let err = Math.sqrt(Math.abs(normX * normX + normHat2 - 2 * inner)) / (normX || 1);
      // The expansion loses digits to cancellation (its noise is ~1e-8 relative); when the tolerance asks
      // for more than that, the residual is formed exactly once the error is small.
      if (err < 1e-6 && tol < 1e-8) err = exactError(X, factors, normX);
      errors.push(err);
      options.onIteration?.(it + 1, err);
      if (options.normalizeFactors) {
        const n = cpNormalize(new CPTensor(new DenseTensor(weights, [rank]), factorTensors(factors, rank)));
        factors = n.factors.map((f) => f.toTypedArray() as Float64Array);
        weights = Float64Array.from(n.weights.toTypedArray());
        grams = factors.map((f) => gramOf(f, rank));
      }
      if (it >= 1) {
        const prev = errors[it - 1]!;
        const done = (options.cvgCriterion ?? "abs_rec_error") === "rec_error" ? prev - err < tol : Math.abs(prev - err) < tol;
        if (done) {
          converged = true;
          break;
        }
      }
    }
  } finally {
    release();
  }
  if (!converged && options.requireConvergence) {
    throw new NotConvergedError(
      `CP-ALS did not converge in ${maxIter} iterations (last relative error ${errors[errors.length - 1]})`,
      "raise maxIter, loosen tol, or try another rank or init",
    );
  }
  const cp = new CPTensor(
    new DenseTensor(weights, [rank]).astype(x.dtype),
    factorTensors(factors, rank).map((f) => f.astype(x.dtype)),
  );
  return { cp, errors, iterations: errors.length, converged };
}

/**
 * The MTTKRPs of a sweep: on the CPU backend GEMMs and loops on typed arrays ({@link MttkrpSweep}),
 * elsewhere one planned contraction per mode on `backend`.
 */
function mttkrpFor(
  X: DenseTensor<"float64">,
  rank: number,
  backend: Backend<BackendTensor>,
): { mttkrp: (factors: readonly Float64Array[], mode: number) => Float64Array; release: () => void } {
  if (backend instanceof CpuBackend) {
    const sweep = new MttkrpSweep(X, rank, backend);
    return { mttkrp: (factors, mode) => sweep.mttkrp(factors, mode), release: () => sweep.release() };
  }
  const plans = X.shape.map((_, m) => mttkrpPlan(X.shape, rank, m));
  return {
    mttkrp: (factors, mode) => {
      const others = factorTensors(factors, rank).filter((_, k) => k !== mode);
      return executePlan(plans[mode]!, [X, ...others], backend).toTypedArray() as Float64Array;
    },
    release: () => undefined,
  };
}

/**
 * `X_(m) · KhatriRao(U_k, k ≠ m)` (`I_m × R`) on the shared CPU backend, as {@link cpAls} computes it:
 * one GEMM contracts a run of X's trailing modes (for modes before it; its leading modes for the
 * others) with their factors, reading X in place, and loops contract the modes left in that
 * rank-batched partial.
 * @example
 * ```ts
 * import { mttkrpOf, tensor } from "multilinear";
 * const x = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
 * const ones = tensor([[1], [1]]);
 * mttkrpOf(x, [ones, ones, ones], 0).toArray(); // => [[10], [26]]
 * ```
 * @category Decompositions
 */
export function mttkrpOf(X: DenseTensor, factors: readonly DenseTensor[], mode: number): DenseTensor {
  const rank = factors[0]!.shape[1]!;
  const x = X.astype("float64");
  const sweep = new MttkrpSweep(x, rank, defaultBackend());
  try {
    const out = sweep.mttkrp(
      factors.map((f) => f.astype("float64").toTypedArray()),
      mode,
    );
    return new DenseTensor(out, [X.shape[mode]!, rank]).astype(X.dtype);
  } finally {
    sweep.release();
  }
}

/**
 * `X_(m) · KhatriRao(U_k, k ≠ m)` as one planned contraction (what {@link cpAls} runs on backends other
 * than the CPU one), reusable across iterations: the factors after mode m are joined (a Khatri–Rao
 * product) and contracted with X's trailing axes as one GEMM, then the factors before it with the
 * leading axes; X is never copied.
 */
export function mttkrpPlan(shape: readonly number[], rank: number, mode: number, dtype: DType = "float64"): ContractionPlan {
  const D = shape.length;
  const modes = [...Array(D).keys()].map((k) => getSymbol(k));
  const r = getSymbol(D);
  const others = [...Array(D).keys()].filter((k) => k !== mode);
  const problem = makeProblem({
    inputs: [modes, ...others.map((k) => [modes[k]!, r])],
    output: [modes[mode]!, r],
    shapes: [shape, ...others.map((k) => [shape[k]!, rank])],
  });
  // SSA ids: X = 0, factors before mode m are 1…m, after it m+1…D−1.
  const path: number[][] = [];
  let next = D;
  const join = (ids: number[]): number | undefined => {
    if (ids.length === 0) return undefined;
    let acc = ids[0]!;
    for (const id of ids.slice(1)) {
      path.push([acc, id]);
      acc = next++;
    }
    return acc;
  };
  let x = 0;
  const right = join(others.filter((k) => k > mode).map((k) => others.indexOf(k) + 1));
  if (right !== undefined) {
    path.push([x, right]);
    x = next++;
  }
  const left = join(others.filter((k) => k < mode).map((k) => others.indexOf(k) + 1));
  if (left !== undefined) path.push([x, left]);
  return planProblem(problem, { optimize: { path, format: "ssa" }, dtype });
}

/**
 * ‖X‖ as a plain sum of squares, or scaled ({@link frobenius}) where that would over- or underflow.
 * A finite sum also proves every entry finite; otherwise `x` is checked for the bad entry.
 */
function normOf(X: DenseTensor<"float64">, x: DenseTensor): number {
  const d = X.data;
  // Four partial sums: one would wait on the previous addition's latency at every element.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = X.offset + X.size;
  let i = X.offset;
  for (; i + 3 < end; i += 4) {
    s0 += d[i]! * d[i]!;
    s1 += d[i + 1]! * d[i + 1]!;
    s2 += d[i + 2]! * d[i + 2]!;
    s3 += d[i + 3]! * d[i + 3]!;
  }
  for (; i < end; i++) s0 += d[i]! * d[i]!;
  const s = s0 + s1 + (s2 + s3);
  if (!Number.isFinite(s)) checkFinite(x, "the tensor");
  return s > 1e-280 && s < Infinity ? Math.sqrt(s) : frobenius(X);
}

function factorTensors(factors: readonly Float64Array[], rank: number): DenseTensor[] {
  return factors.map((f) => new DenseTensor(f, [f.length / rank, rank]));
}

function exactError(X: DenseTensor<"float64">, factors: readonly Float64Array[], normX: number): number {
  const rank = factors[0]!.length / X.shape[0]!;
  const rec = cpToTensor(new CPTensor(undefined, factorTensors(factors, rank))).toTypedArray();
  const x = X.data;
  let s = 0;
  for (let i = 0; i < rec.length; i++) s += (x[X.offset + i]! - rec[i]!) ** 2;
  return Math.sqrt(s) / (normX || 1);
}

function initialFactors(X: DenseTensor, rank: number, options: CPAlsOptions, rng: Rng, backend: Backend<BackendTensor>): DenseTensor[] {
  const init = options.init ?? "svd";
  if (init instanceof CPTensor) {
    if (init.rank !== rank || init.factors.length !== X.ndim || init.shape.some((d, k) => d !== X.shape[k])) {
      throw new InvalidArgumentError(
        `the initial CP tensor has shape [${init.shape.join(", ")}] and rank ${init.rank}`,
        `pass one of shape [${X.shape.join(", ")}] and rank ${rank}`,
      );
    }
    const first = init.factors[0]!;
    const scaled = scaleColumns(first.astype("float64").toTypedArray(), Float64Array.from(init.weights.toTypedArray()));
    return [new DenseTensor(scaled, first.shape), ...init.factors.slice(1).map((f) => f.astype("float64"))];
  }
  if (init === "random") return X.shape.map((n) => randomMatrix(n, rank, rng));
  if (init !== "svd") throw new InvalidArgumentError(`unknown init '${String(init)}'`, "use 'svd', 'random' or a CPTensor");
  return X.shape.map((n, m) => {
    const { vectors, values } = leadingLeftSingular(X, m, Math.min(rank, n), backend);
    const k = vectors.shape[1]!;
    const out = new Float64Array(n * rank);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < rank; r++) {
        out[i * rank + r] = r < k ? vectors.get(i, r) * (m === 0 ? values[r]! : 1) : rng.uniform();
      }
    }
    return new DenseTensor(out, [n, rank]);
  });
}

/**
 * The leading left singular vectors and values of the mode-m unfolding, from the eigendecomposition of
 * its Gram matrix `X_(m) X_(m)ᵀ` (`I_m × I_m`), signs flipped so each vector's largest entry is positive.
 */
function leadingLeftSingular(
  X: DenseTensor,
  mode: number,
  k: number,
  backend: Backend<BackendTensor>,
): { vectors: DenseTensor; values: Float64Array } {
  const D = X.ndim;
  const a = [...Array(D).keys()].map((i) => getSymbol(i));
  const b = a.map((l, i) => (i === mode ? getSymbol(D) : l));
  const gram = einsum(`${a.join("")},${b.join("")}->${a[mode]}${b[mode]}`, [X, X], { backend });
  const { values, vectors } = eigh(symmetrize(gram));
  const n = values.length;
  const out = new Float64Array(n * k);
  const s = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const src = n - 1 - j; // eigh is ascending
    s[j] = Math.sqrt(Math.max(values[src]!, 0));
    let best = 0;
    for (let i = 0; i < n; i++) if (Math.abs(vectors.get(i, src)) > Math.abs(vectors.get(best, src))) best = i;
    const sign = vectors.get(best, src) < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) out[i * k + j] = sign * vectors.get(i, src);
  }
  return { vectors: new DenseTensor(out, [n, k]), values: s };
}

function symmetrize(g: DenseTensor): DenseTensor {
  const n = g.shape[0]!;
  const out = g.clone();
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = (out.get(i, j) + out.get(j, i)) / 2;
      out.set(v, i, j);
      out.set(v, j, i);
    }
  return out;
}

function randomMatrix(n: number, r: number, rng: Rng): DenseTensor {
  const d = new Float64Array(n * r);
  for (let i = 0; i < d.length; i++) d[i] = rng.uniform();
  return new DenseTensor(d, [n, r]);
}
