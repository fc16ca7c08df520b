/**
 * Finding WebGPU and the Node workarounds, with stand-ins for the `webgpu` package: this machine's
 * C++ runtime cannot load its binary, so every branch is driven by mocks shaped like the binding.
 */
import { afterEach, describe, expect, test } from "vitest";
import { GpuError, InvalidArgumentError } from "../../../../src/index.js";
import { createGpuBackend } from "../../../../src/gpu/index.js";
import { probeGpuModes, selectGpuMode } from "../../../../src/tensor/backends/gpu/modes.js";
import { loadGpuJs } from "../../../../src/tensor/backends/gpu/load.js";
import type { WebGpuAdapter, WebGpuDevice, WebGpuGpu } from "../../../../src/tensor/backends/gpu/types.js";
import {
  findWebGpu,
  installNavigatorGpu,
  patchDevice,
  patchGpu,
  resetWebGpuLookup,
  type NodeWebGpuModule,
} from "../../../../src/tensor/backends/gpu/webgpu/env.js";

const hadNavigator = "navigator" in globalThis;
const originalNavigator = (globalThis as { navigator?: unknown }).navigator;

afterEach(() => {
  resetWebGpuLookup();
  if (hadNavigator) Object.defineProperty(globalThis, "navigator", { value: originalNavigator, configurable: true, writable: true });
  else delete (globalThis as { navigator?: unknown }).navigator;
});

/** Like the Dawn binding: assigning onuncapturederror throws, methods check their receiver. */
class BindingDevice {
  readonly label = "binding";
  set onuncapturederror(_v: unknown) {
    throw new TypeError("object is not of the correct interface type");
  }
  get onuncapturederror(): unknown {
    return null;
  }
  whoAmI(this: BindingDevice): string {
    if (!(this instanceof BindingDevice)) throw new TypeError("Illegal invocation");
    return this.label;
  }
}

function mockAdapter(
  device: object,
  info = { vendor: "acme", architecture: "rdna", description: "Acme GPU", isFallbackAdapter: false },
): WebGpuAdapter {
  return {
    info,
    limits: {
      maxStorageBufferBindingSize: 1 << 27,
      maxBufferSize: 1 << 28,
      maxComputeWorkgroupStorageSize: 16384,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupsPerDimension: 65535,
    },
    requestDevice: async () => device as WebGpuDevice,
  };
}

const moduleWith =
  (gpu: WebGpuGpu): (() => Promise<NodeWebGpuModule>) =>
  async () => ({ create: () => gpu, globals: { GPUBufferUsageMock: 1 } });

describe("patchDevice / patchGpu (trap 2: onuncapturederror)", () => {
  test("the binding rejects the assignment gpu.js makes; a patched device accepts it", () => {
    const raw = new BindingDevice();
    expect(() => {
      raw.onuncapturederror = () => {};
    }).toThrow(/correct interface type/);
    const dev = patchDevice(raw as unknown as WebGpuDevice) as unknown as BindingDevice;
    expect(() => {
      dev.onuncapturederror = () => {};
    }).not.toThrow();
    expect(dev.whoAmI()).toBe("binding");
  });

  test("a device that refuses new properties is wrapped; native methods still see the real object", () => {
    const raw = Object.freeze(new BindingDevice());
    const dev = patchDevice(raw as unknown as WebGpuDevice) as unknown as BindingDevice;
    expect(dev).not.toBe(raw);
    expect(() => {
      dev.onuncapturederror = () => {};
    }).not.toThrow();
    expect(dev.whoAmI()).toBe("binding");
    expect(dev.label).toBe("binding");
  });

  test("every device handed out by a patched GPU object is patched", async () => {
    const gpu = patchGpu({ requestAdapter: async () => mockAdapter(new BindingDevice()) });
    const adapter = await gpu.requestAdapter();
    expect(adapter!.info!.vendor).toBe("acme");
    const dev = (await adapter!.requestDevice()) as unknown as BindingDevice;
    expect(() => {
      dev.onuncapturederror = () => {};
    }).not.toThrow();
    expect(await patchGpu({ requestAdapter: async () => null }).requestAdapter()).toBeNull();
  });
});

