/**
 * A device-resident CP-μMoE forward pass on any backend with {@link LayerOps}: gate logits
 * `x·G`, normalisation (BatchNorm in eval mode or LayerNorm across experts), activation (entmax-1.5,
 * softmax or sparsemax), then the factorized contraction `bi,bn,nr,ir,or->bo` in the order of the
 * official code (docs/guides/mumoe-reference.md#cp-mumoe). Weights uploaded once with
 * {@link uploadCpMuMoEWeights} stay resident; each call uploads the input, keeps every intermediate on the device and returns device handles.
 *
 * This is the stand-in for the μMoE layer of `src/moe` until that layer runs on backends; it takes
 * the same weights (gate `[I, N]`, factors `U1 [N, R]`, `U2 [I(+1), R]`, `U3 [O, R]`).
 * @module
 */
import { InvalidShapeError } from "../../../errors.js";
import { randn, ones } from "../../create.js";
import type { DenseTensor } from "../../dense.js";
import type { DType } from "../../dtype.js";
import { parseEinsum } from "../../einsum/parse.js";
import { planProblem } from "../../api/einsum.js";
import { executePlanOnBackend } from "../../execute.js";
import type { ContractionPlan } from "../../plan.js";
import type { Backend, BackendTensor } from "../backend.js";
import type { LayerOps } from "../layer-ops.js";

/** Gate normalisation: BatchNorm (eval mode, running statistics), LayerNorm across experts, or none. */
export type CpGateNorm<T> = { readonly kind: "bn"; readonly mean: T; readonly variance: T; readonly eps?: number } | { readonly kind: "ln"; readonly eps?: number } | { readonly kind: "none" };

/** Weights of one CP-μMoE layer (host tensors, or handles on a backend). */
export interface CpMuMoEWeights<T> {
  /** Gate projection `[I, N]`. */
  readonly gate: T;
  /** CP factors `U1 [N, R]`, `U2 [I+1, R]` (or `[I, R]` without bias), `U3 [O, R]`. */
  readonly factors: readonly [T, T, T];
  readonly norm: CpGateNorm<T>;
  readonly act: "entmax15" | "softmax" | "sparsemax";
  /** The input is augmented with a trailing 1 (U2 then has I+1 rows). */
  readonly useBias: boolean;
}

/** The output `[B, O]` and the expert coefficients `[B, N]` (both owned by the caller). */
export interface CpMuMoEResult<T> {
  readonly output: T;
  readonly coefficients: T;
}

/** The official order of the factorized contraction: a·U1, x̃·U2, their Hadamard product, then ·U3ᵀ. */
const CP_PATH = [
  [1, 2],
  [0, 3],
  [5, 6],
  [7, 4],
] as const;

/** Plans of a layer, cached per batch size (the plan fixes every shape). */
export class CpMuMoEPlans {
  private readonly cache = new Map<string, ContractionPlan>();

  /** The gate plan `bi,in->bn` and the layer plan `bi,bn,nr,ir,or->bo` for this batch and these weights. */
  get(b: number, weights: CpMuMoEWeights<BackendTensor>, backend: Backend<BackendTensor>): { gate: ContractionPlan; layer: ContractionPlan } {
    const [u1, u2, u3] = weights.factors;
    const [i, n] = weights.gate.shape as [number, number];
    const ti = u2.shape[0]!;
    const key = `${b}|${i}|${n}|${ti}|${u1.shape[1]}|${u3.shape[0]}`;
    const gk = `g${key}`;
    let gate = this.cache.get(gk);
    if (!gate) {
      gate = planProblem(parseEinsum("bi,in->bn", [[b, i], [i, n]]), { backend, dtype: "float32" });
      this.cache.set(gk, gate);
    }
    let layer = this.cache.get(key);
    if (!layer) {
      const shapes = [[b, ti], [b, n], u1.shape, u2.shape, u3.shape];
      layer = planProblem(parseEinsum("bi,bn,nr,ir,or->bo", shapes), { backend, dtype: "float32", optimize: { path: CP_PATH.map((s) => [...s]), format: "ssa" } });
      this.cache.set(key, layer);
    }
    return { gate, layer };
  }
}

