import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Compiles the WebAssembly kernels when their sources changed (a no-op otherwise).
    globalSetup: ["test/global-setup.ts"],
  },
});
