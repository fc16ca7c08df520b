/**
 * Argument normalisation for the einsum entry points: what a numpy / opt_einsum user types
 * (operands as arguments or as one list, nested arrays and typed arrays as operands, numpy's
 * interleaved form, a raw path list for `optimize`, `memoryLimit: "max_input"`) becomes the one form
 * the planner takes: an equation string, operands, and checked options. Anything else is refused with
 * a typed error before any work is done.
 * @module
 */
import { InvalidArgumentError, InvalidPathError } from "../../errors.js";
import { checkOptionKeys, describeValue } from "../../option-keys.js";
import { fromData, tensor } from "../create.js";
import { DenseTensor, type NestedArray } from "../dense.js";
import { getSymbol } from "../einsum/labels.js";
import { ELLIPSIS, parseSublist, type SublistLabel } from "../einsum/parse.js";
import { isNetworkOperand, type Operand } from "../network-operands.js";
import type { Path } from "../paths/path.js";
import type { PathFinder } from "../paths/registry.js";
import type { EinsumOptions, OptimizeSpec } from "./options.js";

/** Typed arrays accepted as 1-D operands (float arrays are wrapped without a copy; integer arrays are converted to float64). */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/**
 * Anything the einsum entry points take as an operand: a dense or factorized tensor, a number (a
 * 0-d operand), nested arrays of numbers of any depth, or a typed array (a 1-D operand).
 */
export type OperandInput = Operand | NestedArray | NumericArray;

/**
 * Options as a caller may write them: those of `O`, plus opt_einsum's spellings — `optimize` may be a
 * raw path list in linear form (`[[1, 2], [0, 1]]`), `true` (`"auto"`) or `false` (`"sequential"`,
 * numpy's left-to-right order), and `memoryLimit` may be `"max_input"` (the number of elements of
 * the largest operand).
 */
export type EinsumCallOptions<O extends EinsumOptions = EinsumOptions> = Omit<O, "optimize" | "memoryLimit"> & {
  readonly optimize?: OptimizeSpec | Path | boolean;
  readonly memoryLimit?: number | bigint | "max_input";
};

/** Keys of {@link EinsumOptions} (including those of path optimizers). */
export const EINSUM_OPTION_KEYS: readonly string[] = [
  "optimize",
  "backend",
  "maxBytes",
  "cachePlan",
  "memoryLimit",
  "seed",
  "timeLimitMs",
  "onProgress",
  "context",
  "shared",
];

/** The equation, operands and options of one call, normalised. */
export interface EinsumArguments<O extends EinsumOptions = EinsumOptions> {
  readonly equation: string;
  readonly operands: Operand[];
  readonly options: O;
}

/** What {@link contractPathArguments} returns: shapes instead of operands. */
export interface ContractPathArguments {
  readonly equation: string;
  readonly operands: (Operand | readonly number[])[];
  readonly shapes: (readonly number[])[];
  readonly options: EinsumOptions;
}

/** True for an object that can only be an options bag (not a tensor, an array or a typed array). */
export function isOptionsObject(x: unknown): x is Record<string, unknown> {
  return (
    typeof x === "object" &&
    x !== null &&
    !Array.isArray(x) &&
    !ArrayBuffer.isView(x) &&
    !(x instanceof DenseTensor) &&
    !isNetworkOperand(x as Operand)
  );
}

/**
 * One operand as the planner takes it.
 * @param position - the operand's index, for messages.
 * @throws {@link InvalidArgumentError} for values that are not operands (strings, null, booleans, objects…).
 * @throws {@link InvalidShapeError} for ragged nested arrays or nested arrays holding non-numbers.
 */
