/**
 * What each entry loads when it is imported: the static import graph (import statements and
 * `export … from`, not dynamic `import()`), as esbuild resolves it with the project's tsconfig, so
 * type-only imports are dropped exactly as tsc drops them. `import "multilinear"` must not load
 * gpu.js, webgpu (large, optional) or mathjs (seconds to load; the budget formulas load it on first
 * use), and the CLI's top level must load no command module.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { describe, expect, test } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Files and bare packages reached from `entry` through static imports only. */
async function staticGraph(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    packages: "external",
    metafile: true,
    logLevel: "silent",
    absWorkingDir: root,
  });
  const inputs: Metafile["inputs"] = r.metafile.inputs;
  const start = relative(root, entry);
  const seen = new Set<string>([start]);
  const packages = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    for (const imp of inputs[todo.pop()!]!.imports) {
      if (imp.kind !== "import-statement" && imp.kind !== "require-call") continue;
      if (imp.external) packages.add(imp.path);
      else if (!seen.has(imp.path)) {
        seen.add(imp.path);
        todo.push(imp.path);
      }
    }
  }
  return { files: [...seen].sort(), packages: [...packages].sort() };
}

const heavy = ["gpu.js", "webgpu", "mathjs", "gl"];
const builtinsOnly = (packages: readonly string[]): string[] => packages.filter((p) => !p.startsWith("node:"));

describe("static import graphs of the sources", () => {
  test("the core entry loads no package: no gpu.js, webgpu or mathjs, no GPU backend file", async () => {
    const g = await staticGraph(join(root, "src/index.ts"));
    expect(builtinsOnly(g.packages)).toEqual([]);
    for (const p of heavy) expect(g.packages).not.toContain(p);
    expect(g.files.filter((f) => f.includes("backends/gpu/"))).toEqual([]);
    // The sanity of the walk itself: it reaches deep files, and the lazy mathjs loader but not mathjs.
    expect(g.files).toContain("src/tensor/backends/cpu/backend.ts");
    expect(g.files).toContain("src/moe/budget/mathjs-load.ts");
    expect(g.packages).toEqual(["node:module"]);
  });

  test("the gpu entry loads neither gpu.js nor webgpu until a backend is created", async () => {
    const g = await staticGraph(join(root, "src/gpu/index.ts"));
    for (const p of heavy) expect(g.packages).not.toContain(p);
    expect(g.files).toContain("src/tensor/backends/gpu/load.ts");
  });

  test("the CLI's top level loads no command module and no package", async () => {
    const g = await staticGraph(join(root, "src/cli/bin.ts"));
    expect(g.files.filter((f) => f.startsWith("src/cli/commands/") && !f.endsWith("index.ts"))).toEqual([]);
    expect(builtinsOnly(g.packages)).toEqual([]);
  });

  test("the walk sees through a static import: the budget command's graph reaches the formula file", async () => {
    const g = await staticGraph(join(root, "src/cli/commands/budget.ts"));
    expect(g.files).toContain("src/moe/budget/formula.ts");
    expect(g.packages).not.toContain("mathjs");
  });
});

describe.runIf(existsSync(join(root, "dist/index.js")))("static import graphs of the build (dist/, after npm run build)", () => {
  test.each(["dist/index.js", "dist/gpu/index.js", "dist/cli/bin.js"])("%s loads none of gpu.js, webgpu, mathjs", async (entry) => {
    const g = await staticGraph(join(root, entry));
    for (const p of heavy) expect(g.packages).not.toContain(p);
    expect(builtinsOnly(g.packages)).toEqual([]);
  });
});
