/**
 * numpy's einsum string grammar restated independently of src/, for the fuzzer's mutated equations:
 * either the problem as {@link naiveEinsum} takes it, or the reason numpy would refuse the equation.
 *
 * Rules (numpy's documentation and behaviour): whitespace is ignored; `->` at most once, a lone `-`
 * or `>` is an error; the output has no `,`; `...` at most once per term and in the output, a `.`
 * elsewhere is an error; every other character is a label. Operand count = term count; a term without
 * `...` has one label per axis, with `...` at most as many labels as axes (the ellipsis takes the
 * rest, right-aligned across operands with size-1 broadcasting). Implicit output: the ellipsis axes,
 * then the labels seen exactly once, in code point order. Explicit output: labels must occur in an
 * input and only once; if the inputs' ellipsis covers any axis the output must have `...`.
 */
import { labelSizes, type OracleProblem } from "./naive-einsum.js";

/** Either a valid problem or why it is invalid. */
export type ParsedEquation = { readonly ok: true; readonly problem: OracleProblem } | { readonly ok: false; readonly reason: string };

type Tok = string | typeof ELL;
const ELL = Symbol("...");

function tokenize(chars: readonly string[]): Tok[] | string {
  const out: Tok[] = [];
  let ells = 0;
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === ".") {
      if (chars[i + 1] !== "." || chars[i + 2] !== ".") return "stray '.'";
      if (++ells > 1) return "two ellipses";
      out.push(ELL);
      i += 2;
    } else out.push(chars[i]!);
  }
  return out;
}

/** Parses `equation` against `shapes` by numpy's rules. */
export function parseEquationOracle(equation: string, shapes: readonly (readonly number[])[]): ParsedEquation {
  const fail = (reason: string): ParsedEquation => ({ ok: false, reason });
  const chars = [...equation].filter((c) => !/\s/u.test(c));
  const text = chars.join("");
  const arrows = text.split("->").length - 1;
  if (arrows > 1) return fail("two arrows");
  const [lhs, rhs] = arrows === 1 ? text.split("->") : [text, undefined];
  if (/[->]/.test(lhs!) || (rhs !== undefined && /[->]/.test(rhs))) return fail("stray '-' or '>'");
  if (rhs?.includes(",")) return fail("',' in the output");
  const terms: Tok[][] = [];
  for (const t of lhs!.split(",")) {
    const tok = tokenize([...t]);
    if (typeof tok === "string") return fail(tok);
    terms.push(tok);
  }
  const outTok = rhs === undefined ? undefined : tokenize([...rhs]);
  if (typeof outTok === "string") return fail(outTok);
  if (terms.length !== shapes.length) return fail("operand count");
  // Axes of each operand: labels, the ellipsis' axes named by their distance from the right.
  let ellMax = 0;
  const inputs: unknown[][] = [];
  for (let k = 0; k < terms.length; k++) {
    const t = terms[k]!;
    const shape = shapes[k]!;
    const nLabels = t.filter((x) => x !== ELL).length;
    const hasEll = t.includes(ELL);
    if (hasEll ? nLabels > shape.length : nLabels !== shape.length) return fail("rank mismatch");
    const cover = shape.length - nLabels;
    if (hasEll) ellMax = Math.max(ellMax, cover);
    const labels: unknown[] = [];
    for (const x of t) {
      if (x === ELL) for (let d = cover; d >= 1; d--) labels.push(`…${d}`);
      else labels.push(x);
    }
    inputs.push(labels);
  }
  const ellAxes = Array.from({ length: ellMax }, (_, i) => `…${ellMax - i}`);
  let output: unknown[];
  if (outTok === undefined) {
    const count = new Map<string, number>();
    for (const t of terms) for (const x of t) if (x !== ELL) count.set(x, (count.get(x) ?? 0) + 1);
    const singles = [...count].filter(([, c]) => c === 1).map(([l]) => l);
    singles.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    output = [...ellAxes, ...singles];
  } else {
    const seen = new Set<string>();
    const inInputs = new Set(terms.flat().filter((x): x is string => x !== ELL));
    output = [];
    for (const x of outTok) {
      if (x === ELL) {
        output.push(...ellAxes);
        continue;
      }
      if (!inInputs.has(x)) return fail("output label absent");
      if (seen.has(x)) return fail("output label repeated");
      seen.add(x);
      output.push(x);
    }
    if (ellMax > 0 && !outTok.includes(ELL)) return fail("ellipsis dropped");
  }
  const problem: OracleProblem = { inputs, output, shapes };
  try {
    labelSizes(problem);
  } catch (e) {
    return fail((e as Error).message);
  }
  return { ok: true, problem };
}
