/**
 * numpy's einsum grammar: explicit (`->`) and implicit output, repeated labels, ellipsis with
 * broadcasting, scalars, spaces, and the interleaved sublist form with arbitrary label values.
 * @module
 */
import { EinsumSyntaxError, InvalidArgumentError, OperandCountError, RankMismatchError } from "../../errors.js";
import { getSymbol, isReservedChar, type Label } from "./labels.js";
import { resolveProblem, type EinsumProblem } from "./problem.js";

/** Marks the ellipsis in a sublist (numpy's `Ellipsis`). @category Einsum & paths */
export const ELLIPSIS = "...";

/** A label value in the sublist form: any number or string; {@link ELLIPSIS} stands for `...`. @category Einsum & paths */
export type SublistLabel = number | string;

type Item = { readonly kind: "label"; readonly label: Label } | { readonly kind: "ellipsis" };

interface Located {
  readonly ch: string;
  readonly pos: number;
}

/**
 * Parses a numpy einsum equation against operand shapes.
 * @param equation - e.g. `"ij,jk->ik"`, `"ii"`, `"...ij,...jk"`, `"a b, b c -> a c"`.
 * @param shapes - one shape per operand.
 * @throws {@link EinsumSyntaxError} with a caret under the offending character.
 * @throws {@link OperandCountError}, {@link RankMismatchError}, {@link ShapeMismatchError}, {@link OutputLabelError}
 * @example
 * ```ts
 * import { parseEinsum } from "multilinear";
 * const p = parseEinsum("ij,jk", [[2, 3], [3, 4]]);
 * p.output; // => ["i", "k"]
 * p.sizes.get("j"); // => 3
 * ```
 * @category Einsum & paths
 */
export function parseEinsum(equation: string, shapes: readonly (readonly number[])[]): EinsumProblem {
  const chars: Located[] = [];
  let pos = 0;
  for (const ch of equation) {
    if (!isSpace(ch)) chars.push({ ch, pos });
    pos++;
  }
  const fail = (at: number, problem: string, hint: string): never => {
    throw new EinsumSyntaxError(equation, at, problem, hint);
  };
  // Split off the output at "->".
  let arrow = -1;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!.ch;
    if (c === "-") {
      if (chars[i + 1]?.ch !== ">") fail(chars[i]!.pos, "'-' must be followed by '>'", "write the output after '->'");
      if (arrow >= 0) fail(chars[i]!.pos, "the equation has more than one '->'", "use a single '->' before the output labels");
      arrow = i;
      i++;
    } else if (c === ">") {
      fail(chars[i]!.pos, "'>' without a preceding '-'", "write the output after '->'");
    }
  }
  const lhs = arrow >= 0 ? chars.slice(0, arrow) : chars;
  const rhs = arrow >= 0 ? chars.slice(arrow + 2) : undefined;
  if (rhs) {
    const comma = rhs.find((c) => c.ch === ",");
    if (comma) fail(comma.pos, "the output cannot have ',': an einsum has exactly one result", "remove the ',' after '->'");
  }
  // Split the inputs at commas.
  const termChars: Located[][] = [[]];
  for (const c of lhs) {
    if (c.ch === ",") termChars.push([]);
    else termChars[termChars.length - 1]!.push(c);
  }
  const terms = termChars.map((t) => tokenize(t, "a term", fail));
  const out = rhs ? tokenize(rhs, "the output", fail) : undefined;
  if (terms.length !== shapes.length) throw new OperandCountError(terms.length, shapes.length);
  const used = new Set<string>();
  for (const t of terms) for (const x of t) if (x.kind === "label") used.add(x.label);
  if (out) for (const x of out) if (x.kind === "label") used.add(x.label);
  return expand(terms, out, shapes, used, (k) => termChars[k]!.map((c) => c.ch).join(""), equation);
}

/**
 * Parses numpy's interleaved form `einsum(op0, sublist0, op1, sublist1, …, [sublistOut])`, where
 * labels are arbitrary numbers or strings (so networks with more than 52 labels can be written).
 * @param sublists - labels of each operand; {@link ELLIPSIS} (`"..."`) marks an ellipsis.
 * @param shapes - one shape per operand.
 * @param output - labels of the result; implicit (labels seen once, sorted) when omitted.
 * @example
 * ```ts
 * import { parseSublist } from "multilinear";
 * const p = parseSublist([[0, 1], [1, 2]], [[2, 3], [3, 4]], [0, 2]);
 * p.equation; // => "ab,bc->ac"
 * p.labelNames?.get("c"); // => 2
 * ```
 * @category Einsum & paths
 */