describe("findWebGpu (trap 1: no navigator in Node) and probing", () => {
  test("a missing package is reported as not installed", async () => {
    const r = await findWebGpu(async () => {
      throw new Error("Cannot find package 'webgpu' imported from x.js");
    });
    expect(r).toEqual({
      ok: false,
      reason: "the optional 'webgpu' package is not installed (npm install webgpu)",
      missingPackage: "webgpu",
    });
  });

  test("a binary that does not load is reported with the loader's message", async () => {
    const r = await findWebGpu(async () => {
      throw new Error("/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found");
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/native binary did not load: .*GLIBCXX_3\.4\.32/);
  });

  test("the real package on this machine: unavailable with a reason, never an exception", async () => {
    const r = await findWebGpu();
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(10);
  });

  test("no adapter: webgpu is unavailable and auto moves on", async () => {
    const lib = await loadGpuJs();
    const probe = await probeGpuModes(lib, { loadWebGpu: moduleWith({ requestAdapter: async () => null }) });
    const w = probe.modes.find((m) => m.mode === "webgpu")!;
    expect(w.available).toBe(false);
    expect(w.reason).toMatch(/requestAdapter\(\) returned no adapter/);
    expect(selectGpuMode(probe).mode).toBe("cpu");
    expect(selectGpuMode(probe).reason).toMatch(/passed over webgpu .*no adapter.*chose cpu/);
  });

  test("an adapter: webgpu is available and described; installNavigatorGpu makes it navigator.gpu", async () => {
    const lib = await loadGpuJs();
    const fake = patchGpu({ requestAdapter: async () => mockAdapter(new BindingDevice()) });
    const probe = await probeGpuModes(lib, { loadWebGpu: moduleWith(fake) });
    expect(probe.adapter).toEqual({ vendor: "acme", architecture: "rdna", device: "", description: "Acme GPU", isFallbackAdapter: false });
    expect(probe.modes[0]).toMatchObject({ mode: "webgpu", available: true });
    expect(probe.modes[0]!.reason).toMatch(/Acme GPU.*through the 'webgpu' package/);
    expect(selectGpuMode(probe)).toMatchObject({ mode: "webgpu" });
    installNavigatorGpu(probe.webgpu!);
    expect((globalThis as unknown as { navigator: { gpu: unknown } }).navigator.gpu).toBe(probe.webgpu);
    expect((globalThis as { GPUBufferUsageMock?: number }).GPUBufferUsageMock).toBe(1);
  });

  test("a device that fails the self-test: auto falls back to cpu and says why; asking for webgpu by name fails", async () => {
    const broken = {
      limits: mockAdapter({}).limits,
      lost: new Promise(() => {}),
      queue: { writeBuffer() {}, submit() {}, onSubmittedWorkDone: async () => {} },
      createBuffer() {
        throw new Error("mock device cannot allocate");
      },
      pushErrorScope() {},
      popErrorScope: async () => null,
      destroy() {},
    };
    const load = moduleWith(patchGpu({ requestAdapter: async () => mockAdapter(broken) }));
    const gpu = await createGpuBackend({ loadWebGpu: load });
    expect(gpu.mode).toBe("cpu");
    expect(gpu.info.modes[0]!.reason).toMatch(/failed to open: .*self-test.*mock device cannot allocate/);
    await gpu.dispose();
    resetWebGpuLookup();
    await expect(createGpuBackend({ mode: "webgpu", loadWebGpu: load })).rejects.toThrow(GpuError);
  });
});

describe("selectGpuMode", () => {
  const probe = {
    adapter: null,
    webgpu: null,
    modes: [
      { mode: "webgpu", available: false, reason: "no adapter" },
      { mode: "webgl2", available: false, reason: "not a browser" },
      { mode: "headlessgl", available: true, reason: "gl ok" },
      { mode: "webasm", available: true, reason: "wasm" },
      { mode: "cpu", available: true, reason: "always" },
    ],
  } as const;
  test("auto takes the first available in webgpu → webgl2 → headlessgl → cpu", () => {
    expect(selectGpuMode(probe).mode).toBe("headlessgl");
  });
  test("a named mode is used when available and refused with its reason when not", () => {
    expect(selectGpuMode(probe, "webasm").mode).toBe("webasm");
    expect(() => selectGpuMode(probe, "webgl2")).toThrow(/'webgl2' is not available here: not a browser/);
    expect(() => selectGpuMode(probe, "webgl2")).toThrow(GpuError);
    expect(() => selectGpuMode(probe, "metal" as never)).toThrow(InvalidArgumentError);
  });
});