export function toOperand(x: unknown, position: number): Operand {
  if (x instanceof DenseTensor) return x;
  if (typeof x === "object" && x !== null && isNetworkOperand(x as Operand)) {
    const n = x as Operand;
    if (!Array.isArray(n.shape) || (n.dtype !== "float32" && n.dtype !== "float64")) {
      throw new InvalidArgumentError(
        `operand ${position} has a network() method but no valid shape and dtype`,
        "pass a CPTensor, TRTensor or TTTensor, or an object with shape, dtype and network()",
      );
    }
    return n;
  }
  if (typeof x === "number") return tensor(x);
  if (Array.isArray(x)) return tensor(x as NestedArray);
  if (x instanceof Float64Array || x instanceof Float32Array) return fromData(x, [x.length]);
  if (x instanceof BigInt64Array || x instanceof BigUint64Array) {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new InvalidArgumentError(
          `operand ${position} has the value ${v} at index ${i}, which float64 cannot hold exactly (beyond 2^53)`,
          "scale the values down, or convert them to floats yourself if rounding is acceptable",
        );
      }
      out[i] = Number(v);
    }
    return fromData(out, [x.length]);
  }
  if (ArrayBuffer.isView(x) && !(x instanceof DataView))
    return fromData(Float64Array.from(x as unknown as ArrayLike<number>), [(x as unknown as ArrayLike<number>).length]);
  throw new InvalidArgumentError(
    `operand ${position} is ${describeValue(x)}`,
    "pass a DenseTensor (tensor(), randn(), …), a factorized tensor, nested arrays of numbers, a Float64Array/Float32Array (1-D) or a number",
  );
}

/** Depth of a nested array along its first elements (0 for a non-array). */
function nestingDepth(x: unknown): number {
  let d = 0;
  for (let v = x; Array.isArray(v) && d <= 64; v = v[0]) d++;
  return d;
}

/** Input terms of an equation as rough strings (only to tell a list of operands from a nested array). */
function roughTerms(equation: string): string[] {
  const arrow = equation.indexOf("->");
  return (arrow >= 0 ? equation.slice(0, arrow) : equation).split(",");
}

/**
 * Whether the one array after the equation is the list of operands (`einsum(eq, [a, b])`) rather
 * than a single operand given as nested arrays (`einsum("ii", [[1, 2], [3, 4]])`).
 */
function isOperandList(list: readonly unknown[], equation: string): boolean {
  if (
    list.some(
      (x) => x instanceof DenseTensor || ArrayBuffer.isView(x) || (typeof x === "object" && x !== null && isNetworkOperand(x as Operand)),
    )
  )
    return true;
  const terms = roughTerms(equation);
  if (terms.length !== 1) return true;
  if (list.length !== 1) return false;
  // One term and a one-element array: a list when its element has exactly the term's number of axes.
  const term = terms[0]!.replace(/\s/gu, "");
  if (term.includes(".")) return false;
  return nestingDepth(list) - 1 === [...term].length;
}

/** Splits off a trailing options object (a trailing `undefined` counts as no options). */
function splitOptions(args: readonly unknown[]): { positional: unknown[]; options: Record<string, unknown> | undefined } {
  const last = args[args.length - 1];
  if (args.length > 0 && (last === undefined || isOptionsObject(last)))
    return { positional: args.slice(0, -1), options: last as Record<string, unknown> | undefined };
  return { positional: [...args], options: undefined };
}

const nonNegativeInteger = (v: unknown): boolean =>
  (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) || (typeof v === "bigint" && v >= 0n);

function checkCount(options: Record<string, unknown>, key: string, hint: string): void {
  const v = options[key];
  if (v !== undefined && !nonNegativeInteger(v))
    throw new InvalidArgumentError(`${key} must be a non-negative integer (number or bigint), got ${describeValue(v)}`, hint);
}

function isPathList(x: unknown): x is number[][] {
  return Array.isArray(x) && x.every((s) => Array.isArray(s) && s.every((p) => typeof p === "number"));
}