/**
 * Checks the weights' shapes against each other.
 * @throws {@link InvalidShapeError} naming the first inconsistent factor.
 */
export function checkCpWeights(w: CpMuMoEWeights<BackendTensor>): { inputDim: number; experts: number; rank: number; outputDim: number } {
  const [u1, u2, u3] = w.factors;
  const bad = (what: string, want: string, got: readonly number[]): never => {
    throw new InvalidShapeError(`CP-μMoE ${what} must have shape ${want}, got [${got.join(", ")}]`, "pass gate [I, N], U1 [N, R], U2 [I+1, R] (I without bias), U3 [O, R]");
  };
  if (w.gate.shape.length !== 2) bad("gate", "[I, N]", w.gate.shape);
  const [i, n] = w.gate.shape as [number, number];
  if (u1.shape.length !== 2 || u1.shape[0] !== n) bad("U1", `[${n}, R]`, u1.shape);
  const r = u1.shape[1]!;
  const ti = w.useBias ? i + 1 : i;
  if (u2.shape.length !== 2 || u2.shape[0] !== ti || u2.shape[1] !== r) bad("U2", `[${ti}, ${r}]`, u2.shape);
  if (u3.shape.length !== 2 || u3.shape[1] !== r) bad("U3", `[O, ${r}]`, u3.shape);
  if (w.norm.kind === "bn") {
    if (w.norm.mean.shape.length !== 1 || w.norm.mean.shape[0] !== n) bad("BatchNorm mean", `[${n}]`, w.norm.mean.shape);
    if (w.norm.variance.shape.length !== 1 || w.norm.variance.shape[0] !== n) bad("BatchNorm variance", `[${n}]`, w.norm.variance.shape);
  }
  return { inputDim: i, experts: n, rank: r, outputDim: u3.shape[0]! };
}

/** Uploads host weights once; on backends with `resident` they survive every release. */
export function uploadCpMuMoEWeights<T extends BackendTensor>(backend: Backend<T> & { resident?(x: DenseTensor): T }, w: CpMuMoEWeights<DenseTensor>): CpMuMoEWeights<T> {
  checkCpWeights(w);
  const up = (x: DenseTensor): T => (backend.resident ? backend.resident(x) : backend.upload(x));
  const norm: CpGateNorm<T> = w.norm.kind === "bn" ? { ...w.norm, mean: up(w.norm.mean), variance: up(w.norm.variance) } : w.norm;
  return { gate: up(w.gate), factors: [up(w.factors[0]), up(w.factors[1]), up(w.factors[2])], norm, act: w.act, useBias: w.useBias };
}

/**
 * One forward pass on `x [B, I]` (already on the backend). Intermediates are released as soon as
 * they are used; the output and the coefficients are the caller's to release.
 * @throws {@link InvalidShapeError} when `x` does not match the weights.
 * @example
 * ```ts
 * import { CpuBackend, cpuLayerOps, cpMuMoEForward, randomCpMuMoEWeights, randn } from "multilinear";
 * const cpu = new CpuBackend({ kernels: "ts" });
 * const w = randomCpMuMoEWeights({ inputDim: 4, outputDim: 3, experts: 5, rank: 2, seed: 1 });
 * const { output, coefficients } = cpMuMoEForward(cpu, cpuLayerOps, w, randn([2, 4], { seed: 2, dtype: "float32" }));
 * output.shape; // => [2, 3]
 * Math.abs(coefficients.toTypedArray().slice(0, 5).reduce((s, v) => s + v, 0) - 1) < 1e-6; // => true
 * ```
 */
