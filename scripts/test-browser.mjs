// `npm run test:browser`: the GPU backend on real shaders in headless Chromium (no GPU needed).
// WebGL2 runs on ANGLE/SwiftShader and WebGPU on Dawn with SwiftShader's Vulkan driver, both shipped
// inside Debian's `chromium` package (see ../shared/GPU.md). Builds the browser bundle of the package,
// serves it on 127.0.0.1 (WebGPU needs a secure context), runs the conformance cases of
// test/tensor/backends/gpu/cases.ts in each mode, prints one PASS/FAIL line per mode and exits
// non-zero when any fails.
//
//   npm run test:browser [-- --modes=webgpu,webgl2,webgpu-gpujs] [--full] [--only=GEMM] [--verbose]
//   CHROMIUM=/path/to/chromium npm run test:browser
import { build } from "esbuild";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const argv = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    return m ? [m[1], m[2] ?? "true"] : [a, "true"];
  }),
);
const executablePath = process.env.CHROMIUM || argv.chromium || "/usr/bin/chromium";
const RUNS = {
  webgpu: { mode: "webgpu" },
  webgl2: { mode: "webgl2" },
  "webgpu-gpujs": { mode: "webgpu", gemm: "gpujs" },
  // docs/examples/gpu.html itself, driven through its ?mode= parameter.
  "example-webgpu": { example: "webgpu" },
  "example-webgl2": { example: "webgl2" },
};
const modes = (argv.modes || Object.keys(RUNS).join(",")).split(",");
for (const m of modes)
  if (!RUNS[m]) {
    console.error(`unknown mode '${m}'; use ${Object.keys(RUNS).join(", ")}`);
    process.exit(2);
  }
const quick = argv.full !== "true";
const only = argv.only ? argv.only.split(",") : undefined;
const timeoutS = Number(argv.timeout || 600);

if (!existsSync(executablePath)) {
  console.error(`no Chromium at ${executablePath}: apt-get install -y chromium (or set CHROMIUM=...)`);
  process.exit(2);
}
const libFile = path.join(root, "dist", "browser", "multilinear.js");
if (!existsSync(libFile)) {
  console.error(
    "dist/browser/multilinear.js is missing: run `npm run build && node scripts/build-browser.mjs` (npm run test:browser does both)",
  );
  process.exit(2);
}

// The page bundle: the cases and the page runner. Imports of the library's entry point are left to
// the browser bundle (the import map points "multilinear" at it), so the cases test the package build.
const srcEntries = [path.join(root, "src", "index.ts"), path.join(root, "src", "gpu", "index.ts")];
const suite = await build({
  entryPoints: [path.join(root, "test", "browser", "suite.ts")],
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  write: false,
  logLevel: "warning",
  plugins: [
    {
      name: "library-from-bundle",
      setup(b) {
        // Both entries are in the one browser bundle.
        b.onResolve({ filter: /src\/(gpu\/)?index\.js$/ }, (args) => {
          const resolved = path.resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
          return srcEntries.includes(resolved) ? { path: "multilinear", external: true } : undefined;
        });
      },
    },
  ],
});
const suiteJs = suite.outputFiles[0].text;
const libJs = readFileSync(libFile);
const page = `<!doctype html><meta charset="utf-8"><title>multilinear GPU tests</title>
<script type="importmap">{"imports": {"multilinear": "/multilinear.js"}}</script>
<script type="module" src="/suite.js"></script>`;

const fixtureDir = path.join(root, "test", "fixtures", "mumoe-reference");
const fixtureNames = readdirSync(fixtureDir)
  .filter((f) => f.endsWith(".safetensors"))
  .sort();
