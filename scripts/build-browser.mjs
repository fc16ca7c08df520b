// Bundles the package's ESM build for browsers: dist/browser/multilinear.js, one file exporting both
// entries, the core (dist/index.js) and the GPU backend (dist/gpu/index.js), with gpu.js and mathjs
// inside. Node built-ins stay out of the bundle: the library only reaches them through dynamic
// imports that run in Node alone (file I/O, worker threads, the `webgpu` package), which are left as
// they are, and the Node-only mathjs loader is swapped for its browser twin by the package.json
// `browser` field. Fails when the bundle would import a Node built-in at load time.
//
//   node scripts/build-browser.mjs [--minify]        (after `npm run build`)
import { build } from "esbuild";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entries = ["index.js", path.join("gpu", "index.js")];
for (const e of entries) {
  if (!existsSync(path.join(root, "dist", e))) {
    console.error(`dist/${e} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
}
const outfile = path.join(root, "dist", "browser", "multilinear.js");
const result = await build({
  stdin: {
    contents: entries.map((e) => `export * from "./dist/${e.split(path.sep).join("/")}";`).join("\n"),
    resolveDir: root,
    sourcefile: "browser-entry.js",
  },
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  external: ["node:*"],
  minify: process.argv.includes("--minify"),
  sourcemap: true,
  outfile,
  logLevel: "warning",
  metafile: true,
});
const code = readFileSync(outfile, "utf8");
// Static imports of built-ins would run at load time; dynamic ones (import("node:…") behind a Node check) do not.
const staticNode = code.match(/^\s*import\s[^;]*?from\s*["']node:[^"']+["']/gm) ?? [];
const topRequire = code.match(/^\S.*\brequire\(["']node:[^"']+["']\)/gm) ?? [];
if (staticNode.length || topRequire.length) {
  console.error("the browser bundle imports Node built-ins at load time:\n" + [...staticNode, ...topRequire].join("\n"));
  process.exit(1);
}
const inputs = Object.keys(result.metafile.inputs)
  .filter((f) => f.includes("node_modules"))
  .map((f) => f.split("node_modules/")[1].split("/")[0]);
console.log(
  `wrote ${path.relative(process.cwd(), outfile)} (${(statSync(outfile).size / 2 ** 20).toFixed(1)} MiB; bundled packages: ${[...new Set(inputs)].sort().join(", ")})`,
);
