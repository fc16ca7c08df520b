/**
 * Extracts the ```ts blocks of TSDoc `@example` sections from source files and turns each into a
 * runnable module whose `// => value` lines are checked.
 */

/** One fenced example. */
export interface DocExample {
  /** Source file, relative to the repository root. */
  readonly file: string;
  /** The documented symbol (function, class, method, constant), or `line N` when it cannot be named. */
  readonly symbol: string;
  /** 1-based line of the example's first code line in the source file. */
  readonly line: number;
  /** The code lines. */
  readonly code: readonly string[];
}

/** One `expr; // => value` check. */
export interface DocCheck {
  /** 1-based line in the source file. */
  readonly line: number;
  readonly expression: string;
  readonly expected: string;
}

/** A runnable module and the checks it will report. */
export interface PreparedExample {
  /** TypeScript module text; its default export runs the example, calling `check(i, value)` per check. */
  readonly module: string;
  readonly checks: readonly DocCheck[];
}

const DECLARATION =
  /^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type|enum)\s+([A-Za-z_$][\w$]*)/;
const MEMBER = /^\s*(?:(?:public|private|protected|static|readonly|override|abstract|async|get|set)\s+)*\*?([A-Za-z_$][\w$]*)\s*[(<:=?]/;

/** Finds every ```ts / ```typescript block inside an `@example` section of a `/** … *\/` comment. */
export function extractExamples(source: string, file: string): DocExample[] {
  const lines = source.split("\n");
  const out: DocExample[] = [];
  let className: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const cls = /^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/.exec(lines[i]!);
    if (cls) className = cls[1];
    if (!/^\s*\/\*\*/.test(lines[i]!)) continue;
    // The comment's lines, with the leading " * " removed.
    const start = i;
    let end = i;
    while (end < lines.length && !lines[end]!.includes("*/")) end++;
    const body = lines.slice(start, end + 1).map((l) =>
      l
        .replace(/^\s*\/\*\*\s?/, "")
        .replace(/\s*\*\/\s*$/, "")
        .replace(/^\s*\*(?: |$)/, ""),
    );
    const symbol = nameAfter(lines, end + 1, className) ?? `line ${end + 2}`;
    let inExample = false;
    for (let k = 0; k < body.length; k++) {
      const text = body[k]!;
      if (/^@\w+/.test(text.trim())) inExample = text.trim().startsWith("@example");
      if (!inExample || !/^\s*```(ts|typescript)\s*$/.test(text)) continue;
      const code: string[] = [];
      let j = k + 1;
      while (j < body.length && !/^\s*```\s*$/.test(body[j]!)) code.push(body[j++]!);
      if (j >= body.length) throw new Error(`${file}:${start + k + 1}: unterminated \`\`\`ts block in an @example`);
      out.push({ file, symbol, line: start + k + 2, code });
      k = j;
    }
    i = end;
  }
  // Name repeated examples of one symbol by their order.
  const seen = new Map<string, number>();
  return out.map((e) => {
    const n = (seen.get(e.symbol) ?? 0) + 1;
    seen.set(e.symbol, n);
    return n === 1 ? e : { ...e, symbol: `${e.symbol} (example ${n})` };
  });
}

function nameAfter(lines: readonly string[], from: number, className: string | undefined): string | undefined {
  for (let i = from; i < Math.min(lines.length, from + 3); i++) {
    const l = lines[i]!;
    if (l.trim() === "" || l.trim().startsWith("@")) continue;
    const d = DECLARATION.exec(l);
    if (d) return d[1];
    const m = MEMBER.exec(l);
    if (m && m[1] !== "constructor") return className ? `${className}.${m[1]}` : m[1];
    if (m) return className ? `${className} constructor` : "constructor";
    return undefined;
  }
  return undefined;
}

/**
 * Rewrites an example into a module: imports of `"multilinear"` (and `"multilinear/…"`) point at
 * `resolve(specifier)`; every `expr; // => value` line becomes a check.
 * @throws when a `// =>` line is not an expression statement, or a specifier does not resolve.
 */
export function prepareExample(e: DocExample, resolve: (specifier: string) => string): PreparedExample {
  const imports: string[] = [];
  const body: string[] = [];
  const checks: DocCheck[] = [];
  for (let i = 0; i < e.code.length; i++) {
    const line = e.code[i]!;
    if (/^\s*import\b/.test(line)) {
      // Collect a possibly multi-line import statement.
      let stmt = line;
      while (!/from\s+["'][^"']+["']\s*;?\s*$/.test(stmt) && !/^\s*import\s+["'][^"']+["']\s*;?\s*$/.test(stmt) && i + 1 < e.code.length)
        stmt += "\n" + e.code[++i]!;
      imports.push(
        stmt.replace(
          /(from\s+|import\s+)(["'])(multilinear(?:\/[^"']*)?)\2/,
          (_, kw: string, q: string, spec: string) => `${kw}${q}${resolve(spec)}${q}`,
        ),
      );
      body.push("");
      continue;
    }
    const arrow = line.indexOf("// =>");
    if (arrow < 0) {
      body.push(line);
      continue;
    }
    const expression = line.slice(0, arrow).trim().replace(/;\s*$/, "");
    const expected = line.slice(arrow + 5).trim();
    if (/^(const|let|var|import|export|return|if|for|while)\b/.test(expression) || expression === "") {
      throw new Error(`${e.file}:${e.line + i}: a '// =>' line must be an expression statement, got: ${line.trim()}`);
    }
    body.push(`await __check(${checks.length}, async () => (${expression}));`);
    checks.push({ line: e.line + i, expression, expected });
  }
  const module = [
    ...imports,
    "export default async function __run(__check: (i: number, f: () => Promise<unknown>) => Promise<void>): Promise<void> {",
    ...body.map((l) => `  ${l}`),
    "}",
    "",
  ].join("\n");
  return { module, checks };
}

const BIGINT = "\u0000bigint:";

/** Parses the text after `// =>`: JSON, plus bigint literals such as `64n`. */
export function parseExpected(text: string): unknown {
  // Replace bigint literals outside strings with a tagged string, then parse JSON.
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const m = /^-?\d+n\b/.exec(text.slice(i));
    if (m && !/[\w.]/.test(text[i - 1] ?? "")) {
      out += JSON.stringify(BIGINT + m[0].slice(0, -1));
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return JSON.parse(out);
}

/** The comparable form of an evaluated value: JSON data with bigints tagged and typed arrays as arrays. */
export function canonical(value: unknown): unknown {
  const json = JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === "bigint") return BIGINT + v.toString();
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (v instanceof Map) return { "\u0000map": [...v] };
    if (v instanceof Set) return { "\u0000set": [...v] };
    return v;
  });
  return json === undefined ? undefined : JSON.parse(json);
}
