import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { collapse, findCycles, formatCycle, importGraph, type Graph } from "./import-graph.js";

/**
 * The import graph of src/. Every import counts, type-only ones included (`import type`,
 * `export type … from`): they compile away, but they still couple the files. Dynamic `import("…")`
 * with a literal relative path counts too. The AssemblyScript sources in src/kernels/assembly are not
 * part of the TypeScript build and are left out.
 */
const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src");
const files = importGraph(SRC, ["kernels/assembly"]);

/** src/<folder>/… → folder; a file directly in src/ (index.ts, errors.ts) is its own node. */
function topFolder(file: string): string {
  const i = file.indexOf("/");
  return i < 0 ? file : file.slice(0, i);
}

/** src/tensor/<sub>/… → tensor/<sub>; files directly in src/tensor are one node, `tensor/*.ts`. */
function tensorFolder(file: string): string | undefined {
  if (!file.startsWith("tensor/")) return undefined;
  const parts = file.split("/");
  return parts.length > 2 ? `tensor/${parts[1]}` : "tensor/*.ts";
}

function report(kind: string, cycles: readonly string[][], witness?: Parameters<typeof formatCycle>[1]): string {
  return `${cycles.length} ${kind} cycle(s):\n${cycles.map((c) => formatCycle(c, witness)).join("\n  --\n")}`;
}

describe("import graph of src/", () => {
  test("sees the sources", () => {
    // A wrong root or a broken resolver would make every other test here pass vacuously.
    expect(files.size).toBeGreaterThan(50);
    expect(files.get("index.ts")?.has("tensor/dense.ts")).toBe(true);
    expect(files.get("tensor/backends/cpu/backend.ts")?.has("kernels/runtime.ts")).toBe(true);
  });

  test("has no file-level import cycle", () => {
    const cycles = findCycles(files);
    expect(cycles, report("file", cycles)).toEqual([]);
  });

  test("has no cycle between the top-level folders of src/", () => {
    const { graph, witness } = collapse(files, topFolder);
    const cycles = findCycles(graph);
    expect(cycles, report("folder", cycles, witness)).toEqual([]);
  });

  test("has no cycle between the subfolders of src/tensor (its own files count as one node)", () => {
    const { graph, witness } = collapse(files, tensorFolder);
    const cycles = findCycles(graph);
    expect(cycles, report("tensor folder", cycles, witness)).toEqual([]);
  });

  test("src/kernels imports nothing outside src/kernels", () => {
    const outside = [...files]
      .filter(([f]) => f.startsWith("kernels/"))
      .flatMap(([f, deps]) => [...deps].filter((d) => !d.startsWith("kernels/")).map((d) => `${f} → ${d}`));
    expect(outside, `kernels/ reaches outside:\n  ${outside.join("\n  ")}`).toEqual([]);
  });
});

describe("cycle finder", () => {
  const graphOf = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

  test("finds nothing in an acyclic graph", () => {
    expect(findCycles(graphOf({ a: ["b", "c"], b: ["c"], c: [], d: ["a"] }))).toEqual([]);
  });

  test("finds a cycle and a self-import, each as a closed chain", () => {
    const cycles = findCycles(graphOf({ a: ["b"], b: ["c"], c: ["a", "d"], d: [], e: ["e"] }));
    expect(cycles).toEqual([
      ["a", "b", "c", "a"],
      ["e", "e"],
    ]);
    expect(formatCycle(cycles[0]!)).toBe("  a → b\n  b → c\n  c → a");
  });

  test("lists every cycle of a knot once, however it is entered", () => {
    // Two cycles share node a: a→b→a and a→c→d→a.
    const cycles = findCycles(graphOf({ a: ["b", "c"], b: ["a"], c: ["d"], d: ["a"] }));
    expect(cycles).toEqual([
      ["a", "b", "a"],
      ["c", "d", "a", "c"],
    ]);
  });

  test("folder cycles name the file imports behind each edge", () => {
    const { graph, witness } = collapse(
      graphOf({ "x/1.ts": ["y/1.ts"], "y/1.ts": ["y/2.ts"], "y/2.ts": ["x/2.ts"], "x/2.ts": [] }),
      topFolder,
    );
    const cycles = findCycles(graph);
    expect(cycles).toEqual([["x", "y", "x"]]);
    expect(formatCycle(cycles[0]!, witness)).toBe("  x → y  (x/1.ts → y/1.ts)\n  y → x  (y/2.ts → x/2.ts)");
  });
});

describe("import scanner", () => {
  const dir = mkdtempSync(join(tmpdir(), "import-graph-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  test("counts type-only, re-export and dynamic imports, resolves .js and folders, skips packages", () => {
    write("a.ts", `import type { B } from "./b.js";\nexport { c } from "./sub/c.js";\nimport { readFileSync } from "node:fs";\n`);
    write("b.ts", `export type B = number;\nexport async function load() { return import("./d.js"); }\n`);
    write("sub/c.ts", `export * from "../e/index.js";\nexport const c = 1;\n`);
    write("d.ts", `import "./a.js";\nexport const d = 1;\n`);
    write("e/index.ts", `export type { B } from "../b.js";\n`);
    write("skip/x.ts", `import "../a.js";\n`);
    const g = importGraph(dir, ["skip"]);
    expect(Object.fromEntries([...g].map(([k, v]) => [k, [...v].sort()]))).toEqual({
      "a.ts": ["b.ts", "sub/c.ts"],
      "b.ts": ["d.ts"],
      "d.ts": ["a.ts"],
      "e/index.ts": ["b.ts"],
      "sub/c.ts": ["e/index.ts"],
    });
    expect(findCycles(g)).toEqual([
      ["a.ts", "b.ts", "d.ts", "a.ts"],
      ["e/index.ts", "b.ts", "d.ts", "a.ts", "sub/c.ts", "e/index.ts"],
    ]);
  });
});
