import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

/** `npm run test:long`: the full-size runs of properties that `npm test` runs smaller (files named *.long.test.ts). */
export default defineConfig({
  test: {
    include: ["test/**/*.long.test.ts"],
    exclude: [...configDefaults.exclude],
    isolate: false,
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A full-size property takes minutes on a loaded 2-core machine.
    testTimeout: 600_000,
    hookTimeout: 60_000,
    globalSetup: ["test/global-setup.ts"],
  },
});
