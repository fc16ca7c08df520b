/**
 * Lowers a problem and a path to a {@link ContractionPlan}: a printable list of backend operations
 * (diagonal, sum, permute, reshape, batched matmul) with every shape fixed in advance. The memory
 * check happens here, before anything is allocated.
 * @module
 */
import { BackendLimitError, MemoryLimitError } from "../../errors.js";
import type { BackendLimits } from "../backends/backend.js";
import { pathCost, type ContractionCost } from "../paths/cost.js";
import type { Label } from "../einsum/labels.js";
import type { EinsumProblem } from "../einsum/problem.js";
import type { Path } from "../paths/path.js";
import { MAX_ELEMENTS } from "../shape.js";

/** A single-tensor operation of a plan. @category Einsum & paths */
export type UnaryOp =
  | { readonly kind: "diagonal"; readonly axisA: number; readonly axisB: number }
  | { readonly kind: "sum"; readonly axes: readonly number[] }
  | { readonly kind: "permute"; readonly axes: readonly number[] }
  | { readonly kind: "reshape"; readonly shape: readonly number[] };

/** A step on one operand: diagonals, sums and a permute. @category Einsum & paths */
export interface UnaryStep {
  readonly kind: "unary";
  readonly input: number;
  readonly output: number;
  readonly ops: readonly UnaryOp[];
  readonly labels: readonly Label[];
}

/** A pairwise step lowered to a batched matrix product. @category Einsum & paths */
export interface PairStep {
  readonly kind: "pair";
  /** Ids of the two operands. */
  readonly inputs: readonly [number, number];
  readonly output: number;
  /** Per operand: diagonals/sums, then permute and reshape to `[B, M, K]` (first) or `[B, K, N]` (second). */
  readonly prepare: readonly [readonly UnaryOp[], readonly UnaryOp[]];
  /** Matrix sizes. */
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Labels of the result: batch, then left, then right. */
  readonly labels: readonly Label[];
  /** Shape of the result. */
  readonly shape: readonly number[];
  /** Labels by role, for display. */
  readonly roles: {
    readonly batch: readonly Label[];
    readonly contracted: readonly Label[];
    readonly left: readonly Label[];
    readonly right: readonly Label[];
  };
}

/** One step of a plan. @category Einsum & paths */
export type PlanStep = UnaryStep | PairStep;

/** Options of {@link planContraction}. @category Einsum & paths */
export interface PlanOptions {
  /** Largest intermediate allowed, in elements. */
  readonly memoryLimit?: number | bigint;
  /** Largest estimated peak working memory (what the contraction allocates, operands excluded), in bytes (default 4 GiB). */
  readonly maxBytes?: number | bigint;
  /** Bytes per element used for the byte estimate (default 8). */
  readonly itemSize?: number;
  /** Backend limits to respect. */
  readonly limits?: BackendLimits;
}

/** Default cap on a plan's estimated peak working memory. @category Einsum & paths */
export const DEFAULT_MAX_BYTES = 4n * 1024n ** 3n;

/** A fully lowered contraction: run it with {@link executePlan}. @category Einsum & paths */
export interface ContractionPlan {
  readonly problem: EinsumProblem;
  /** The SSA path the plan follows. */
  readonly path: Path;
  /** Per operand, the shape it is viewed as after squeezing broadcast axes. */
  readonly inputShapes: readonly (readonly number[])[];
  readonly steps: readonly PlanStep[];
  /** Id of the value that holds the result before `finish`. */
  readonly resultId: number;
  /** Ops turning the last value into the output (a permute at most). */
  readonly finish: readonly UnaryOp[];
  readonly outputShape: readonly number[];
  /** Exact cost of the path under the cost model. */
  readonly cost: ContractionCost;
  /**
   * Estimated peak number of elements the contraction itself allocates and holds at once
   * (intermediates, matmul copies and the result; the operands, which already exist, are not counted).
   */
  readonly peakElements: bigint;
}

