import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Full-size runs of the slowest properties: `npm run test:long` (vitest.long.config.ts).
    exclude: [...configDefaults.exclude, "test/**/*.long.test.ts"],
    // Generous for a loaded 2-core machine (the slowest single test takes ~10 s alone), still a hang detector.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Compiles the WebAssembly kernels when their sources changed (a no-op otherwise).
    globalSetup: ["test/global-setup.ts"],
  },
});
