/**
 * A {@link MuMoELayer} resident on a backend (the GPU backend, or any backend with {@link LayerOps}):
 * weights are uploaded once and stay there across calls; a forward pass uploads the input, keeps the
 * gate logits, coefficients and every contraction intermediate on the device, and reads back only the
 * output. Same semantics as {@link MuMoELayer.forward}: gates from the raw input, BatchNorm (eval) or
 * LayerNorm across experts, entmax-1.5/softmax/sparsemax, the optional input LayerNorm, the bias
 * column, the factorized contraction along the layer's planned path, GELU and the second layer.
 * @module
 */
import { ConfigError, InvalidArgumentError } from "../errors.js";
import type { Backend, BackendTensor } from "../tensor/backends/backend.js";
import type { LayerOps } from "../tensor/backends/layer-ops.js";
import type { DenseTensor } from "../tensor/dense.js";
import { planProblem } from "../tensor/api/einsum.js";
import { parseEinsum } from "../tensor/einsum/parse.js";
import { executePlanOnBackend } from "../tensor/plan/execute.js";
import type { ContractionPlan } from "../tensor/plan/plan.js";
import { NORM_EPS } from "./gate.js";
import type { MuMoELayer } from "./mumoe.js";

/** A backend that can hold a layer: the executor's interface, plus optional resident uploads and frees. */
export type DeviceBackend<T extends BackendTensor> = Backend<T> & {
  /** Uploads a tensor that survives every `release` (weights); defaults to `upload`. */
  resident?(x: DenseTensor): T;
  /** Frees a resident tensor; defaults to `release`. */
  free?(x: T): void;
  /** Reads back after all queued work; defaults to `download`. */
  downloadAsync?(x: T): Promise<DenseTensor>;
};

interface Resident<T> {
  readonly projs: readonly T[];
  readonly bn: readonly { readonly mean: T; readonly variance: T }[] | undefined;
  readonly inputLn: { readonly gamma: T; readonly beta: T } | undefined;
  readonly layer1: readonly T[];
  readonly layer2: readonly T[] | undefined;
}

/**
 * A μMoE layer whose weights live on a backend.
 * @example
 * ```ts
 * import { CpuBackend, cpuLayerOps, createMuMoE, DeviceMuMoE, difference, randn } from "multilinear";
 * const layer = createMuMoE({ kind: "cp", inputDim: 6, outputDim: 4, expertDims: [8], ranks: 3 }, { seed: 1, init: "random" });
 * const device = new DeviceMuMoE(layer, new CpuBackend({ kernels: "ts" }), cpuLayerOps); // or (gpu, gpu)
 * const x = randn([5, 6], { seed: 2 });
 * difference(await device.forward(x), layer.forward(x)).maxAbs < 1e-12; // => true
 * device.dispose();
 * ```
 */
export class DeviceMuMoE<T extends BackendTensor> {
  private readonly weights: Resident<T>;
  private readonly gatePlans = new Map<string, ContractionPlan>();
  private disposed = false;

  /**
   * Uploads the layer's weights to `backend` (once).
   * @param ops - the backend's layer operations (the GPU backend is its own: `new DeviceMuMoE(layer, gpu, gpu)`).
   * @throws {@link ConfigError} for a layer built with `topK` (not supported on devices yet; use `layer.forward`).
   * A backend that cannot hold the layer's dtype (the GPU backend and float64) throws its own typed error.
   */
  constructor(
    readonly layer: MuMoELayer,
    readonly backend: DeviceBackend<T>,
    readonly ops: LayerOps<T>,
  ) {
    if (layer.topK !== undefined) throw new ConfigError(`a layer with topK = ${layer.topK} cannot run on a device yet`, "run it with layer.forward on the CPU, or build the layer without topK");
    const w = layer.weights;
    const up = (x: DenseTensor): T => (backend.resident ? backend.resident(x) : backend.upload(x));
    const uploaded: T[] = [];
    const keep = (x: DenseTensor): T => {
      const t = up(x);
      uploaded.push(t);
      return t;
    };
    try {
      this.weights = {
        projs: w.projs.map(keep),
        bn: layer.config.normalization === "bn" ? w.bn!.map((s) => ({ mean: keep(s.runningMean), variance: keep(s.runningVar) })) : undefined,
        inputLn: w.inputLn ? { gamma: keep(w.inputLn.weight), beta: keep(w.inputLn.bias) } : undefined,
        layer1: w.layer1.map(keep),
        layer2: w.layer2?.map(keep),
      };
    } catch (e) {
      for (const t of uploaded) this.freeOne(t);
      throw e;
    }
  }

