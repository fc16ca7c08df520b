/**
 * `multilinear/gpu` without its optional packages. The loaders are injected (a module loader's
 * "not found" error), so nothing is uninstalled: a missing gpu.js, or a missing webgpu for a
 * webgpu mode asked for by name, is a typed MissingPackageError whose hint is the install command;
 * anything else that goes wrong while loading stays a GpuError.
 */
import { afterEach, describe, expect, test } from "vitest";
import { GpuError, MissingPackageError, createGpuBackend, gpuInfo } from "../../src/gpu/index.js";
import * as gpuEntry from "../../src/gpu/index.js";
import * as core from "../../src/index.js";
import { resetWebGpuLookup } from "../../src/tensor/backends/gpu/webgpu/env.js";

afterEach(() => resetWebGpuLookup());

/** What Node's ES-module loader throws for a package that is not installed. */
const notFound = (name: string) => async (): Promise<never> => {
  throw Object.assign(
    new Error(`Cannot find package '${name}' imported from /app/node_modules/multilinear/dist/tensor/backends/gpu/load.js`),
    {
      code: "ERR_MODULE_NOT_FOUND",
    },
  );
};

/** Runs `f`, expects a rejection with an instance of `cls`, and returns it. */
async function rejected<E extends Error>(cls: abstract new (...args: never[]) => E, f: () => Promise<unknown>): Promise<E> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return e as E;
  }
  return expect.fail(`expected ${cls.name}`);
}

describe("a missing gpu.js", () => {
  test("createGpuBackend and gpuInfo throw MissingPackageError naming `npm install gpu.js`", async () => {
    for (const f of [() => createGpuBackend({ importGpuJs: notFound("gpu.js") }), () => gpuInfo({ importGpuJs: notFound("gpu.js") })]) {
      const e = await rejected(MissingPackageError, f);
      expect(e).toBeInstanceOf(core.MultilinearError);
      expect(e.code).toBe("missing-package");
      expect(e.packageName).toBe("gpu.js");
      expect(e.installCommand).toBe("npm install gpu.js");
      expect(e.hint).toBe("install it: npm install gpu.js");
      expect(e.what).toBe("the GPU backend (multilinear/gpu) needs the optional package 'gpu.js', which is not installed");
      expect(e.message).toBe(`${e.what}\n  fix: ${e.hint}`);
    }
  });

  test("CommonJS's 'Cannot find module' counts too", async () => {
    const cjs = async (): Promise<never> => {
      throw Object.assign(new Error("Cannot find module 'gpu.js'\nRequire stack:\n- /app/x.js"), { code: "MODULE_NOT_FOUND" });
    };
    expect((await rejected(MissingPackageError, () => createGpuBackend({ importGpuJs: cjs }))).packageName).toBe("gpu.js");
  });

  test("a dependency of gpu.js that is missing, or a broken gpu.js, is a GpuError, not a missing gpu.js", async () => {
    const e = await rejected(GpuError, () => createGpuBackend({ importGpuJs: notFound("acorn") }));
    expect(e.what).toMatch(/gpu\.js could not be loaded: Cannot find package 'acorn'/);
    const empty = await rejected(GpuError, () => createGpuBackend({ importGpuJs: async () => ({}) }));
    expect(empty.what).toMatch(/no GPU class/);
  });

  test("an injected loader is used, not cached: the real gpu.js still loads afterwards", async () => {
    await rejected(MissingPackageError, () => createGpuBackend({ importGpuJs: notFound("gpu.js") }));
    const gpu = await createGpuBackend({ mode: "cpu" });
    expect(gpu.mode).toBe("cpu");
    await gpu.dispose();
  });
});

describe("a missing webgpu package", () => {
  test("mode 'webgpu' by name throws MissingPackageError naming `npm install webgpu`", async () => {
    const e = await rejected(MissingPackageError, () => createGpuBackend({ mode: "webgpu", loadWebGpu: notFound("webgpu") }));
    expect(e.packageName).toBe("webgpu");
    expect(e.hint).toBe("install it: npm install webgpu");
    expect(e.what).toMatch(/^GPU mode 'webgpu' needs the optional package 'webgpu'/);
  });

  test("mode 'auto' moves on, and the report names the package and its install command", async () => {
    const gpu = await createGpuBackend({ loadWebGpu: notFound("webgpu") });
    const w = gpu.info.modes.find((m) => m.mode === "webgpu")!;
    expect(w).toEqual({
      mode: "webgpu",
      available: false,
      reason: "the optional 'webgpu' package is not installed (npm install webgpu)",
      missingPackage: "webgpu",
    });
    expect(gpu.mode).not.toBe("webgpu");
    await gpu.dispose();
  });
});

describe("the entries", () => {
  test("the gpu entry's errors are the core's classes (one module graph)", () => {
    expect(MissingPackageError).toBe(core.MissingPackageError);
    expect(GpuError).toBe(core.GpuError);
    expect(gpuEntry.BackendLimitError).toBe(core.BackendLimitError);
    expect(gpuEntry.InvalidArgumentError).toBe(core.InvalidArgumentError);
  });

  test("the core entry no longer exports the GPU backend; its backend-generic parts stay", () => {
    for (const name of ["createGpuBackend", "gpuInfo", "GpuBackend", "GpuTensor", "DeviceBuffer", "parseGpuMode", "GPU_MODES", "gemmWgsl"])
      expect(core).not.toHaveProperty(name);
    for (const name of ["einsumAsync", "executePlanAsync", "cpuLayerOps", "DeviceMuMoE"]) expect(core).toHaveProperty(name);
  });
});