interface Value {
  labels: Label[];
}

/**
 * Lowers an SSA path to backend operations.
 * @throws {@link InvalidPathError} for an invalid path; {@link MemoryLimitError} when an intermediate
 * or the peak memory would exceed the limits.
 * @category Einsum & paths
 */
export function planContraction(problem: EinsumProblem, path: Path, options: PlanOptions = {}): ContractionPlan {
  const nIn = problem.inputs.length;
  const cost = pathCost(problem, path); // validates the path first
  const sizes = problem.sizes;
  const limit = options.memoryLimit === undefined ? undefined : BigInt(options.memoryLimit);
  if (limit !== undefined && cost.size > limit) throw new MemoryLimitError(cost.size, limit);
  const maxEl = BigInt(Math.min(MAX_ELEMENTS, options.limits?.maxElements ?? MAX_ELEMENTS));
  if (cost.size > maxEl) {
    throw new MemoryLimitError(cost.size, maxEl, "largest intermediate (more than one array can hold)");
  }
  const sizeOf = (ls: readonly Label[]): bigint => ls.reduce((p, l) => p * BigInt(sizes.get(l)!), 1n);
  const values = new Map<number, Value>();
  problem.inputs.forEach((t, i) => values.set(i, { labels: [...t] }));
  // Live label counts over operands (one per operand that has the label).
  const count = new Map<Label, number>();
  const addCounts = (ls: readonly Label[], d: number): void => {
    for (const l of new Set(ls)) count.set(l, (count.get(l) ?? 0) + d);
  };
  for (const v of values.values()) addCounts(v.labels, 1);
  const outputSet = new Set(problem.output);
  const steps: PlanStep[] = [];
  let nextInternal = nIn;
  let liveElements = 0n;
  let peak = 0n;
  const inputIds = new Set([...Array(nIn).keys()]);
  const idMap = new Map<number, number>([...Array(nIn).keys()].map((i) => [i, i]));

  const sizeOfNumber = (ls: readonly Label[]): number => sizeOfLabels(sizes, ls);
  const orient = (x: Value, y: Value, order: readonly Label[], keep: (l: Label) => boolean): ReturnType<typeof orientWith> =>
    orientWith(sizes, x, y, order, keep);

  const pair = (ia: number, ib: number): number => {
    const va = values.get(ia)!;
    const vb = values.get(ib)!;
    addCounts(va.labels, -1);
    addCounts(vb.labels, -1);
    const a: Value = { labels: [...va.labels] };
    const b: Value = { labels: [...vb.labels] };
    // Labels still needed after this step: output or another live operand.
    const keep = (l: Label): boolean => outputSet.has(l) || (count.get(l) ?? 0) > 0;
    // Sum what only one side has and nobody needs; count is 0 for those now.
    const prepA = reduceUnary(a, new Set(b.labels), keep);
    const prepB = reduceUnary(b, new Set(a.labels), keep);
    // Orientation: which side is the matmul's left operand, and the order of the shared labels (taken
    // from the larger side). The choice that permutes (copies) fewer elements wins; ties keep a·b.
    const big = sizeOfNumber(b.labels) > sizeOfNumber(a.labels) ? b : a;
    const plain = orient(a, b, big.labels, keep);
    const swapped = orient(b, a, big.labels, keep);
    const swap = swapped.copied < plain.copied;
    const { batch, contracted, left, right } = swap ? swapped : plain;
    const [x, y, prepX, prepY] = swap ? [b, a, prepB, prepA] : [a, b, prepA, prepB];
    const sz = (ls: readonly Label[]): number => ls.reduce((p, l) => p * sizes.get(l)!, 1);
    const B = sz(batch);
    const M = sz(left);
    const K = sz(contracted);
    const N = sz(right);
    prepX.push(...arrange(x.labels, [...batch, ...left, ...contracted], [B, M, K]));
    prepY.push(...arrange(y.labels, [...batch, ...contracted, ...right], [B, K, N]));
    const labels = [...batch, ...left, ...right];
    const shape = labels.map((l) => sizes.get(l)!);
    const out = nextInternal++;
    steps.push({
      kind: "pair",
      inputs: swap ? [ib, ia] : [ia, ib],
      output: out,
      prepare: [prepX, prepY],
      batch: B,
      m: M,
      k: K,
      n: N,
      labels,
      shape,
      roles: { batch, contracted, left, right },
    });
    values.delete(ia);
    values.delete(ib);
    values.set(out, { labels });
    addCounts(labels, 1);
    // Memory: the result (plus copies made for the matmul) on top of what is live.
    const outEl = sizeOf(labels);
    // A side is copied for the matmul only when its preparation permutes, sums or takes a diagonal;
    // a reshape of a C-ordered value is free (non-contiguous inputs are the exception this misses).
    const copies = (ops: readonly UnaryOp[]): boolean => ops.some((op) => op.kind !== "reshape");
    const tmp = (copies(prepX) ? BigInt(B * M * K) : 0n) + (copies(prepY) ? BigInt(B * K * N) : 0n);
    if (liveElements + outEl + tmp > peak) peak = liveElements + outEl + tmp;
    liveElements += outEl;
    if (!inputIds.has(ia)) liveElements -= sizeOf(dedupe(va.labels));
    if (!inputIds.has(ib)) liveElements -= sizeOf(dedupe(vb.labels));
    return out;
  };

  const unary = (ia: number): number => {
    const va = values.get(ia)!;
    addCounts(va.labels, -1);
    const a: Value = { labels: [...va.labels] };
    const keep = (l: Label): boolean => outputSet.has(l) || (count.get(l) ?? 0) > 0;
    const ops = reduceUnary(a, new Set(), keep);
    const out = nextInternal++;
    steps.push({ kind: "unary", input: ia, output: out, ops, labels: a.labels });
    values.delete(ia);
    values.set(out, { labels: a.labels });
    addCounts(a.labels, 1);
    const outEl = sizeOf(a.labels);
    if (liveElements + outEl > peak) peak = liveElements + outEl;
    liveElements += outEl;
    if (!inputIds.has(ia)) liveElements -= sizeOf(dedupe(va.labels));
    return out;
  };

  let ssaNext = nIn;
  for (const step of path) {
    const ids = step.map((id) => idMap.get(id)!);
    let acc: number;
    if (ids.length === 1) acc = unary(ids[0]!);
    else {
      acc = pair(ids[0]!, ids[1]!);
      for (let i = 2; i < ids.length; i++) acc = pair(acc, ids[i]!);
    }
    idMap.set(ssaNext++, acc);
  }
  const resultId = idMap.get(ssaNext - 1) ?? 0;
  const last = values.get(resultId)!;
  const finish: UnaryOp[] = [];
  // The last value can still carry repeated or summable labels only when the path ended early; reduce them.
  const lastCopy: Value = { labels: [...last.labels] };
  addCounts(last.labels, -1);
  finish.push(...reduceUnary(lastCopy, new Set(), (l) => outputSet.has(l)));
  const perm = problem.output.map((l) => lastCopy.labels.indexOf(l));
  if (perm.some((p, i) => p !== i)) finish.push({ kind: "permute", axes: perm });
  const outputShape = problem.output.map((l) => sizes.get(l)!);
  const maxBytes = options.maxBytes === undefined ? DEFAULT_MAX_BYTES : BigInt(options.maxBytes);
  const bytes = peak * BigInt(options.itemSize ?? 8);
  if (bytes > maxBytes) {
    throw new MemoryLimitError(bytes, maxBytes, "estimated peak working memory", "bytes");
  }
  if (options.limits) {
    for (const s of steps) {
      if (s.kind === "pair" && s.k > options.limits.maxLoop) {
        throw new BackendLimitError(
          `step ${s.output - nIn} contracts ${s.k} elements in one loop, more than the backend allows (${options.limits.maxLoop})`,
          "use the cpu backend or raise the backend's loop limit",
        );
      }
    }
  }
  return {
    problem,
    path,
    inputShapes: problem.inputs.map((t) => t.map((l) => sizes.get(l)!)),
    steps,
    resultId,
    finish,
    outputShape,
    cost,
    peakElements: peak,
  };
}

