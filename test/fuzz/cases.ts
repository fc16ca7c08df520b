/**
 * The fuzzer's cases. Case `i` of seed `s` is a pure function of `(s, i)`, so any failure can be
 * replayed alone. Five kinds:
 * - `einsum`: a random problem from the whole grammar (test/arbitraries/einsum.ts: explicit and
 *   implicit output, repeated labels, `...` with broadcasting, spaces, sublists, size-0 and size-1
 *   axes), called in a random calling convention with random options (and sometimes one float32
 *   operand), compared with the naive loop oracle;
 * - `equation`: a valid string equation mutated (insert, delete, replace, swap characters); it must
 *   either be refused by numpy's grammar (test/oracles/equation.ts) and throw a MultilinearError, or
 *   parse and agree with the oracle;
 * - `npy` / `safetensors`: a valid file mutated (bit flips, truncation, header edits such as a shape
 *   of 2^40 elements or a wrong data offset) fed to the reader: it reads, or throws a MultilinearError;
 * - `api`: a valid call of a public function with one argument (or one field of an options or
 *   config object) replaced by a value of the wrong type: it returns, or throws a MultilinearError.
 * Anything else — another error, a wrong number, a case over the time limit — fails the case.
 */
import fc from "fast-check";
import {
  contract,
  contractExpression,
  contractPath,
  cpAls,
  createMuMoE,
  DenseTensor,
  einsum,
  einsumSublist,
  fromData,
  layerBudget,
  matchRank,
  MemoryLimitError,
  MultilinearError,
  rand,
  randn,
  readNpy,
  readSafetensors,
  tensor,
  ttSvd,
  writeNpy,
  writeSafetensors,
  zeros,
} from "../../src/index.js";
import { buildCase, recipeArb, type EinsumCase } from "../arbitraries/einsum.js";
import { parseEquationOracle } from "../oracles/equation.js";
import { naiveEinsum, type OracleProblem, type OracleResult } from "../oracles/naive-einsum.js";

/** The kinds of case. */
export const CASE_KINDS = ["einsum", "equation", "npy", "safetensors", "api"] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** The outcome of one case. */
export interface CaseResult {
  readonly index: number;
  readonly kind: CaseKind;
  readonly ok: boolean;
  /** What went wrong (failures only). */
  readonly message?: string;
  /** A snippet that reproduces the failure. */
  readonly repro?: string;
}

/** Small deterministic generator (mulberry32) for everything but the einsum recipes. */
export class CaseRandom {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of case `index` of a run with `seed`. */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

const KIND_WEIGHTS: readonly [CaseKind, number][] = [
  ["einsum", 35],
  ["equation", 20],
  ["npy", 15],
  ["safetensors", 10],
  ["api", 20],
];

function kindOf(r: CaseRandom): CaseKind {
  let x = r.int(100);
  for (const [k, w] of KIND_WEIGHTS) {
    if (x < w) return k;
    x -= w;
  }
  return "einsum";
}

/** Runs case `index` of a run with `seed`; never throws. */
export function runCase(seed: number, index: number, only?: CaseKind): CaseResult {
  const r = new CaseRandom(caseSeed(seed, index));
  const kind = only ?? kindOf(r);
  try {
    const failure = CASES[kind](r, caseSeed(seed, index));
    return failure ? { index, kind, ok: false, ...failure } : { index, kind, ok: true };
  } catch (e) {
    return { index, kind, ok: false, message: `the harness itself threw: ${(e as Error).stack ?? String(e)}` };
  }
}

type Failure = { readonly message: string; readonly repro: string } | undefined;

const CASES: Record<CaseKind, (r: CaseRandom, seed: number) => Failure> = {
  einsum: einsumCase,
  equation: equationCase,
  npy: npyCase,
  safetensors: safetensorsCase,
  api: apiCase,
};

// ---------------------------------------------------------------- einsum vs the oracle

function recipeCase(seed: number): EinsumCase {
  return buildCase(fc.sample(recipeArb, { seed, numRuns: 1 })[0]!);
}

/** An operand in C order, Fortran order (a non-contiguous view) or as float32. */
function operand(shape: readonly number[], data: Float64Array, layout: number): DenseTensor {
  const c = fromData(Float64Array.from(data), shape);
  if (layout !== 1 || shape.length < 2) return c;
  const rev = [...shape.keys()].reverse();
  return c.permute(rev).contiguous().permute(rev);
}

function describeShapes(shapes: readonly (readonly number[])[]): string {
  return shapes.map((s) => `randn(${JSON.stringify(s)})`).join(", ");
}

function compare(got: DenseTensor, want: OracleResult, rtol: number): string | undefined {
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i]))
    return `shape [${got.shape.join(", ")}], oracle [${want.shape.join(", ")}]`;
  const a = got.toTypedArray();
  for (let i = 0; i < a.length; i++) {
    const v = want.data[i]!;
    const tol = rtol * (Math.abs(v) + want.magnitude[i]!);
    if (!(Math.abs(a[i]! - v) <= tol) && !(Number.isNaN(v) && Number.isNaN(a[i]!))) return `element ${i}: got ${a[i]}, oracle ${v}`;
  }
  return undefined;
}