  /**
   * The forward pass of `x` `[B, I]` or `[B, T, I]` (on the host) → `[B, T, O']` on the host, as
   * {@link MuMoELayer.forward} returns it.
   * @throws {@link InvalidArgumentError} for a wrong shape or dtype, or after {@link DeviceMuMoE.dispose}.
   */
  async forward(x: DenseTensor): Promise<DenseTensor> {
    const { rows: host, b, t } = this.layer.flatten(x);
    const rows = this.backend.upload(host);
    let y: T | undefined;
    try {
      y = this.forwardOnDevice(rows);
      const host = this.backend.downloadAsync ? await this.backend.downloadAsync(y) : this.backend.download(y);
      return host.reshape([b, t, host.shape[1]!]);
    } finally {
      this.backend.release?.(rows);
      if (y !== undefined) this.backend.release?.(y);
    }
  }

  /**
   * The forward pass of rows already on the device: `x` `[M, I]` → `[M, O']`, a handle the caller
   * owns (release it). Every intermediate is released once used.
   */
  forwardOnDevice(x: T): T {
    if (this.disposed) throw new InvalidArgumentError("this DeviceMuMoE was disposed", "build a new one from the layer");
    const { backend, ops, layer, weights } = this;
    const cfg = layer.config;
    if (x.shape.length !== 2 || x.shape[1] !== cfg.inputDim) {
      throw new InvalidArgumentError(`forwardOnDevice takes [M, ${cfg.inputDim}] rows, got [${x.shape.join(", ")}]`, "flatten batch and token axes into rows first");
    }
    const m = x.shape[0]!;
    const release = (...ts: T[]): void => {
      for (const t of ts) if (t !== x) backend.release?.(t);
    };
    const gates = weights.projs.map((p, l) => {
      const logits = executePlanOnBackend(this.gatePlan(m, p.shape[1]!), [x, p], backend);
      const bn = weights.bn?.[l];
      const normed = bn ? ops.batchNormEval(logits, bn.mean, bn.variance, { eps: NORM_EPS }) : ops.layerNorm(logits, { eps: NORM_EPS });
      const a = cfg.act === "softmax" ? ops.softmax(normed) : cfg.act === "sparsemax" ? ops.sparsemax(normed) : ops.entmax15(normed);
      release(logits, normed);
      return a;
    });
    try {
      const z = weights.inputLn ? ops.layerNorm(x, { eps: NORM_EPS, gamma: weights.inputLn.gamma, beta: weights.inputLn.beta }) : x;
      const zb = cfg.useBias ? ops.appendOnes(z) : z;
      if (zb !== z) release(z);
      const y = executePlanOnBackend(layer.plan(m, 1), [...gates, zb, ...weights.layer1], backend);
      release(zb);
      if (!weights.layer2) return y;
      const g = ops.gelu(y);
      release(y);
      const gb = cfg.useBias ? ops.appendOnes(g) : g;
      if (gb !== g) release(g);
      const y2 = executePlanOnBackend(layer.plan(m, 2), [...gates, gb, ...weights.layer2], backend);
      release(gb);
      return y2;
    } finally {
      release(...gates);
    }
  }

  /** Frees the resident weights; the object cannot run afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const w = this.weights;
    for (const t of [...w.projs, ...(w.bn ?? []).flatMap((s) => [s.mean, s.variance]), ...(w.inputLn ? [w.inputLn.gamma, w.inputLn.beta] : []), ...w.layer1, ...(w.layer2 ?? [])]) this.freeOne(t);
  }

  private freeOne(t: T): void {
    if (this.backend.free) this.backend.free(t);
    else this.backend.release?.(t);
  }

  private gatePlan(m: number, n: number): ContractionPlan {
    const key = `${m}x${n}`;
    let p = this.gatePlans.get(key);
    if (!p) {
      p = planProblem(parseEinsum("mi,in->mn", [[m, this.layer.config.inputDim], [this.layer.config.inputDim, n]]), { dtype: this.layer.dtype, optimize: "greedy" });
      this.gatePlans.set(key, p);
    }
    return p;
  }
}