const server = http.createServer((req, res) => {
  const send = (type, body) => {
    res.writeHead(200, { "content-type": type });
    res.end(body);
  };
  if (req.url === "/") return send("text/html", page);
  if (req.url === "/suite.js") return send("text/javascript", suiteJs);
  if (req.url === "/multilinear.js") return send("text/javascript", libJs);
  if (req.url === "/favicon.ico") {
    res.writeHead(204);
    return res.end();
  }
  // The μMoE reference fixtures: the list, then each file by its plain name.
  if (req.url === "/fixtures/mumoe-reference/") return send("application/json", JSON.stringify(fixtureNames));
  const fixture = /^\/fixtures\/mumoe-reference\/([\w.-]+\.safetensors)$/.exec(req.url);
  if (fixture && fixtureNames.includes(fixture[1]))
    return send("application/octet-stream", readFileSync(path.join(fixtureDir, fixture[1])));
  // The example page and its script, importing the bundle by its path in the repository.
  const file = {
    "/docs/examples/gpu.html": "text/html",
    "/docs/examples/gpu.js": "text/javascript",
    "/dist/browser/multilinear.js": "text/javascript",
  }[req.url.split("?")[0]];
  if (file) return send(file, readFileSync(path.join(root, req.url.split("?")[0])));
  res.writeHead(404);
  res.end();
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/`;

// --enable-unsafe-webgpu: without it requestAdapter() resolves null. --enable-unsafe-swiftshader:
// software WebGL without the deprecation fallback. Root in a container needs --no-sandbox.
const args = [
  "--no-sandbox",
  "--enable-unsafe-swiftshader",
  "--enable-unsafe-webgpu",
  "--use-angle=swiftshader",
  "--enable-features=Vulkan,WebGPU",
  "--disable-dev-shm-usage",
];
const userDataDir = mkdtempSync(path.join(os.tmpdir(), "multilinear-chromium-"));
const t0 = performance.now();
const context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args });
let failed = 0;
try {
  for (const name of modes) {
    const cfg = { ...RUNS[name], quick, ...(only ? { only } : {}) };
    const tab = await context.newPage();
    const logs = [];
    tab.on("console", (m) => {
      if (m.type() === "error" || argv.verbose) logs.push(`[console.${m.type()}] ${m.text()}`);
    });
    tab.on("pageerror", (e) => logs.push(`[pageerror] ${e.message}`));
    let report;
    if (cfg.example) {
      try {
        const t1 = performance.now();
        await tab.goto(`${url}docs/examples/gpu.html?mode=${cfg.example}`);
        await tab.waitForFunction(() => window.__example?.done, undefined, { timeout: timeoutS * 1000 });
        const ex = await tab.evaluate(() => window.__example);
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, table cells apart as on screen, for the report line.
        const text = await tab.evaluate(() => document.getElementById("out").innerText);
        report = {
          ok: ex.ok && ex.mode === cfg.example,
          results: [
            {
              name: "docs/examples/gpu.html",
              ok: ex.ok,
              detail: text.replace(/\s+/g, " ").slice(0, argv.verbose ? 2000 : 300),
              ms: performance.now() - t1,
            },
          ],
          ms: performance.now() - t1,
        };
      } catch (e) {
        report = { ok: false, results: [], error: String(e?.message || e), ms: 0 };
      }
      await tab.close().catch(() => {});
      console.log(`${report.ok ? "PASS" : "FAIL"} ${name.padEnd(14)} docs/examples/gpu.html, ${(report.ms / 1000).toFixed(1)} s`);
      for (const r of report.results) if (!r.ok || argv.verbose) console.log(`     ${r.detail}`);
      if (report.error) console.log(`     error: ${report.error}`);
      if (!report.ok) {
        failed++;
        for (const l of logs.slice(0, 20)) console.log(`     ${l}`);
      }
      continue;
    }
    try {
      await tab.goto(url);
      await tab.waitForFunction(() => typeof window.runSuite === "function", undefined, { timeout: 60_000 });
      report = await Promise.race([
        tab.evaluate((c) => window.runSuite(c), cfg),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutS} s`)), timeoutS * 1000)),
      ]);
    } catch (e) {
      report = { ok: false, results: [], error: String(e?.message || e), ms: 0 };
    }
    await tab.close().catch(() => {});
    const info = report.info;
    const where = info
      ? `${info.selected}${info.adapter ? ` on ${[info.adapter.vendor, info.adapter.architecture].filter(Boolean).join("/")}${info.adapter.isFallbackAdapter ? " (software)" : ""}` : ""}, gemm ${info.gemm}`
      : "";
    const passed = report.results.filter((r) => r.ok).length;
    console.log(
      `${report.ok ? "PASS" : "FAIL"} ${name.padEnd(14)} ${passed}/${report.results.length} cases, ${(report.ms / 1000).toFixed(1)} s${where ? `  [${where}]` : ""}`,
    );
    for (const r of report.results)
      if (!r.ok || argv.verbose) console.log(`     ${r.ok ? "ok  " : "FAIL"} ${r.name} (${(r.ms / 1000).toFixed(1)} s): ${r.detail}`);
    if (report.error) console.log(`     error: ${report.error.split("\n").slice(0, 6).join("\n            ")}`);
    if (!report.ok) {
      failed++;
      for (const l of logs.slice(0, 20)) console.log(`     ${l}`);
    }
  }
} finally {
  await context.close().catch(() => {});
  server.close();
  rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
console.log(
  `${failed ? "FAIL" : "PASS"} test:browser: ${modes.length - failed}/${modes.length} modes passed in ${((performance.now() - t0) / 1000).toFixed(1)} s (Chromium ${context.browser()?.version() ?? ""})`,
);
process.exit(failed ? 1 : 0);
