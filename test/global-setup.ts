import { execFileSync } from "node:child_process";

/** Builds src/kernels/generated/wasm-bytes.ts before any test imports it. */
export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build-kernels.mjs"], { stdio: "inherit" });
}