const OPTIMIZE: readonly unknown[] = [undefined, "auto", "greedy", "optimal", "dp", "sequential", "branch-2", "random-greedy", true, false];

function einsumCase(r: CaseRandom, seed: number): Failure {
  const c = recipeCase(seed);
  const f32 = r.chance(0.15) ? r.int(c.shapes.length) : -1;
  const ops = c.shapes.map((s, k) => {
    const t = operand(s, c.data[k]!, c.layouts[k]!);
    return k === f32 ? t.astype("float32") : t;
  });
  const data = c.data.map((d, k) => (k === f32 ? Float64Array.from(d, Math.fround) : d));
  const optimize = r.pick(OPTIMIZE);
  const maxInput = r.chance(0.1);
  const options = { ...(optimize !== undefined ? { optimize } : {}), ...(maxInput ? { memoryLimit: "max_input" } : {}) } as never;
  const form = r.int(4);
  let call: () => DenseTensor;
  let text: string;
  if (c.form === "string") {
    // Nested arrays cannot spell an axis after a size-0 one ([[], []] is [2, 0]); such operands stay tensors.
    const nested = ops.map((t, k) =>
      k === f32 || t.shape.includes(0) ? t : t.ndim === 1 && r.chance(0.5) ? t.toTypedArray() : t.toArray(),
    );
    if (form === 0)
      [call, text] = [
        () => einsum(c.equation, ops, options),
        `einsum(${JSON.stringify(c.equation)}, [${describeShapes(c.shapes)}], ${JSON.stringify(options)})`,
      ];
    else if (form === 1)
      [call, text] = [
        () => einsum(c.equation, ...ops, options),
        `einsum(${JSON.stringify(c.equation)}, ${describeShapes(c.shapes)}, ${JSON.stringify(options)})`,
      ];
    else if (form === 2)
      [call, text] = [
        () => contract(c.equation, ...ops, options),
        `contract(${JSON.stringify(c.equation)}, ${describeShapes(c.shapes)}, ${JSON.stringify(options)})`,
      ];
    else
      [call, text] = [
        () => contract(c.equation, ...(nested as never[]), options),
        `contract(${JSON.stringify(c.equation)}, <nested arrays of shapes ${JSON.stringify(c.shapes)}>, ${JSON.stringify(options)})`,
      ];
  } else {
    const interleaved: unknown[] = ops.flatMap((t, k) => [t, c.sublists[k]]);
    if (c.sublistOutput) interleaved.push(c.sublistOutput);
    if (form <= 1)
      [call, text] = [
        () =>
          einsumSublist(
            ops.map((tensor, k) => ({ tensor, labels: c.sublists[k]! })),
            c.sublistOutput,
            options,
          ),
        `einsumSublist(${c.equation}, ${JSON.stringify(options)})`,
      ];
    else if (form === 2)
      [call, text] = [
        () => einsum(...(interleaved as never[]), options),
        `einsum(<interleaved> ${c.equation}, ${JSON.stringify(options)})`,
      ];
    else [call, text] = [() => contract(...(interleaved as never[])), `contract(<interleaved> ${c.equation})`];
  }
  const want = naiveEinsum(c.oracle, data);
  let got: DenseTensor;
  try {
    got = call();
  } catch (e) {
    if (maxInput && e instanceof MemoryLimitError) return undefined;
    return { message: `a valid problem threw ${errorName(e)}: ${(e as Error).message}`, repro: text };
  }
  const wantDType = ops.some((x) => x.dtype === "float64") ? "float64" : "float32";
  if (got.dtype !== wantDType) return { message: `result dtype ${got.dtype}, expected ${wantDType}`, repro: text };
  const bad = compare(got, want, wantDType === "float32" ? 1e-5 : 1e-10);
  return bad ? { message: `wrong result: ${bad}`, repro: text } : undefined;
}

