import { defineConfig } from "vitest/config";

/** `npm run test:long`: the full-size property runs that `npm test` runs smaller (files named *.long.test.ts). */
export default defineConfig({
  test: {
    include: ["test/**/*.long.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    globalSetup: ["test/global-setup.ts"],
  },
});
