// `npm run bench`'s prebench step: installs the benchmark peers (tfjs, its wasm backend,
// onnxruntime-node; listed in bench/package.json) into bench/node_modules when one is missing.
// They are not dependencies of the package, so `npm install`, `npm test` and `npm run demo` never
// download them. bench/.npmrc keeps onnxruntime-node's install script from fetching GPU binaries.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const bench = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), "bench");
const manifest = path.join(bench, "package.json");
const wanted = Object.keys(JSON.parse(readFileSync(manifest, "utf8")).dependencies ?? {});
const require = createRequire(manifest);
const missing = wanted.filter((name) => {
  try {
    return !require.resolve(`${name}/package.json`, { paths: [bench] }).startsWith(path.join(bench, "node_modules"));
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  console.log(`installing the benchmark peers into bench/node_modules (missing: ${missing.join(", ")})`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["install", "--prefix", bench, "--no-audit", "--no-fund"], { cwd: bench, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