// ---------------------------------------------------------------- mutated equations

const EQUATION_CHARS = ["a", "b", "c", "i", "j", "k", "z", "A", "é", "𝑥", "1", ",", ",", "-", ">", "->", ".", "...", " ", "\t", "'"];

/** One random edit of a string (by code points). */
export function mutateString(s: string, r: CaseRandom, alphabet: readonly string[]): string {
  const cs = [...s];
  const at = r.int(cs.length + 1);
  switch (r.int(5)) {
    case 0:
      cs.splice(at, 0, r.pick(alphabet));
      break;
    case 1:
      cs.splice(at, 1);
      break;
    case 2:
      cs.splice(at, 1, r.pick(alphabet));
      break;
    case 3:
      if (at + 1 < cs.length) [cs[at], cs[at + 1]] = [cs[at + 1]!, cs[at]!];
      break;
    default:
      cs.splice(at, 0, ...cs.slice(r.int(cs.length + 1), r.int(cs.length + 1)));
  }
  return cs.join("");
}

function equationCase(r: CaseRandom, seed: number): Failure {
  let c = recipeCase(seed);
  for (let t = 1; c.form !== "string" && t < 20; t++) c = recipeCase(seed + t);
  if (c.form !== "string") return undefined;
  let eq = c.equation;
  const edits = 1 + r.int(3);
  for (let e = 0; e < edits; e++) eq = mutateString(eq, r, EQUATION_CHARS);
  const ops = c.shapes.map((s, k) => operand(s, c.data[k]!, 0));
  const text = `einsum(${JSON.stringify(eq)}, [${describeShapes(c.shapes)}])`;
  const parsed = parseEquationOracle(eq, c.shapes);
  let got: DenseTensor | undefined;
  let error: unknown;
  try {
    got = einsum(eq, ops);
  } catch (e) {
    error = e;
  }
  if (!parsed.ok) {
    if (got)
      return { message: `numpy refuses the equation (${parsed.reason}) but einsum returned shape [${got.shape.join(", ")}]`, repro: text };
    return error instanceof MultilinearError
      ? undefined
      : { message: `threw ${errorName(error)}: ${(error as Error)?.message}`, repro: text };
  }
  if (!got) return { message: `a valid equation threw ${errorName(error)}: ${(error as Error)?.message}`, repro: text };
  let want: OracleResult;
  try {
    want = naiveEinsum(parsed.problem as OracleProblem, c.data);
  } catch {
    return undefined; // iteration space too large for the oracle
  }
  const bad = compare(got, want, 1e-10);
  return bad ? { message: `wrong result: ${bad}`, repro: text } : undefined;
}

// ---------------------------------------------------------------- file readers

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);
const fromLatin1 = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);

/** A .npy file with an arbitrary header and raw data bytes (version 1, header padded to 64 bytes). */
export function npyFile(header: string, data: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  let h = header;
  while ((pre + h.length + 1) % 64 !== 0) h += " ";
  h += "\n";
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, h.length, true);
  else dv.setUint32(8, h.length, true);
  out.set(fromLatin1(h), pre);
  out.set(data, pre + h.length);
  return out;
}

