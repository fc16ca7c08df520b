/**
 * Structural types for the parts of gpu.js and of WebGPU the GPU backend touches. They are written
 * here (instead of depending on `@webgpu/types` or gpu.js's own typings) so the package's
 * declarations stay self-contained and only name what is really used.
 * @module
 */

/** The execution modes of gpu.js the backend can run on. @category GPU */
export type GpuMode = "webgpu" | "webgl2" | "headlessgl" | "webasm" | "cpu";

/** Every mode, in the order the automatic selection tries them (`webasm` is only used when asked for). @category GPU */
export const GPU_MODES: readonly GpuMode[] = ["webgpu", "webgl2", "headlessgl", "webasm", "cpu"];

/** What a gpu.js kernel call returns in pipeline mode: a texture, a buffer handle or a plain array. */
export type GpuJsStorage = Float32Array | GpuJsTexture | GpuJsBufferResult;

/** A gpu.js texture (webgl2 / headlessgl pipeline result). */
export interface GpuJsTexture {
  toArray(): Float32Array | number[] | ArrayLike<number>;
  delete(): void;
}

/** gpu.js's WebGPU pipeline handle (`WebGPUBufferResult`). */
export interface GpuJsBufferResult {
  readonly buffer: WebGpuBuffer;
  readonly output: readonly number[];
  readonly type: "WebGPUBuffer";
  delete(): void;
}

/** A compiled gpu.js kernel (the callable returned by `createKernel`). */
export interface GpuJsKernel {
  (...args: unknown[]): unknown;
  destroy?(removeCanvasReferences?: boolean): void;
  /** The backend kernel object; `constructor.mode` names the mode that really runs. */
  readonly kernel?: { readonly constructor: { readonly mode?: string; readonly name?: string } };
}

/** Settings passed to `createKernel`. */
export interface GpuJsKernelSettings {
  readonly output: readonly number[];
  readonly pipeline?: boolean;
  readonly immutable?: boolean;
  readonly precision?: "single" | "unsigned";
  readonly tactic?: "speed" | "balanced" | "precision";
  readonly loopMaxIterations?: number;
  readonly dynamicOutput?: boolean;
  readonly dynamicArguments?: boolean;
}

/** A gpu.js `GPU` instance. */
export interface GpuJsInstance {
  createKernel(source: string, settings: GpuJsKernelSettings): GpuJsKernel;
  destroy(): unknown;
  readonly Kernel?: { readonly name?: string; readonly mode?: string };
}

/** The gpu.js `GPU` class with the static probes the backend uses. */
export interface GpuJsGpuClass {
  new (settings: { readonly mode: GpuMode; readonly canvas?: unknown; readonly context?: unknown }): GpuJsInstance;
  readonly isWebGL2Supported: boolean;
  readonly isHeadlessGLSupported: boolean;
  readonly isWebAssemblySupported: boolean;
  readonly isWebGPUSupported: boolean;
}

/** The gpu.js module as the backend uses it (Node's CommonJS exports or the browser build's `GPU` namespace). */
export interface GpuJsLib {
  readonly GPU: GpuJsGpuClass;
  /** Kernel classes, to tell which one really runs (the GL ones all report mode "gpu"). */
  readonly WebGL2Kernel?: abstract new (
    ...args: never[]
  ) => unknown;
  readonly WebGLKernel?: abstract new (...args: never[]) => unknown;
  readonly HeadlessGLKernel?: abstract new (...args: never[]) => unknown;
  readonly WebGPUContext?: { acquire(): Promise<WebGpuContext>; destroy(): Promise<void> };
  readonly WebGPUBufferResult?: new (settings: {
    readonly buffer: WebGpuBuffer;
    readonly output: readonly number[];
    readonly componentCount?: number;
    readonly context: WebGpuContext;
    readonly kernel: unknown;
  }) => GpuJsBufferResult;
}

/** gpu.js's shared WebGPU context. */
export interface WebGpuContext {
  readonly adapter: WebGpuAdapter;
  readonly device: WebGpuDevice;
  readonly isLost: boolean;
}

/** `navigator.gpu`. */
export interface WebGpuGpu {
  requestAdapter(options?: { readonly powerPreference?: string; readonly forceFallbackAdapter?: boolean }): Promise<WebGpuAdapter | null>;
}

/** What an adapter says about itself (`GPUAdapterInfo`). */
export interface WebGpuAdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/** Limits the backend reads. */
export interface WebGpuLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}

/** `GPUAdapter`. */
export interface WebGpuAdapter {
  readonly info?: WebGpuAdapterInfo;
  readonly limits: WebGpuLimits;
  readonly isFallbackAdapter?: boolean;
  requestDevice(descriptor?: { readonly requiredLimits?: Record<string, number> }): Promise<WebGpuDevice>;
}

/** `GPUError`. */
export interface WebGpuError {
  readonly message: string;
}

/** `GPUDevice`, the subset used. */
export interface WebGpuDevice {
  readonly limits: WebGpuLimits;
  readonly queue: WebGpuQueue;
  readonly lost: Promise<{ readonly reason?: string; readonly message: string }>;
  createBuffer(descriptor: {
    readonly size: number;
    readonly usage: number;
    readonly mappedAtCreation?: boolean;
    readonly label?: string;
  }): WebGpuBuffer;
  createShaderModule(descriptor: { readonly code: string; readonly label?: string }): WebGpuShaderModule;
  createComputePipeline(descriptor: {
    readonly layout: "auto";
    readonly compute: { readonly module: WebGpuShaderModule; readonly entryPoint: string };
    readonly label?: string;
  }): WebGpuComputePipeline;
  createComputePipelineAsync?(descriptor: {
    readonly layout: "auto";
    readonly compute: { readonly module: WebGpuShaderModule; readonly entryPoint: string };
    readonly label?: string;
  }): Promise<WebGpuComputePipeline>;
  createBindGroup(descriptor: {
    readonly layout: unknown;
    readonly entries: readonly {
      readonly binding: number;
      readonly resource: { readonly buffer: WebGpuBuffer; readonly offset?: number; readonly size?: number };
    }[];
  }): unknown;
  createCommandEncoder(): WebGpuCommandEncoder;
  pushErrorScope(filter: "validation" | "out-of-memory" | "internal"): void;
  popErrorScope(): Promise<WebGpuError | null>;
  destroy(): void;
}

/** `GPUQueue`. */
export interface WebGpuQueue {
  writeBuffer(buffer: WebGpuBuffer, offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number): void;
  submit(buffers: readonly unknown[]): void;
  onSubmittedWorkDone(): Promise<void>;
}

/** `GPUBuffer`. */
export interface WebGpuBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

/** `GPUShaderModule`. */
export interface WebGpuShaderModule {
  getCompilationInfo?(): Promise<{
    readonly messages: readonly { readonly type: string; readonly message: string; readonly lineNum?: number }[];
  }>;
}

/** `GPUComputePipeline`. */
export interface WebGpuComputePipeline {
  getBindGroupLayout(index: number): unknown;
}

/** `GPUCommandEncoder`. */
export interface WebGpuCommandEncoder {
  beginComputePass(): WebGpuComputePass;
  copyBufferToBuffer(source: WebGpuBuffer, sourceOffset: number, destination: WebGpuBuffer, destinationOffset: number, size: number): void;
  finish(): unknown;
}

/** `GPUComputePassEncoder`. */
export interface WebGpuComputePass {
  setPipeline(pipeline: WebGpuComputePipeline): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

/** `GPUBufferUsage` flags (the constants are fixed by the WebGPU specification). */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** `GPUMapMode.READ`. */
export const MAP_MODE_READ = 0x0001;
