/**
 * A {@link MuMoELayer} resident on a backend (the GPU backend, or any backend with {@link LayerOps}):
 * weights are uploaded once and stay there across calls; a forward pass uploads the input, keeps the
 * gate logits, coefficients and every contraction intermediate on the device, and reads back only the
 * output. It runs the same forward function as {@link MuMoELayer.forward} (`moe/forward.ts`).
 * @module
 */
import { ConfigError, InvalidArgumentError } from "../errors.js";
import type { Backend, BackendTensor } from "../tensor/backends/backend.js";
import type { LayerOps } from "../tensor/backends/layer-ops.js";
import type { DenseTensor } from "../tensor/dense.js";
import { muMoEForward, muMoEGates, type LayerTensors } from "./forward.js";
import { layerTensors, type MuMoELayer } from "./mumoe.js";

/** A backend that can hold a layer: the executor's interface, plus optional resident uploads and frees. @category μMoE */
export type DeviceBackend<T extends BackendTensor> = Backend<T> & {
  /** Uploads a tensor that survives every `release` (weights); defaults to `upload`. */
  resident?(x: DenseTensor): T;
  /** Frees a resident tensor; defaults to `release`. */
  free?(x: T): void;
};

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
 * @category μMoE
 */
export class DeviceMuMoE<T extends BackendTensor> {
  private readonly weights: LayerTensors<T>;
  private readonly handles: T[] = [];
  private disposed = false;

  /**
   * Uploads the layer's weights to `backend` (once).
   * @param ops - the backend's layer operations (the GPU backend is its own: `new DeviceMuMoE(layer, gpu, gpu)`).
   * @throws {@link ConfigError} for a layer built with `topK` when `ops` has no `keepTopK` (the GPU backend).
   * A backend that cannot hold the layer's dtype (the GPU backend and float64) throws its own typed error.
   */
  constructor(
    readonly layer: MuMoELayer,
    readonly backend: DeviceBackend<T>,
    readonly ops: LayerOps<T>,
  ) {
    if (layer.topK !== undefined && !ops.keepTopK)
      throw new ConfigError(
        `a layer with topK = ${layer.topK} needs layer operations with keepTopK, which ${backend.name} lacks`,
        "run it with layer.forward on the CPU, or build the layer without topK",
      );
    try {
      this.weights = layerTensors(layer.weights, (x) => {
        const t = backend.resident ? backend.resident(x) : backend.upload(x);
        this.handles.push(t);
        return t;
      });
    } catch (e) {
      this.freeAll();
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
      const out = this.backend.downloadAsync ? await this.backend.downloadAsync(y) : this.backend.download(y);
      return out.reshape([b, t, out.shape[1]!]);
    } finally {
      this.backend.release?.(rows);
      if (y !== undefined) this.backend.release?.(y);
    }
  }

  /**
   * The forward pass of rows already on the device: `x` `[M, I]` → `[M, O']`, a handle the caller
   * owns (release it). Every intermediate is released once used.
   * @throws {@link InvalidArgumentError} for a wrong shape, or after {@link DeviceMuMoE.dispose}.
   */
  forwardOnDevice(x: T): T {
    this.check(x);
    return muMoEForward(this.layer, this.backend, this.ops, this.weights, x);
  }

  private check(x: T): void {
    if (this.disposed) throw new InvalidArgumentError("this DeviceMuMoE was disposed", "build a new one from the layer");
    const I = this.layer.config.inputDim;
    if (x.shape.length !== 2 || x.shape[1] !== I) {
      throw new InvalidArgumentError(
        `the device layer takes [M, ${I}] rows, got [${x.shape.join(", ")}]`,
        "flatten batch and token axes into rows first",
      );
    }
  }

  /**
   * The gate coefficients of rows already on the device: one `[M, N_l]` handle per level, owned by the
   * caller.
   * @throws {@link InvalidArgumentError} for a wrong shape, or after {@link DeviceMuMoE.dispose}.
   */
  gatesOnDevice(x: T): T[] {
    this.check(x);
    return muMoEGates(this.layer, this.backend, this.ops, this.weights, x);
  }

  /** Frees the resident weights; the object cannot run afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.freeAll();
  }

  private freeAll(): void {
    for (const t of this.handles.splice(0)) {
      if (this.backend.free) this.backend.free(t);
      else this.backend.release?.(t);
    }
  }
}