const NPY_DESCRS = ["<f8", "<f4", ">f8", "<f2", "<i8", ">i4", "|i1", "<u8", "|u1", "|b1", "<i2", "<u4"];
const ITEM: Record<string, number> = { f8: 8, f4: 4, f2: 2, i8: 8, i4: 4, i1: 1, u8: 8, u1: 1, b1: 1, i2: 2, u4: 4 };

function validNpy(r: CaseRandom): Uint8Array {
  if (r.chance(0.3))
    return writeNpy(
      tensor(
        Array.from({ length: r.int(5) }, () => r.next()),
        { dtype: r.chance(0.5) ? "float32" : "float64" },
      ),
    );
  const descr = r.pick(NPY_DESCRS);
  const shape = Array.from({ length: r.int(4) }, () => r.int(4));
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Uint8Array.from({ length: n * ITEM[descr.slice(1)]! }, () => r.int(256));
  // Keep 64-bit integers mostly within 2^53 (the high bytes small) so that most files read.
  if (/[iu]8/.test(descr) && r.chance(0.8)) for (let i = 0; i < n; i++) data[descr.startsWith(">") ? i * 8 : i * 8 + 7] = 0;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  return npyFile(
    `{'descr': '${descr}', 'fortran_order': ${r.chance(0.3) ? "True" : "False"}, 'shape': ${shapeText}, }`,
    data,
    r.chance(0.2) ? 2 : 1,
  );
}

const HUGE_SHAPES = [
  "(1099511627776,)",
  "(4294967296, 2)",
  "(65536, 65536, 65536)",
  "(9007199254740993,)",
  "(-1,)",
  "(3,",
  "()",
  "(0,)",
  "(1e3,)",
  "(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)",
  "(18446744073709551616,)",
];
const HEADER_EDITS: readonly ((h: string, r: CaseRandom) => string)[] = [
  (h, r) => h.replace(/'shape': \([^)]*\)/, `'shape': ${r.pick(HUGE_SHAPES)}`),
  (h, r) =>
    h.replace(
      /'descr': '[^']*'/,
      `'descr': '${r.pick(["<c16", "|O", "<U3", "<f16", "float64", "<V8", "<M8", "", "<f8'", "<i0", ">f99999999999"])}'`,
    ),
  (h, r) => h.replace(/'fortran_order': \w+/, `'fortran_order': ${r.pick(["1", "None", "'True'", "True, 'extra': 1"])}`),
  (h, r) => mutateString(h, r, ["{", "}", "(", ")", "'", ",", ":", " ", "9", "\u0000", "\u00ff"]),
];

function npyCase(r: CaseRandom): Failure {
  let bytes = validNpy(r);
  const edits = 1 + r.int(3);
  for (let e = 0; e < edits; e++) bytes = mutateBytes(bytes, r, "npy");
  return readerOutcome(() => readNpy(bytes, "fuzz.npy"), bytes, "readNpy");
}

function validSafetensors(r: CaseRandom): Uint8Array {
  const entries: Record<string, DenseTensor | { tensor: DenseTensor; dtype: "I64" | "U8" | "F16" | "BF16" | "I32" }> = {};
  const n = 1 + r.int(3);
  for (let k = 0; k < n; k++) {
    const shape = Array.from({ length: r.int(3) }, () => r.int(4));
    const n = shape.reduce((a, b) => a * b, 1);
    const signed = fromData(
      Float64Array.from({ length: n }, () => r.int(7) - 2),
      shape,
    );
    entries[`t${k}`] = r.chance(0.5)
      ? signed
      : { tensor: fromData(signed.toTypedArray().map(Math.abs), shape), dtype: r.pick(["I64", "U8", "F16", "BF16", "I32"] as const) };
  }
  return writeSafetensors(entries as never, r.chance(0.5) ? { note: "fuzz" } : undefined);
}

