/**
 * fast-check arbitraries for valid einsum problems in numpy's full grammar.
 *
 * The arbitrary draws a flat "recipe" of independent choices (no `chain`, so shrinking works on every
 * field) and {@link buildCase} turns it into an equation (or sublists), operand shapes, seeded data and
 * the problem as the oracle sees it: one label per axis, ellipsis axes named by private symbols, and
 * the output computed here from numpy's rules, never from src's parser.
 */
import fc from "fast-check";
import type { OracleProblem } from "../oracles/naive-einsum.js";

/** A label value of the sublist form. */
export type SublistValue = number | string;

/** One token of a term: a label or the ellipsis. */
type Token = { readonly kind: "label"; readonly index: number } | { readonly kind: "ellipsis" };

/** A generated einsum problem with its data. */
export interface EinsumCase {
  readonly form: "string" | "sublist";
  /** The equation (string form), or a readable rendering of the sublists (sublist form). */
  readonly equation: string;
  /** Sublist form: labels of each operand (`"..."` is the ellipsis). */
  readonly sublists: readonly (readonly SublistValue[])[];
  /** Sublist form: output labels, or undefined for implicit output. */
  readonly sublistOutput: readonly SublistValue[] | undefined;
  readonly shapes: readonly (readonly number[])[];
  /** Operand data in C order. */
  readonly data: readonly Float64Array[];
  /** How each operand is laid out in memory (see {@link materialize} in the tests). */
  readonly layouts: readonly number[];
  /** The same problem for the oracle. */
  readonly oracle: OracleProblem;
}

const ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
/** Non-ASCII labels, including astral code points and BMP characters above the surrogate range. */
const UNICODE = ["α", "β", "γ", "Ω", "é", "ñ", "ß", "Ж", "中", "文", "ｘ", "Ａ", "𝑥", "𝔸", "😀", "a", "Z", "q"];

const MAX_LABELS = 6;
const MAX_OPS = 6;
const MAX_ELL = 2;
/** Cap on the iteration space, so the oracle stays fast. */
const MAX_ITERATIONS = 3000;

const ELLIPSIS_SYMBOLS = [Symbol("ell0"), Symbol("ell1"), Symbol("ell2"), Symbol("ell3")];

const sublistValue: fc.Arbitrary<SublistValue> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.string({ maxLength: 4, unit: "grapheme" }).filter((s) => s !== "..."),
  fc.constantFrom("i", "j", "0", "1", "é", "𝑥", "ｘ"),
);

/** Distinct labels of one of three kinds. */
const labelPool = (
  min: number,
  max: number,
): fc.Arbitrary<{ readonly form: "string" | "sublist"; readonly labels: readonly SublistValue[] }> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .uniqueArray(fc.constantFrom(...ASCII), { minLength: min, maxLength: max })
        .map((labels) => ({ form: "string" as const, labels })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uniqueArray(fc.constantFrom(...UNICODE), { minLength: min, maxLength: max })
        .map((labels) => ({ form: "string" as const, labels })),
    },
    {
      weight: 2,
      arbitrary: fc
        .uniqueArray(sublistValue, {
          minLength: min,
          maxLength: max,
          selector: (v) => (typeof v === "number" ? `n:${v === 0 ? 0 : v}` : `s:${v}`),
        })
        .map((labels) => ({ form: "sublist" as const, labels })),
    },
  );

const size = fc.integer({ min: 1, max: 3 });

/** The independent choices a case is built from. */
export const recipeArb = fc.record({
  pool: labelPool(1, MAX_LABELS),
  terms: fc.array(fc.array(fc.nat({ max: 63 }), { maxLength: 4 }), { minLength: 1, maxLength: MAX_OPS }),
  sizes: fc.array(size, { minLength: MAX_LABELS, maxLength: MAX_LABELS }),
  zeroLabel: fc.option(fc.nat({ max: MAX_LABELS - 1 }), { freq: 12 }),
  /** Per (operand, label): 0 means "this operand has size 1 on that label" (numpy broadcasting). */
  broadcast: fc.array(fc.nat({ max: 7 }), { minLength: MAX_OPS * MAX_LABELS, maxLength: MAX_OPS * MAX_LABELS }),
  ellSizes: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: MAX_ELL }),
  ellUse: fc.array(fc.boolean(), { minLength: MAX_OPS, maxLength: MAX_OPS }),
  ellCover: fc.array(fc.nat({ max: MAX_ELL }), { minLength: MAX_OPS, maxLength: MAX_OPS }),
  ellAt: fc.array(fc.nat({ max: 4 }), { minLength: MAX_OPS + 1, maxLength: MAX_OPS + 1 }),
  ellBroadcast: fc.array(fc.nat({ max: 4 }), { minLength: MAX_OPS * MAX_ELL, maxLength: MAX_OPS * MAX_ELL }),
  implicit: fc.boolean(),
  keep: fc.array(fc.boolean(), { minLength: MAX_LABELS, maxLength: MAX_LABELS }),
  order: fc.array(fc.nat({ max: 99 }), { minLength: MAX_LABELS, maxLength: MAX_LABELS }),
  outEll: fc.boolean(),
  spaces: fc.array(fc.nat({ max: 5 }), { minLength: 40, maxLength: 40 }),
  layouts: fc.array(fc.nat({ max: 2 }), { minLength: MAX_OPS, maxLength: MAX_OPS }),
  seed: fc.integer(),
});