export function parseSublist(
  sublists: readonly (readonly SublistLabel[])[],
  shapes: readonly (readonly number[])[],
  output?: readonly SublistLabel[],
): EinsumProblem {
  const symbolOf = new Map<string, Label>();
  const names = new Map<Label, string | number>();
  const key = (v: SublistLabel): string => `${typeof v}:${String(v)}`;
  const convert = (list: readonly SublistLabel[], where: string): Item[] => {
    let ellipses = 0;
    return list.map((v) => {
      if (v === ELLIPSIS) {
        if (++ellipses > 1)
          throw new EinsumSyntaxError(where, -1, `${where} has more than one ellipsis`, "use '...' at most once per sublist");
        return { kind: "ellipsis" } as const;
      }
      if (typeof v !== "number" && typeof v !== "string") {
        throw new InvalidArgumentError(`${where} has a label of type ${typeof v}`, "use numbers or strings as sublist labels");
      }
      if (typeof v === "number" && !Number.isFinite(v))
        throw new InvalidArgumentError(`${where} has the label ${v}`, "use finite numbers or strings as labels");
      let s = symbolOf.get(key(v));
      if (s === undefined) {
        s = getSymbol(symbolOf.size);
        symbolOf.set(key(v), s);
        names.set(s, v);
      }
      return { kind: "label", label: s } as const;
    });
  };
  if (sublists.length !== shapes.length) throw new OperandCountError(sublists.length, shapes.length);
  const terms = sublists.map((l, k) => convert(l, `sublist of operand ${k}`));
  const out = output === undefined ? undefined : convert(output, "output sublist");
  const used = new Set(symbolOf.values());
  // Implicit output sorts the original values (numbers numerically, then strings by code point), not the symbols.
  const order = (a: Label, b: Label): number => compareValues(names.get(a)!, names.get(b)!);
  const source = sublists.map((l) => `[${l.map(String).join(", ")}]`).join(", ");
  return expand(terms, out, shapes, used, (k) => sublists[k]!.map(String).join(" "), source, names, order);
}

function isSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c > 32 && c < 127) return false;
  return /\s/u.test(ch);
}

function compareValues(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return compareCodePoints(a, b);
}

/**
 * Orders strings by code point, as Python (numpy, opt_einsum) does. JavaScript's `<` compares UTF-16
 * code units, which puts astral characters (U+10000 and up) before U+E000–U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function tokenize(chars: readonly Located[], what: string, fail: (at: number, problem: string, hint: string) => never): Item[] {
  const items: Item[] = [];
  let ellipsis = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c.ch === ".") {
      if (chars[i + 1]?.ch !== "." || chars[i + 2]?.ch !== ".")
        fail(c.pos, "'.' is only allowed as part of '...'", "write an ellipsis as exactly three dots");
      if (ellipsis) fail(c.pos, `${what} has more than one '...'`, `use '...' at most once in ${what === "a term" ? "each term" : what}`);
      ellipsis = true;
      items.push({ kind: "ellipsis" });
      i += 2;
    } else if (isReservedChar(c.ch)) {
      fail(c.pos, `'${c.ch}' cannot be a label`, "use letters (or other symbols except , - > .) as labels");
    } else {
      items.push({ kind: "label", label: c.ch });
    }
  }
  return items;
}

/** Expands ellipses into fresh labels (right-aligned across operands) and resolves the output. */
function expand(
  terms: readonly Item[][],
  out: readonly Item[] | undefined,
  shapes: readonly (readonly number[])[],
  used: ReadonlySet<string>,
  termText: (k: number) => string,
  source: string,
  names?: Map<Label, string | number>,
  order?: (a: Label, b: Label) => number,
): EinsumProblem {
  // How many axes each operand's ellipsis covers.
  let ellNdim = 0;
  const cover = terms.map((t, k) => {
    const shape = shapes[k]!;
    if (!Array.isArray(shape))
      throw new InvalidArgumentError(`operand ${k} has no shape`, "pass a tensor or a shape (array of sizes) per operand");
    const named = t.filter((x) => x.kind === "label").length;
    const hasEll = t.some((x) => x.kind === "ellipsis");
    if (!hasEll && named !== shape.length) throw new RankMismatchError(k, termText(k), named, shape.length);
    if (hasEll && shape.length < named) throw new RankMismatchError(k, termText(k), `at least ${named}`, shape.length);
    const c = hasEll ? shape.length - named : 0;
    ellNdim = Math.max(ellNdim, c);
    return c;
  });
  const ellLabels: Label[] = [];
  for (let i = 0; ellLabels.length < ellNdim; i++) {
    const s = getSymbol(i);
    if (!used.has(s)) ellLabels.push(s);
  }
  if (names) ellLabels.forEach((s, i) => names.set(s, `...${i}`));
  // Errors about an ellipsis axis name it "...i" (counted from the left of the broadcast '...'), not by its internal symbol.
  const display = new Map(ellLabels.map((s, i) => [s, `...${i}`] as const));
  const expanded = terms.map((t, k) => t.flatMap((x) => (x.kind === "label" ? [x.label] : ellLabels.slice(ellNdim - cover[k]!))));
  let output: Label[];
  if (out === undefined) {
    const counts = new Map<Label, number>();
    for (const t of terms) for (const x of t) if (x.kind === "label") counts.set(x.label, (counts.get(x.label) ?? 0) + 1);
    const singles = [...counts].filter(([, n]) => n === 1).map(([l]) => l);
    singles.sort(order ?? compareCodePoints);
    output = [...ellLabels, ...singles];
  } else {
    const hasEll = out.some((x) => x.kind === "ellipsis");
    if (!hasEll && ellNdim > 0) {
      throw new EinsumSyntaxError(
        source,
        -1,
        `the inputs' '...' covers ${ellNdim} ax${ellNdim === 1 ? "is" : "es"} but the output has no '...'`,
        "add '...' to the output (numpy does not sum ellipsis axes implicitly), or name those axes",
      );
    }
    output = out.flatMap((x) => (x.kind === "label" ? [x.label] : ellLabels));
  }
  return resolveProblem(expanded, output, shapes, names, undefined, display);
}