const JSON_EDITS: readonly ((h: string, r: CaseRandom) => string)[] = [
  (h, r) =>
    h.replace(
      /"shape":\[[^\]]*\]/,
      `"shape":${r.pick(["[1099511627776]", "[4294967296,2]", "[-1]", "[1.5]", '["2"]', "[]", "[65536,65536,65536]", "null", "[9007199254740993]"])}`,
    ),
  (h, r) =>
    h.replace(
      /"data_offsets":\[[^\]]*\]/,
      `"data_offsets":${r.pick(["[0,1099511627776]", "[8,0]", "[-8,0]", "[0]", "[0,1.5]", "null", '["0","8"]', "[1e300,1e301]"])}`,
    ),
  (h, r) => h.replace(/"dtype":"[^"]*"/, `"dtype":${r.pick(['"F128"', '"f64"', "7", "null", '"BOOL"', '"I64"', '"U64"'])}`),
  (h, r) => mutateString(h, r, ["{", "}", "[", "]", '"', ",", ":", " ", "9", "\\", "\u0000"]),
];

/** One random corruption of a file's bytes. */
function mutateBytes(bytes: Uint8Array, r: CaseRandom, format: "npy" | "safetensors"): Uint8Array {
  const out = Uint8Array.from(bytes);
  switch (r.int(6)) {
    case 0: {
      const flips = 1 + r.int(4);
      for (let f = 0; f < flips; f++) {
        const at = r.chance(0.7) ? r.int(Math.min(out.length, 128)) : r.int(out.length);
        if (out.length > 0) out[at]! ^= 1 << r.int(8);
      }
      return out;
    }
    case 1:
      return out.slice(0, r.int(out.length + 1));
    case 2: {
      const extra = Uint8Array.from({ length: 1 + r.int(16) }, () => r.int(256));
      const joined = new Uint8Array(out.length + extra.length);
      joined.set(out);
      joined.set(extra, out.length);
      return joined;
    }
    case 3: {
      // A length field that lies.
      if (out.length < 16) return out;
      const dv = new DataView(out.buffer);
      if (format === "npy") dv.setUint16(8, r.pick([0, 1, 65535, dv.getUint16(8, true) + 1, dv.getUint16(8, true) - 1]) & 0xffff, true);
      else
        dv.setBigUint64(0, r.pick([0n, 1n, 2n ** 40n, 2n ** 63n, dv.getBigUint64(0, true) + 1n, 2n ** 64n - 1n]) & (2n ** 64n - 1n), true);
      return out;
    }
    default: {
      // Edit the header text and rewrite the length field so the edit is what the reader sees.
      if (format === "npy") {
        const v = out[6] === 1 ? 1 : 2;
        if (out.length < (v === 1 ? 10 : 12)) return out;
        const len = v === 1 ? new DataView(out.buffer).getUint16(8, true) : new DataView(out.buffer).getUint32(8, true);
        const pre = v === 1 ? 10 : 12;
        const header = latin1(out.slice(pre, pre + len)).trimEnd();
        return npyFile(r.pick(HEADER_EDITS)(header, r), out.slice(pre + len), v);
      }
      if (out.length < 8) return out;
      const len = Number(new DataView(out.buffer).getBigUint64(0, true));
      if (len > out.length - 8) return out;
      const header = new TextDecoder().decode(out.slice(8, 8 + len));
      const edited = new TextEncoder().encode(r.pick(JSON_EDITS)(header, r));
      const rest = out.slice(8 + len);
      const joined = new Uint8Array(8 + edited.length + rest.length);
      new DataView(joined.buffer).setBigUint64(0, BigInt(edited.length), true);
      joined.set(edited, 8);
      joined.set(rest, 8 + edited.length);
      return joined;
    }
  }
}