export function cpMuMoEForward<T extends BackendTensor>(backend: Backend<T>, ops: LayerOps<T>, weights: CpMuMoEWeights<T>, x: T, plans: CpMuMoEPlans = defaultPlans): CpMuMoEResult<T> {
  const dims = checkCpWeights(weights);
  if (x.shape.length !== 2 || x.shape[1] !== dims.inputDim) {
    throw new InvalidShapeError(`CP-μMoE input must have shape [B, ${dims.inputDim}], got [${x.shape.join(", ")}]`, "reshape the input to [batch, features]");
  }
  const { gate, layer } = plans.get(x.shape[0]!, weights, backend as Backend<BackendTensor>);
  const release = (t: T): void => backend.release?.(t);
  const logits = executePlanOnBackend(gate, [x, weights.gate], backend);
  let normed = logits;
  if (weights.norm.kind === "bn") normed = ops.batchNormEval(logits, weights.norm.mean, weights.norm.variance, weights.norm.eps === undefined ? {} : { eps: weights.norm.eps });
  else if (weights.norm.kind === "ln") normed = ops.layerNorm(logits, weights.norm.eps === undefined ? {} : { eps: weights.norm.eps });
  if (normed !== logits) release(logits);
  const a = weights.act === "softmax" ? ops.softmax(normed) : weights.act === "sparsemax" ? ops.sparsemax(normed) : ops.entmax15(normed);
  release(normed);
  const xt = weights.useBias ? ops.appendOnes(x) : x;
  const output = executePlanOnBackend(layer, [xt, a, ...weights.factors], backend);
  if (xt !== x) release(xt);
  return { output, coefficients: a };
}

const defaultPlans = new CpMuMoEPlans();

/** Options of {@link randomCpMuMoEWeights}. */
export interface RandomCpOptions {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly experts: number;
  readonly rank: number;
  readonly seed: number;
  readonly act?: CpMuMoEWeights<DenseTensor>["act"];
  /** Gate normalisation (default `"bn"` with running mean 0, variance 1 plus noise). */
  readonly norm?: "bn" | "ln" | "none";
  readonly useBias?: boolean;
  readonly dtype?: DType;
}

/**
 * Random weights for tests, benchmarks and examples (normal entries scaled so activations stay of
 * order one; not the official initialisation, whose zero gate makes every coefficient 1/N).
 */
export function randomCpMuMoEWeights(o: RandomCpOptions): CpMuMoEWeights<DenseTensor> {
  const dtype = o.dtype ?? "float32";
  const useBias = o.useBias ?? true;
  const ti = useBias ? o.inputDim + 1 : o.inputDim;
  const scaled = (shape: number[], seed: number, s: number, shift = 0): DenseTensor => {
    const t = randn(shape, { seed, dtype });
    const d = t.data;
    for (let k = 0; k < d.length; k++) d[k] = d[k]! * s + shift;
    return t;
  };
  const norm = o.norm ?? "bn";
  let gateNorm: CpGateNorm<DenseTensor>;
  if (norm === "bn") {
    const variance = ones([o.experts], { dtype });
    const noise = randn([o.experts], { seed: o.seed + 5, dtype });
    for (let k = 0; k < o.experts; k++) variance.data[k] = 1 + 0.5 * Math.abs(noise.data[k]!);
    gateNorm = { kind: "bn", mean: scaled([o.experts], o.seed + 6, 0.1), variance };
  } else gateNorm = { kind: norm };
  return {
    gate: scaled([o.inputDim, o.experts], o.seed, 1 / Math.sqrt(o.inputDim)),
    factors: [
      // Expert factor N(1, 1), as the official initialisation.
      scaled([o.experts, o.rank], o.seed + 1, 1, 1),
      scaled([ti, o.rank], o.seed + 2, 1 / Math.sqrt(o.inputDim)),
      scaled([o.outputDim, o.rank], o.seed + 3, 1 / Math.sqrt(o.rank)),
    ],
    norm: gateNorm,
    act: o.act ?? "entmax15",
    useBias,
  };
}

