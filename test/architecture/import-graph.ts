/**
 * The import graph of the TypeScript sources, and a cycle finder over any directed graph. Edges come
 * from `ts.preProcessFile`: static imports, `export … from`, type-only imports and exports
 * (`import type`, `export type … from`) and dynamic `import("…")` with a literal specifier. Only
 * relative specifiers are followed (packages and `node:` built-ins are outside the graph).
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** Node → the nodes it imports. */
export type Graph = ReadonlyMap<string, ReadonlySet<string>>;

/** Every `.ts` file under `dir`, recursively, as absolute paths (sorted). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out.sort();
}

/** The file a relative specifier names: `./x.js` → `./x.ts`, a folder → its `index.ts`. */
function resolveSpecifier(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base.replace(/\.(m?js)$/, (_, ext: string) => (ext === "mjs" ? ".mts" : ".ts")),
    `${base}.ts`,
    join(base, "index.ts"),
  ];
  // A file that does not exist yet (e.g. generated before the tests run) still counts as a node.
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/**
 * The file-level import graph of the sources under `root`: keys and values are paths relative to
 * `root` with `/` separators (`tensor/dense.ts`). Files under `exclude` (paths relative to `root`)
 * are neither nodes nor followed.
 */
export function importGraph(root: string, exclude: readonly string[] = []): Map<string, Set<string>> {
  const rel = (p: string): string => relative(root, p).split(sep).join("/");
  const skip = (r: string): boolean => exclude.some((e) => r === e || r.startsWith(`${e}/`));
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(root)) {
    const from = rel(file);
    if (skip(from)) continue;
    const deps = new Set<string>();
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const to = rel(resolveSpecifier(file, fileName));
      if (!skip(to)) deps.add(to);
    }
    graph.set(from, deps);
  }
  return graph;
}

/** Strongly connected components of `graph` (Tarjan), each in discovery order. */
function components(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp.reverse());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** A shortest path from `start` back to `start` inside `members`, as the node chain (first = last). */
function shortestCycle(graph: Graph, start: string, members: ReadonlySet<string>): string[] | undefined {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const chain = [start];
        for (let u = v; u !== start; u = prev.get(u)!) chain.push(u);
        chain.push(start);
        return chain.reverse();
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return undefined;
}

/**
 * The cycles of `graph`: for every strongly connected component with a cycle, the shortest cycle
 * through each of its nodes, without repeats (the same cycle from another starting node). Each cycle
 * is a node chain whose first and last entries are equal, e.g. `["a", "b", "a"]`. Empty when the
 * graph is acyclic.
 */
export function findCycles(graph: Graph): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const comp of components(graph)) {
    const members = new Set(comp);
    if (comp.length === 1 && !graph.get(comp[0]!)?.has(comp[0]!)) continue;
    for (const v of [...comp].sort()) {
      const cycle = shortestCycle(graph, v, members);
      if (!cycle) continue;
      // Same cycle from another start: compare the rotation that starts at its smallest node.
      const ring = cycle.slice(0, -1);
      const k = ring.indexOf([...ring].sort()[0]!);
      const key = [...ring.slice(k), ...ring.slice(0, k)].join("\0");
      if (seen.has(key)) continue;
      seen.add(key);
      cycles.push(cycle);
    }
  }
  return cycles;
}

/** One file import that makes a folder edge: `from` (in the source folder) imports `to`. */
export interface Witness {
  readonly from: string;
  readonly to: string;
}

/**
 * Collapses a file graph onto groups: `groupOf` names each file's group, or undefined to leave the
 * file out. Edges inside one group vanish; each remaining edge keeps the first file import behind it.
 */
export function collapse(
  files: Graph,
  groupOf: (file: string) => string | undefined,
): { graph: Map<string, Set<string>>; witness: Map<string, Witness> } {
  const graph = new Map<string, Set<string>>();
  const witness = new Map<string, Witness>();
  for (const [from, deps] of files) {
    const g = groupOf(from);
    if (g === undefined) continue;
    if (!graph.has(g)) graph.set(g, new Set());
    for (const to of deps) {
      const h = groupOf(to);
      if (h === undefined || h === g) continue;
      graph.get(g)!.add(h);
      if (!graph.has(h)) graph.set(h, new Set());
      const key = `${g}\0${h}`;
      if (!witness.has(key)) witness.set(key, { from, to });
    }
  }
  return { graph, witness };
}

/** A cycle as one line per edge: `a → b` for files, `a → b  (x.ts → y.ts)` with witnesses for groups. */
export function formatCycle(cycle: readonly string[], witness?: ReadonlyMap<string, Witness>): string {
  const lines: string[] = [];
  for (let i = 0; i + 1 < cycle.length; i++) {
    const w = witness?.get(`${cycle[i]}\0${cycle[i + 1]}`);
    lines.push(`  ${cycle[i]} → ${cycle[i + 1]}${w ? `  (${w.from} → ${w.to})` : ""}`);
  }
  return lines.join("\n");
}