function safetensorsCase(r: CaseRandom): Failure {
  let bytes = validSafetensors(r);
  const edits = 1 + r.int(3);
  for (let e = 0; e < edits; e++) bytes = mutateBytes(bytes, r, "safetensors");
  return readerOutcome(() => readSafetensors(bytes, "fuzz.safetensors"), bytes, "readSafetensors");
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

function readerOutcome(read: () => unknown, bytes: Uint8Array, fn: string): Failure {
  const repro = `${fn}(Uint8Array.from(Buffer.from(${JSON.stringify(base64(bytes))}, "base64")))`;
  try {
    const got = read();
    // A tensor read from a file must be backed by that file's bytes: never larger than it.
    const tensors = got instanceof DenseTensor ? [got] : [...(got as { tensors: Map<string, DenseTensor> }).tensors.values()];
    const elements = tensors.reduce((a, t) => a + t.size, 0);
    if (elements > bytes.length * 8) return { message: `read ${elements} elements from ${bytes.length} bytes`, repro };
    return undefined;
  } catch (e) {
    return e instanceof MultilinearError ? undefined : { message: `threw ${errorName(e)}: ${(e as Error)?.message}`, repro };
  }
}

// ---------------------------------------------------------------- wrong-typed API arguments

const selfNested: unknown[] = [];
selfNested.push(selfNested);

/** Values of the wrong type (and edge values of the right type) for any argument position. */
const BAD_VALUES: readonly [string, () => unknown][] = [
  ["0", () => 0],
  ["-1", () => -1],
  ["1.5", () => 1.5],
  ["NaN", () => NaN],
  ["Infinity", () => Infinity],
  ["1e10", () => 1e10],
  ["2 ** 53", () => 2 ** 53],
  ['""', () => ""],
  ['"ij"', () => "ij"],
  ['"auto"', () => "auto"],
  ['"max_input"', () => "max_input"],
  ["null", () => null],
  ["undefined", () => undefined],
  ["true", () => true],
  ["{}", () => ({})],
  ["[]", () => []],
  ["[[]]", () => [[]]],
  ['[1, "a"]', () => [1, "a"]],
  ["[NaN]", () => [NaN]],
  ["[-1, 2]", () => [-1, 2]],
  ["[1e10, 1e10]", () => [1e10, 1e10]],
  ["[[1, 2], [3]]", () => [[1, 2], [3]]],
  ["10n", () => 10n],
  ["-5n", () => -5n],
  ["() => 1", () => () => 1],
  ["new Float32Array(3)", () => new Float32Array(3)],
  ["new Int16Array([1, 2])", () => new Int16Array([1, 2])],
  ["new BigInt64Array([2n ** 60n])", () => new BigInt64Array([2n ** 60n])],
  ["a 70-deep nested array", () => Array.from({ length: 70 }).reduce<unknown>((a) => [a], 1)],
  ["a self-containing array", () => selfNested],
  ['{ optimise: "greedy" }', () => ({ optimise: "greedy" })],
  ['{ shape: [2], dtype: "float64", network: 1 }', () => ({ shape: [2], dtype: "float64", network: 1 })],
  ['{ shape: "x", dtype: "float64", network: () => 1 }', () => ({ shape: "x", dtype: "float64", network: () => 1 })],
  ["new Date(0)", () => new Date(0)],
  ["new Map()", () => new Map()],
];

interface ApiTemplate {
  readonly name: string;
  readonly call: (args: unknown[]) => unknown;
  readonly args: () => unknown[];
}

const T = (): DenseTensor =>
  tensor([
    [1, 2],
    [3, 4],
  ]);
const cpConfig = (): Record<string, unknown> => ({ kind: "cp", inputDim: 4, outputDim: 3, expertDims: [4], ranks: 2 });
const trConfig = (): Record<string, unknown> => ({
  kind: "tr",
  inputDim: 3,
  outputDim: 2,
  expertDims: [3],
  ranks: [
    [2, null, 2],
    [2, null, 2],
    [2, null, 2],
  ],
});

const any =
  (f: (...a: never[]) => unknown) =>
  (args: unknown[]): unknown =>
    f(...(args as never[]));

const API: readonly ApiTemplate[] = [
  { name: "einsum", call: any(einsum), args: () => ["ij,jk->ik", [T(), T()], { optimize: "greedy" }] },
  { name: "einsum", call: any(einsum), args: () => ["ij,jk->ik", T(), T()] },
  { name: "einsum", call: any(einsum), args: () => [T(), [0, 1], T(), [1, 2], [0, 2]] },
  {
    name: "contract",
    call: any(contract),
    args: () => [
      "ij,jk,kl->il",
      T(),
      T(),
      T(),
      {
        optimize: [
          [1, 2],
          [0, 1],
        ],
        memoryLimit: "max_input",
      },
    ],
  },
  { name: "contract", call: any(contract), args: () => ["ij,jk->ik", T(), T(), { sliceLimit: 2 }] },
  { name: "contractPath", call: any(contractPath), args: () => ["ab,bc,cd->ad", [2, 3], [3, 4], [4, 5], { optimize: "optimal" }] },
  { name: "contractExpression", call: any(contractExpression), args: () => ["bi,ij->bj", [2, 2], T(), { optimize: "greedy" }] },
  {
    name: "einsumSublist",
    call: any(einsumSublist),
    args: () => [
      [
        { tensor: T(), labels: [0, 1] },
        { tensor: T(), labels: [1, 2] },
      ],
      [0, 2],
      {},
    ],
  },
  { name: "randn", call: any(randn), args: () => [[2, 3], { seed: 1 }] },
  { name: "rand", call: any(rand), args: () => [[2, 3], { seed: 1, low: 0, high: 2 }] },
  {
    name: "tensor",
    call: any(tensor),
    args: () => [
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "float32" },
    ],
  },
  { name: "zeros", call: any(zeros), args: () => [[2, 2], { dtype: "float64" }] },
  { name: "createMuMoE", call: any(createMuMoE), args: () => [cpConfig(), { seed: 1 }] },
  { name: "createMuMoE", call: any(createMuMoE), args: () => [trConfig(), { seed: 2, init: "random" }] },
  { name: "layerBudget", call: any(layerBudget), args: () => [cpConfig()] },
  { name: "layerBudget", call: any(layerBudget), args: () => [{ kind: "sparse", inputDim: 4, outputDim: 3, nExperts: 4, topK: 2 }] },
  {
    name: "matchRank",
    call: any(matchRank),
    args: () => [{ kind: "cp", inputDim: 8, outputDim: 8, expertDims: [4] }, 100, { mode: "under" }],
  },
  {
    name: "matchRank",
    call: any(matchRank),
    args: () => [{ kind: "tr", inputDim: 8, outputDim: 8, expertDims: [4] }, 300n, { fixedRanks: 2 }],
  },
  { name: "cpAls", call: any(cpAls), args: () => [randn([3, 3, 3], { seed: 1 }), 2, { maxIter: 2 }] },
  { name: "ttSvd", call: any(ttSvd), args: () => [randn([3, 3, 3], { seed: 1 }), { ranks: 2 }] },
  {
    name: "forward",
    call: (a) => createMuMoE(cpConfig() as never, { seed: 1 }).forward(a[0] as never, a[1] as never),
    args: () => [randn([2, 4], { seed: 1 }), { checkFinite: true }],
  },
];

