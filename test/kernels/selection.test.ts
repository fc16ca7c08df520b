import { afterEach, describe, expect, test, vi } from "vitest";
import { CpuBackend, einsum, InvalidArgumentError, randn } from "../../src/index.js";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe("kernel selection", () => {
  test("auto picks WebAssembly here; ts is forced by the option; both give the same einsum", () => {
    const auto = new CpuBackend({ threads: 1 });
    const ts = new CpuBackend({ kernels: "ts" });
    expect(auto.kernels).toBe("wasm");
    expect(ts.kernels).toBe("ts");
    const xs = [randn([30, 40], { seed: 1 }), randn([40, 50], { seed: 2 }), randn([50, 30], { seed: 3 })];
    const a = einsum("ij,jk,ki->", xs, { backend: auto }).item();
    const b = einsum("ij,jk,ki->", xs, { backend: ts }).item();
    expect(Math.abs(a - b)).toBeLessThan(1e-9 * (1 + Math.abs(b)));
    auto.dispose();
  });

  test("without WebAssembly SIMD, auto falls back to TypeScript and wasm refuses", async () => {
    const real = WebAssembly;
    // An engine whose validator rejects SIMD/atomics modules.
    vi.stubGlobal("WebAssembly", { ...real, validate: () => false });
    const mod = await import("../../src/index.js");
    const auto = new mod.CpuBackend();
    expect(auto.kernels).toBe("ts");
    expect(() => new mod.CpuBackend({ kernels: "wasm" })).toThrow(mod.BackendLimitError);
    const x = mod.randn([8, 9], { seed: 1 });
    expect(mod.einsum("ij,kj->ik", [x, x], { backend: auto }).shape).toEqual([8, 8]);
  });

  test("bad options are typed errors", () => {
    expect(() => new CpuBackend({ threads: 0 })).toThrow(InvalidArgumentError);
    expect(() => new CpuBackend({ threads: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new CpuBackend({ kernels: "gpu" as "ts" })).toThrow(InvalidArgumentError);
    // The message names the bad value.
    expect(() => new CpuBackend({ threads: 0 })).toThrow(/threads must be an integer from 1 to 256, got 0/);
    expect(() => new CpuBackend({ kernels: "gpu" as "ts" })).toThrow(/unknown kernels 'gpu'/);
  });
});