/** Takes diagonals of repeated labels, then sums labels nobody else needs. Mutates `v.labels`. */
function reduceUnary(v: Value, other: ReadonlySet<Label>, keep: (l: Label) => boolean): UnaryOp[] {
  const ops: UnaryOp[] = [];
  diagonalize(v.labels, ops);
  const sumAxes: number[] = [];
  v.labels.forEach((l, ax) => {
    if (!other.has(l) && !keep(l)) sumAxes.push(ax);
  });
  if (sumAxes.length > 0) {
    ops.push({ kind: "sum", axes: sumAxes });
    v.labels = v.labels.filter((_, ax) => !sumAxes.includes(ax));
  }
  return ops;
}

/** Appends diagonal ops until no label repeats; `labels` is updated in place. */
function diagonalize(labels: Label[], ops: UnaryOp[]): void {
  for (;;) {
    let found = false;
    for (let i = 0; i < labels.length && !found; i++) {
      const j = labels.indexOf(labels[i]!, i + 1);
      if (j >= 0) {
        ops.push({ kind: "diagonal", axisA: i, axisB: j });
        const l = labels[i]!;
        labels.splice(j, 1);
        labels.splice(i, 1);
        labels.push(l);
        found = true;
      }
    }
    if (!found) return;
  }
}

