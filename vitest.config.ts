import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Full-size runs of the slowest properties: `npm run test:long` (vitest.long.config.ts).
    exclude: [...configDefaults.exclude, "test/**/*.long.test.ts"],
    // Test files share a worker's module cache instead of re-importing the library (and mathjs, gpu.js)
    // for each of them: that import, not the tests, was most of `npm test`'s time. Files that change
    // globals restore them (test/kernels/selection.test.ts stubs WebAssembly, then resets modules).
    isolate: false,
    // Vitest's default on 2 cores is one worker (one core for its main process, which mostly waits).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Room for a loaded 2-core machine (the slowest test took ~18 s at load average 8), still a hang detector.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Compiles the WebAssembly kernels when their sources changed (a no-op otherwise).
    globalSetup: ["test/global-setup.ts"],
  },
});