/** `optimize` as the planner takes it. */
function resolveOptimize(optimize: unknown): OptimizeSpec | undefined {
  if (optimize === undefined || typeof optimize === "string") return optimize;
  if (typeof optimize === "function") {
    // A user's path finder may return anything; check its shape before the planner walks it.
    const finder = optimize as PathFinder;
    return (problem, options) => {
      const path: unknown = finder(problem, options);
      if (!isPathList(path)) throw new InvalidPathError(-1, `the optimize function returned ${describeValue(path)}, not a list of steps`);
      return path;
    };
  }
  if (optimize === true) return "auto";
  if (optimize === false) return "sequential";
  if (isPathList(optimize)) return { path: optimize, format: "linear" };
  if (isOptionsObject(optimize)) {
    checkOptionKeys(optimize, ["path", "format"], "optimize { path }");
    const { path, format } = optimize as { path?: unknown; format?: unknown };
    if (!isPathList(path))
      throw new InvalidArgumentError(
        `optimize.path must be a list of steps (arrays of operand positions), got ${describeValue(path)}`,
        "pass e.g. optimize: { path: [[0, 1], [0, 1]] }",
      );
    if (format !== undefined && format !== "linear" && format !== "ssa")
      throw new InvalidArgumentError(
        `optimize.format must be 'linear' or 'ssa', got ${describeValue(format)}`,
        "omit format for opt_einsum's linear form, or pass 'ssa'",
      );
    return optimize as OptimizeSpec;
  }
  throw new InvalidArgumentError(
    `optimize must be an optimizer name, a path finder, a path or { path }, got ${describeValue(optimize)}`,
    "pass e.g. optimize: 'greedy', optimize: [[1, 2], [0, 1]] (opt_einsum's linear path) or optimize: { path, format: 'ssa' }",
  );
}

/**
 * Checks an options object against `keys` and the value types, and resolves opt_einsum's spellings
 * (`optimize` as a path list or boolean, `memoryLimit: "max_input"` from the operand shapes).
 * @throws {@link UnknownOptionError} for a key not in `keys`, naming the closest one.
 * @throws {@link InvalidArgumentError} for a value of the wrong type.
 */
export function resolveEinsumOptions<O extends EinsumOptions>(
  raw: unknown,
  shapes: readonly (readonly number[])[],
  keys: readonly string[],
  where: string,
): O {
  if (raw === undefined) return {} as O;
  checkOptionKeys(raw, keys, where);
  const options = raw as Record<string, unknown>;
  const out: Record<string, unknown> = { ...options };
  const optimize = resolveOptimize(options["optimize"]);
  if (optimize !== undefined) out["optimize"] = optimize;
  const limit = options["memoryLimit"];
  if (limit === "max_input") {
    let largest = 0;
    for (const s of shapes)
      largest = Math.max(
        largest,
        s.reduce((a, d) => a * d, 1),
      );
    out["memoryLimit"] = largest;
  } else {
    checkCount(
      options,
      "memoryLimit",
      "pass the largest intermediate allowed in elements, or 'max_input' (the size of the largest operand)",
    );
  }
  checkCount(options, "maxBytes", "pass a byte count, e.g. maxBytes: 2 ** 30");
  checkCount(options, "sliceLimit", "pass the largest intermediate allowed per slice, in elements");
  const seed = options["seed"];
  if (seed !== undefined && (typeof seed !== "number" || !Number.isFinite(seed)))
    throw new InvalidArgumentError(`seed must be a finite number, got ${describeValue(seed)}`, "pass an integer seed");
  const time = options["timeLimitMs"];
  if (time !== undefined && (typeof time !== "number" || !(time >= 0)))
    throw new InvalidArgumentError(
      `timeLimitMs must be a non-negative number, got ${describeValue(time)}`,
      "pass a time budget in milliseconds",
    );
  const cache = options["cachePlan"];
  if (cache !== undefined && typeof cache !== "boolean")
    throw new InvalidArgumentError(
      `cachePlan must be a boolean, got ${describeValue(cache)}`,
      "pass cachePlan: false to plan every call afresh",
    );
  const backend = options["backend"];
  if (
    backend !== undefined &&
    (typeof backend !== "object" || backend === null || typeof (backend as { upload?: unknown }).upload !== "function")
  ) {
    throw new InvalidArgumentError(
      `backend must be a Backend, got ${describeValue(backend)}`,
      "pass new CpuBackend() or a GPU backend from createGpuBackend(), or omit it for the CPU",
    );
  }
  const dtype = options["dtype"];
  if (dtype !== undefined && dtype !== "float32" && dtype !== "float64")
    throw new InvalidArgumentError(
      `dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`,
      "pass dtype: 'float64' (the default) or 'float32'",
    );
  return out as O;
}