/** Replaces one argument (or one field of an object argument) by a bad value; returns the call's text. */
function corrupt(args: unknown[], r: CaseRandom, name: string): string {
  const [label, make] = r.pick(BAD_VALUES);
  const objects = args
    .map((a, i) => [a, i] as const)
    .filter(([a]) => typeof a === "object" && a !== null && !Array.isArray(a) && !(a instanceof DenseTensor));
  if (objects.length > 0 && r.chance(0.4)) {
    const [obj, i] = r.pick(objects);
    const keys = Object.keys(obj as object);
    const key = keys.length > 0 && r.chance(0.8) ? r.pick(keys) : r.pick(["optimise", "useBais", "seeds", "dtyp"]);
    args[i] = { ...(obj as object), [key]: make() };
    return `${name}(…argument ${i} with ${key}: ${label}…)`;
  }
  const at = r.int(args.length + 1);
  args[at] = make();
  return `${name}(…argument ${at} = ${label}…)`;
}

function apiCase(r: CaseRandom): Failure {
  const t = r.pick(API);
  const args = t.args();
  const edits = 1 + (r.chance(0.2) ? 1 : 0);
  const text: string[] = [];
  for (let e = 0; e < edits; e++) text.push(corrupt(args, r, t.name));
  try {
    t.call(args);
    return undefined;
  } catch (e) {
    return e instanceof MultilinearError
      ? undefined
      : { message: `threw ${errorName(e)}: ${(e as Error)?.message}`, repro: text.join(" then ") };
  }
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.constructor.name : `a non-Error (${typeof e})`;
}
