/**
 * Runs every ```ts block of every TSDoc `@example` in src/**\/*.ts (imports of "multilinear" point at
 * src/index.ts) and checks each `expr; // => value` line: the value of `expr`, as JSON (bigint
 * literals such as `64n` allowed), must equal `value`. One test per example, named by file and symbol.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import {
  canonical,
  extractExamples,
  parseExpected,
  prepareExample,
  type DocExample,
  type PreparedExample,
} from "./helpers/doc-examples.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
const work = mkdtempSync(join(tmpdir(), "multilinear-doc-examples-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith(".ts") && !d.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** "multilinear" → src/index.ts; "multilinear/x" → src/x/index.ts or src/x.ts. */
function resolve(specifier: string): string {
  const sub = specifier.slice("multilinear".length).replace(/^\//, "");
  const candidates = sub === "" ? [join(src, "index.ts")] : [join(src, sub, "index.ts"), join(src, `${sub}.ts`)];
  const hit = candidates.find((c) => existsSync(c));
  if (!hit)
    throw new Error(`cannot resolve '${specifier}' to a file under src/ (tried ${candidates.map((c) => relative(root, c)).join(", ")})`);
  return hit;
}

interface CheckResult {
  readonly line: number;
  readonly expression: string;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly ok: boolean;
}

let serial = 0;

/** Writes the module, runs it, and compares every check. Rejects when the example throws. */
async function run(prepared: PreparedExample, name: string): Promise<CheckResult[]> {
  const file = join(work, `example-${serial++}-${name.replace(/[^\w.-]+/g, "_").slice(0, 60)}.ts`);
  writeFileSync(file, prepared.module);
  const mod = (await import(pathToFileURL(file).href)) as {
    default: (check: (i: number, f: () => Promise<unknown>) => Promise<void>) => Promise<void>;
  };
  const values = new Map<number, unknown>();
  await mod.default(async (i, f) => {
    values.set(i, await f());
  });
  return prepared.checks.map((c, i) => {
    const expected = parseExpected(c.expected);
    const actual = canonical(values.get(i));
    let ok = values.has(i);
    try {
      expect(actual).toEqual(expected);
    } catch {
      ok = false;
    }
    return { line: c.line, expression: c.expression, expected, actual, ok };
  });
}

/** Every ```ts block of a Markdown file (README, guides): they are runnable examples too. */
function markdownExamples(file: string): DocExample[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!.trim())) continue;
    const start = i + 1;
    const code: string[] = [];
    for (i = start; i < lines.length && lines[i]!.trim() !== "```"; i++) code.push(lines[i]!);
    out.push({ file: relative(root, file), symbol: `line ${start + 1}`, line: start + 1, code });
  }
  return out;
}

const guides = existsSync(join(root, "docs", "guides"))
  ? readdirSync(join(root, "docs", "guides"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => join(root, "docs", "guides", f))
  : [];
const examples: DocExample[] = [
  ...sourceFiles(src).flatMap((f) => extractExamples(readFileSync(f, "utf8"), relative(root, f))),
  ...[join(root, "README.md"), ...guides].filter((f) => existsSync(f)).flatMap(markdownExamples),
];
const tally = { passed: 0, checks: 0 };

afterAll(() => {
  console.log(
    `docs examples: ${examples.length} found in src/, README and guides, ${tally.passed} passing, ${tally.checks} '// =>' checks`,
  );
});

describe("TSDoc @example blocks run and their // => values hold", () => {
  test("examples are found", () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
  });

  test.each(examples.map((e) => [`${e.file} › ${e.symbol}`, e] as const))("%s", async (name, e) => {
    const prepared = prepareExample(e, resolve);
    const results = await run(prepared, name);
    for (const r of results) {
      expect(r.actual, `${e.file}:${r.line}: ${r.expression} // => ${JSON.stringify(r.expected)}`).toEqual(r.expected);
    }
    tally.passed++;
    tally.checks += results.length;
  });
});

describe("the example checker itself", () => {
  const example = (code: string[]): DocExample => ({ file: "synthetic.ts", symbol: "synthetic", line: 1, code });

  test("a wrong // => value fails, a right one passes", async () => {
    const results = await run(
      prepareExample(
        example([
          'import { tensor } from "multilinear";',
          "tensor([1, 2]).shape; // => [2]",
          "tensor([1, 2]).shape; // => [3]",
          "6n * 7n; // => 42n",
          "6n * 7n; // => 42",
        ]),
        resolve,
      ),
      "self-test",
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, true, false]);
  });

  test("an example that throws fails", async () => {
    await expect(
      run(prepareExample(example(['import { tensor } from "multilinear";', "tensor([[1], [2, 3]]);"]), resolve), "throws"),
    ).rejects.toThrow(/ragged/);
  });

  test("a // => after a declaration and an unknown subpath are refused", () => {
    expect(() => prepareExample(example(["const x = 1; // => 1"]), resolve)).toThrow(/must be an expression statement/);
    expect(() => prepareExample(example(['import { x } from "multilinear/nonesuch";']), resolve)).toThrow(
      /cannot resolve 'multilinear\/nonesuch'/,
    );
  });

  test("extraction: only ```ts blocks inside @example, named by the next declaration", () => {
    const src = [
      "/**",
      " * Adds.",
      " * ```ts",
      " * notAnExample(); // => 1",
      " * ```",
      " * @example",
      " * ```ts",
      " * add(1, 2); // => 3",
      " * ```",
      " * @example",
      " * ```typescript",
      " * add(2, 2); // => 4",
      " * ```",
      " * @param a - first",
      " */",
      "export function add(a: number, b: number): number {",
      "  return a + b;",
      "}",
      "export class Box {",
      "  /**",
      "   * @example",
      "   * ```ts",
      "   * new Box().size; // => 0",
      "   * ```",
      "   */",
      "  get size(): number {",
      "    return 0;",
      "  }",
      "}",
    ].join("\n");
    const found = extractExamples(src, "x.ts");
    expect(found.map((e) => [e.symbol, e.line, e.code])).toEqual([
      ["add", 8, ["add(1, 2); // => 3"]],
      ["add (example 2)", 12, ["add(2, 2); // => 4"]],
      ["Box.size", 23, ["new Box().size; // => 0"]],
    ]);
  });

  test("expected values: JSON with bigint literals", () => {
    expect(parseExpected('[1, "2n", 3n, -4n, {"a": 5n}]')).toEqual([1, "2n", "\u0000bigint:3", "\u0000bigint:-4", { a: "\u0000bigint:5" }]);
    expect(canonical([3n, new Float32Array([0.5])])).toEqual(["\u0000bigint:3", [0.5]]);
    expect(() => parseExpected("foo()")).toThrow();
  });
});