/** numpy's rule: operands of mixed float32/float64 dtypes are all computed in float64. */
export function promoteOperands<T extends Operand>(operands: readonly T[]): T[] {
  const has32 = operands.some((x) => x.dtype === "float32");
  const has64 = operands.some((x) => x.dtype === "float64");
  if (!(has32 && has64)) return [...operands];
  return operands.map((x) => (x instanceof DenseTensor && x.dtype === "float32" ? (x.astype("float64") as unknown as T) : x));
}

/**
 * Normalises the arguments of `einsum` / `contract`: `(equation, [operands], options?)`,
 * `(equation, ...operands, options?)` or numpy's interleaved `(op0, sublist0, op1, sublist1, …,
 * [sublistOut], options?)`. Operands become tensors, mixed float32/float64 operands are promoted to
 * float64, and the options are checked against `keys`.
 * @param what - the function's name, for messages.
 */
export function einsumArguments<O extends EinsumOptions>(
  args: readonly unknown[],
  keys: readonly string[],
  what: string,
): EinsumArguments<O> {
  const { positional, options: raw } = splitOptions(args);
  if (positional.length === 0) {
    throw new InvalidArgumentError(
      `${what} was called without an equation or operands`,
      `call ${what}("ij,jk->ik", a, b) or ${what}(a, [0, 1], b, [1, 2], [0, 2])`,
    );
  }
  const first = positional[0];
  let equation: string;
  let operands: Operand[];
  if (typeof first === "string") {
    equation = first;
    const rest = positional.slice(1);
    const single = rest.length === 1 ? rest[0] : undefined;
    const list = Array.isArray(single) && isOperandList(single, equation) ? (single as unknown[]) : rest;
    operands = list.map((x, k) => toOperand(x, k));
  } else {
    // numpy's interleaved form: operand, sublist, operand, sublist, …, optional output sublist.
    const nOperands = Math.floor(positional.length / 2);
    operands = [];
    const sublists: SublistLabel[][] = [];
    for (let k = 0; k < nOperands; k++) {
      operands.push(toOperand(positional[2 * k], k));
      sublists.push(sublistAt(positional[2 * k + 1], `the sublist of operand ${k}`));
    }
    const output = positional.length % 2 === 1 ? sublistAt(positional[positional.length - 1], "the output sublist") : undefined;
    if (nOperands === 0)
      throw new InvalidArgumentError(
        `${what} got ${describeValue(first)} where the equation or the first operand goes`,
        `pass an equation string first, e.g. ${what}("ij,jk->ik", a, b)`,
      );
    // parseSublist validates labels, counts and shapes (with its typed errors); the equation is spelled here.
    parseSublist(
      sublists,
      operands.map((x) => x.shape),
      output,
    );
    equation = sublistEquation(sublists, output);
  }
  const options = resolveEinsumOptions<O>(
    raw,
    operands.map((x) => x.shape),
    keys,
    `${what} options`,
  );
  return { equation, operands: promoteOperands(operands), options };
}

/**
 * The equation string of a valid interleaved call: every distinct label value gets a symbol in order
 * of appearance, `"..."` stays the ellipsis. An implicit output is spelled out, because numpy orders
 * it by the label values (numbers ascending, then strings by code point), not by the symbols.
 */