/** Permute (if needed) and reshape so the labels come in `order`, grouped as `shape3`. */
/** Elements of a value with these (distinct) labels, as a float (for comparisons only). */
function sizeOfLabels(sizes: ReadonlyMap<Label, number>, labels: readonly Label[]): number {
  return labels.reduce((p, l) => p * sizes.get(l)!, 1);
}

/**
 * The roles of the labels when `x` is the matmul's left operand and `y` its right one, shared labels
 * in the order they have in `order`, and how many elements the two arrangements copy.
 */
function orientWith(
  sizes: ReadonlyMap<Label, number>,
  x: Value,
  y: Value,
  order: readonly Label[],
  keep: (l: Label) => boolean,
): { batch: Label[]; contracted: Label[]; left: Label[]; right: Label[]; copied: number } {
  const inX = new Set(x.labels);
  const inY = new Set(y.labels);
  const shared = order.filter((l) => inX.has(l) && inY.has(l));
  const batch = shared.filter(keep);
  const contracted = shared.filter((l) => !keep(l));
  const left = x.labels.filter((l) => !inY.has(l));
  const right = y.labels.filter((l) => !inX.has(l));
  const permutes = (labels: readonly Label[], want: readonly Label[]): boolean => want.some((l, i) => labels[i] !== l);
  const copied =
    (permutes(x.labels, [...batch, ...left, ...contracted]) ? sizeOfLabels(sizes, x.labels) : 0) +
    (permutes(y.labels, [...batch, ...contracted, ...right]) ? sizeOfLabels(sizes, y.labels) : 0);
  return { batch, contracted, left, right, copied };
}

function arrange(labels: readonly Label[], order: readonly Label[], shape3: readonly number[]): UnaryOp[] {
  const ops: UnaryOp[] = [];
  const perm = order.map((l) => labels.indexOf(l));
  if (perm.some((p, i) => p !== i)) ops.push({ kind: "permute", axes: perm });
  ops.push({ kind: "reshape", shape: shape3 });
  return ops;
}

function dedupe(t: readonly Label[]): Label[] {
  return [...new Set(t)];
}