/** A recipe as drawn by {@link recipeArb}. */
export type Recipe = typeof recipeArb extends fc.Arbitrary<infer R> ? R : never;

/** Code point order (Python's and opt_einsum's string order), not UTF-16 order. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Implicit-output order: numbers ascending, then strings in code point order. */
function compareValues(a: SublistValue, b: SublistValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return compareCodePoints(a, b);
}

/** Deterministic uniform numbers in [-1, 1) from a seed (mulberry32). */
export function seededValues(seed: number, n: number): Float64Array {
  let s = seed | 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Turns a recipe into a valid problem. */
export function buildCase(r: Recipe): EinsumCase {
  const pool = r.pool.labels;
  const nL = pool.length;
  const E = r.ellSizes.length;
  // Label sizes, then the cap on the iteration space (sizes forced to 1 from the last label down).
  const sizes = pool.map((_, i) => (r.zeroLabel === i ? 0 : r.sizes[i]!));
  const terms: Token[][] = r.terms.map((t) => t.map((x) => ({ kind: "label" as const, index: x % nL })));
  const cover = terms.map((_, k) => (r.ellUse[k] && E > 0 ? r.ellCover[k]! % (E + 1) : 0));
  const hasEll = terms.map((_, k) => r.ellUse[k]!);
  const ellSizes = [...r.ellSizes];
  const used = [...new Set(terms.flat().map((t) => (t.kind === "label" ? t.index : -1)))].filter((i) => i >= 0);
  const span = (): number => used.reduce((p, i) => p * Math.max(sizes[i]!, 1), 1) * ellSizes.reduce((p, d) => p * Math.max(d, 1), 1);
  for (let i = nL - 1; i >= 0 && span() > MAX_ITERATIONS; i--) sizes[i] = 1;
  for (let d = 0; d < E && span() > MAX_ITERATIONS; d++) ellSizes[d] = 1;
  // Put the ellipsis into the terms that have one.
  terms.forEach((t, k) => {
    if (hasEll[k]) t.splice(r.ellAt[k]! % (t.length + 1), 0, { kind: "ellipsis" });
  });
  const ellMax = Math.max(0, ...cover);
  // Shapes and the oracle's labels.
  const shapes: number[][] = [];
  const oracleInputs: unknown[][] = [];
  terms.forEach((t, k) => {
    const shape: number[] = [];
    const labels: unknown[] = [];
    for (const tok of t) {
      if (tok.kind === "label") {
        const b = r.broadcast[(k * MAX_LABELS + tok.index) % r.broadcast.length] === 0;
        shape.push(b ? 1 : sizes[tok.index]!);
        labels.push(pool[tok.index]);
      } else {
        for (let d = E - cover[k]!; d < E; d++) {
          const b = r.ellBroadcast[(k * MAX_ELL + d) % r.ellBroadcast.length] === 0;
          shape.push(b ? 1 : ellSizes[d]!);
          labels.push(ELLIPSIS_SYMBOLS[d]);
        }
      }
    }
    shapes.push(shape);
    oracleInputs.push(labels);
  });
  const ellOut = ELLIPSIS_SYMBOLS.slice(E - ellMax, E);
  // Output.
  let outTokens: Token[] | undefined;
  let oracleOutput: unknown[];
  if (r.implicit) {
    const counts = new Map<number, number>();
    for (const t of terms) for (const tok of t) if (tok.kind === "label") counts.set(tok.index, (counts.get(tok.index) ?? 0) + 1);
    const singles = [...counts].filter(([, c]) => c === 1).map(([i]) => pool[i]!);
    singles.sort(compareValues);
    oracleOutput = [...ellOut, ...singles];
  } else {
    const chosen = used.filter((i) => r.keep[i]).sort((a, b) => r.order[a]! - r.order[b]! || a - b);
    outTokens = chosen.map((index) => ({ kind: "label" as const, index }));
    if (ellMax > 0 || r.outEll) outTokens.splice(r.ellAt[MAX_OPS]! % (outTokens.length + 1), 0, { kind: "ellipsis" });
    oracleOutput = outTokens.flatMap((tok): unknown[] => (tok.kind === "label" ? [pool[tok.index]] : ellOut));
  }
  // Render.
  let sp = 0;
  const space = (): string => {
    const v = r.spaces[sp++ % r.spaces.length]!;
    return v === 0 ? " " : v === 1 && sp % 3 === 0 ? "\t" : "";
  };
  const renderTerm = (t: readonly Token[]): string =>
    t.map((tok) => space() + (tok.kind === "label" ? String(pool[tok.index]) : "...")).join("") + space();
  const toSublist = (t: readonly Token[]): SublistValue[] => t.map((tok) => (tok.kind === "label" ? pool[tok.index]! : "..."));
  const form = r.pool.form;
  const sublists = terms.map(toSublist);
  const sublistOutput = outTokens ? toSublist(outTokens) : undefined;
  const equation =
    form === "string"
      ? terms.map(renderTerm).join(",") + (outTokens ? "->" + renderTerm(outTokens) : "")
      : `${sublists.map((s) => JSON.stringify(s)).join(", ")}${sublistOutput ? ` -> ${JSON.stringify(sublistOutput)}` : ""}`;
  const data = shapes.map((s, k) =>
    seededValues(
      r.seed + 7919 * k,
      s.reduce((a, b) => a * b, 1),
    ),
  );
  return {
    form,
    equation,
    sublists,
    sublistOutput,
    shapes,
    data,
    layouts: terms.map((_, k) => r.layouts[k]!),
    oracle: { inputs: oracleInputs, output: oracleOutput, shapes },
  };
}

/** Valid einsum problems in numpy's grammar (string and sublist forms), with data. */
export const einsumCaseArb: fc.Arbitrary<EinsumCase> = recipeArb.map(buildCase);

/**
 * Sublist problems with more labels than letters (53–80), each label in 1–3 operands, sizes 1–2
 * with the iteration space kept small.
 */
export const wideSublistArb: fc.Arbitrary<EinsumCase> = fc
  .record({
    nLabels: fc.integer({ min: 53, max: 80 }),
    nOps: fc.integer({ min: 2, max: 4 }),
    homes: fc.array(fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 3 }), { minLength: 80, maxLength: 80 }),
    twos: fc.uniqueArray(fc.nat({ max: 79 }), { maxLength: 10 }),
    keep: fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }),
    implicit: fc.boolean(),
    offset: fc.integer({ min: -100, max: 100 }),
    seed: fc.integer(),
  })
  .map((w) => {
    // Distinct values: strings for every third label, numbers (shifted by a signed offset) for the rest.
    const value = (i: number): SublistValue => (i % 3 === 2 ? `t${i}` : w.offset * 1000 + (i % 2 === 0 ? i : -i));
    const labels = [...Array(w.nLabels).keys()];
    const termIdx: number[][] = Array.from({ length: w.nOps }, () => []);
    for (const i of labels) for (const k of new Set(w.homes[i]!.map((h) => h % w.nOps))) termIdx[k]!.push(i);
    const size = (i: number): number => (w.twos.slice(0, 10).includes(i) ? 2 : 1);
    const sublists = termIdx.map((t) => t.map(value));
    const shapes = termIdx.map((t) => t.map(size));
    const counts = new Map<number, number>();
    for (const t of termIdx) for (const i of t) counts.set(i, (counts.get(i) ?? 0) + 1);
    const usedIdx = [...counts.keys()];
    let sublistOutput: SublistValue[] | undefined;
    let oracleOutput: SublistValue[];
    if (w.implicit) {
      oracleOutput = usedIdx
        .filter((i) => counts.get(i) === 1)
        .map(value)
        .sort(compareValues);
    } else {
      sublistOutput = usedIdx.filter((i) => w.keep[i]).map(value);
      oracleOutput = sublistOutput;
    }
    const data = shapes.map((s, k) =>
      seededValues(
        w.seed + 31 * k,
        s.reduce((a, b) => a * b, 1),
      ),
    );
    return {
      form: "sublist" as const,
      equation: `${w.nLabels} labels over ${w.nOps} operands`,
      sublists,
      sublistOutput,
      shapes,
      data,
      layouts: shapes.map(() => 0),
      oracle: { inputs: sublists, output: oracleOutput, shapes },
    };
  });