export function sublistEquation(sublists: readonly (readonly SublistLabel[])[], output: readonly SublistLabel[] | undefined): string {
  const symbols = new Map<string, string>();
  const key = (v: SublistLabel): string => `${typeof v}:${String(v)}`;
  const spell = (v: SublistLabel): string => {
    if (v === ELLIPSIS) return "...";
    let s = symbols.get(key(v));
    if (s === undefined) symbols.set(key(v), (s = getSymbol(symbols.size)));
    return s;
  };
  const terms = sublists.map((l) => l.map(spell).join(""));
  let out: readonly SublistLabel[];
  if (output !== undefined) out = output;
  else {
    const count = new Map<string, { value: SublistLabel; n: number }>();
    for (const l of sublists) for (const v of l) if (v !== ELLIPSIS) count.set(key(v), { value: v, n: (count.get(key(v))?.n ?? 0) + 1 });
    const singles = [...count.values()].filter((c) => c.n === 1).map((c) => c.value);
    singles.sort(compareLabelValues);
    out = sublists.some((l) => l.includes(ELLIPSIS)) ? [ELLIPSIS, ...singles] : singles;
  }
  return `${terms.join(",")}->${out.map(spell).join("")}`;
}

/** numpy's implicit-output order of sublist labels: numbers ascending, then strings by code point. */
function compareLabelValues(a: SublistLabel, b: SublistLabel): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** A sublist argument, checked to be an array. */
export function sublistAt(x: unknown, where: string): SublistLabel[] {
  if (!Array.isArray(x))
    throw new InvalidArgumentError(
      `${where} is ${describeValue(x)}, not a list of labels`,
      "in the interleaved form, follow every operand by its list of labels, e.g. einsum(a, [0, 1], b, [1, 2], [0, 2])",
    );
  return x as SublistLabel[];
}

/**
 * Normalises the arguments of `contractPath`: `(equation, ...operandsOrShapes, options?)`. A shape
 * is an array of non-negative integers; anything else is taken as an operand.
 */
export function contractPathArguments(args: readonly unknown[], keys: readonly string[], what = "contractPath"): ContractPathArguments {
  const { positional, options: raw } = splitOptions(args);
  const equation = positional[0];
  if (typeof equation !== "string")
    throw new InvalidArgumentError(
      `${what} takes the equation first, got ${describeValue(equation)}`,
      `call ${what}("ij,jk->ik", [2, 3], [3, 4]) with shapes or operands`,
    );
  const operands = positional.slice(1).map((x, k) => (isShape(x) ? (x as readonly number[]) : toOperand(x, k)));
  const shapes = operands.map((x) => (isShape(x) ? (x as readonly number[]) : (x as Operand).shape));
  return { equation, operands, shapes, options: resolveEinsumOptions(raw, shapes, keys, `${what} options`) };
}

function isShape(x: unknown): boolean {
  return Array.isArray(x) && x.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0);
}

/**
 * Checks the operands of `einsumSublist`: a list of `{ tensor, labels }` records (any operand input
 * as the tensor).
 * @throws {@link InvalidArgumentError} naming the first bad entry.
 */
export function sublistOperands(operands: unknown): { readonly tensor: DenseTensor; readonly labels: readonly SublistLabel[] }[] {
  const hint = "pass [{ tensor: a, labels: [0, 1] }, { tensor: b, labels: [1, 2] }]";
  if (!Array.isArray(operands))
    throw new InvalidArgumentError(`einsumSublist takes a list of { tensor, labels }, got ${describeValue(operands)}`, hint);
  return operands.map((o: unknown, k) => {
    if (!isOptionsObject(o))
      throw new InvalidArgumentError(`einsumSublist operand ${k} is ${describeValue(o)}, not { tensor, labels }`, hint);
    checkOptionKeys(o, ["tensor", "labels"], `einsumSublist operand ${k}`);
    const t = toOperand(o["tensor"], k);
    if (!(t instanceof DenseTensor))
      throw new InvalidArgumentError(
        `einsumSublist operand ${k} is a factorized tensor`,
        "expand it with toDense(), or use einsum's interleaved form",
      );
    return { tensor: t, labels: sublistAt(o["labels"], `the labels of operand ${k}`) };
  });
}
