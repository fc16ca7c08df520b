/**
 * Device tensors of the GPU backend: a {@link GpuTensor} is a strided view (shape, strides, offset)
 * of a flat {@link DeviceBuffer}. Permutes, diagonals and most reshapes are new views of the same
 * buffer; every handle holds one reference to its buffer, and the buffer is freed when the last
 * handle is released (unless it is resident).
 * @module
 */
import { isCContiguous } from "../../shape.js";
import type { BackendTensor } from "../backend.js";
import type { ViewLayout } from "./codegen.js";
import type { GpuJsStorage } from "./types.js";

/** A flat float32 buffer on the device. @category GPU */
export class DeviceBuffer {
  /** @internal The storage, once the operation producing it has run (immediately in the synchronous modes). */
  storage: GpuJsStorage | undefined;
  /** Live handles. */
  refs = 0;
  /** Resident buffers (layer weights) survive the release of every handle; only `free` ends them. */
  resident = false;
  /** Set once the buffer is freed: any later use is an error. */
  freed = false;

  constructor(
    /** Number of float32 elements. */
    readonly length: number,
    /** Id for diagnostics, unique within the runtime that allocated the buffer (counted from 1). */
    readonly id: number,
  ) {}
}

/** A float32 tensor on the GPU backend. @category GPU */
export class GpuTensor implements BackendTensor, ViewLayout {
  readonly dtype = "float32" as const;
  /** True once {@link GpuBackend.release} dropped this handle. */
  released = false;

  /** @internal Created by the backend only; takes one reference on `buffer`. */
  constructor(
    readonly buffer: DeviceBuffer,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset: number,
  ) {
    buffer.refs++;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((p, d) => p * d, 1);
  }

  /** True when the elements are in C order without gaps, starting at `offset`. */
  get isContiguous(): boolean {
    return isCContiguous(this.shape, this.strides);
  }

  /** True when this view is the whole buffer in C order (kernels can read it flat). */
  get isDense(): boolean {
    return this.offset === 0 && this.size === this.buffer.length && this.isContiguous;
  }

  /** A short description such as `GpuTensor<float32>[2, 3]`. */
  toString(): string {
    return `GpuTensor<float32>[${this.shape.join(", ")}]`;
  }
}
