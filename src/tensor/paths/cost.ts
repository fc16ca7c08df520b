/**
 * The exact cost model. A step over operands T1…Tk visits the product of the sizes of the distinct
 * labels of all of them (its `multiplyAdds`); its result keeps the labels that are in the output or
 * in an operand outside the step. Its `flops` count floating-point operations as opt_einsum's and
 * numpy's `flop_count` do: `multiplyAdds × (max(1, k − 1) + (1 if a label is summed away))`, so a
 * matrix product is 2·m·k·n and a Hadamard product m·n. Path totals are the sums over steps; `size`
 * is the largest element count a step produces. Costs are bigint: they often exceed 2^53.
 * @module
 */
import type { EinsumProblem } from "../einsum/problem.js";
import type { Label } from "../einsum/labels.js";
import { validateSsa, type Path } from "./path.js";

/** Cost of one step. @category Einsum & paths */
export interface StepCost {
  /** SSA ids contracted. */
  readonly operands: readonly number[];
  /** Labels of each operand contracted. */
  readonly inputLabels: readonly (readonly Label[])[];
  /** Labels of the result (sorted as first seen in the step's operands). */
  readonly resultLabels: readonly Label[];
  /** Multiply-adds: the product of the sizes of all labels involved (what the optimizers minimize). */
  readonly multiplyAdds: bigint;
  /** Floating-point operations, opt_einsum's `flop_count`: multiplyAdds × (max(1, k−1) + 1 if a label is summed away). */
  readonly flops: bigint;
  /** Number of distinct labels of the step (opt_einsum's and numpy's "scaling"). */
  readonly scaling: number;
  /** Elements of the result. */
  readonly size: bigint;
}

/** Cost of a whole path. @category Einsum & paths */
export interface ContractionCost {
  /** Sum of the steps' multiply-adds (exact; what the optimizers minimize). */
  readonly multiplyAdds: bigint;
  /** Sum of the steps' floating-point operations in opt_einsum's convention (a multiply-add that sums is 2). */
  readonly flops: bigint;
  /** Largest element count of any tensor a step produces (the final result included). */
  readonly size: bigint;
  /** log10 of `flops`, for display only. */
  readonly log10Flops: number;
  /** log10 of `size`, for display only. */
  readonly log10Size: number;
  /** Per-step detail. */
  readonly steps: readonly StepCost[];
}

/** Number of elements of a term. */
export function termSize(term: Iterable<Label>, sizes: ReadonlyMap<Label, number>): bigint {
  return distinctSize(new Set(term), sizes);
}

/** Product of the sizes of distinct labels: in doubles while exact, in bigint beyond 2^53. */
function distinctSize(labels: Iterable<Label>, sizes: ReadonlyMap<Label, number>): bigint {
  let p = 1;
  let big: bigint | undefined;
  for (const l of labels) {
    const s = sizes.get(l)!;
    if (big !== undefined) big *= BigInt(s);
    else if (Number.isSafeInteger(p * s)) p *= s;
    else big = BigInt(p) * BigInt(s);
  }
  return big ?? BigInt(p);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** log10 of a non-negative bigint, accurate for display. @category Einsum & paths */
export function log10Big(x: bigint): number {
  if (x <= 0n) return x === 0n ? -Infinity : NaN;
  if (x <= MAX_SAFE) return Math.log10(Number(x));
  const s = x.toString();
  const head = Number(s.slice(0, 17));
  return Math.log10(head) + (s.length - Math.min(17, s.length));
}

/**
 * Exact cost of an SSA path for a problem.
 * @throws {@link InvalidPathError} when the path is not valid.
 * @example
 * ```ts
 * import { parseEinsum, pathCost } from "multilinear";
 * const p = parseEinsum("ij,jk,kl->il", [[2, 3], [3, 4], [4, 5]]);
 * const c = pathCost(p, [[0, 1], [2, 3]]);
 * [c.multiplyAdds, c.flops]; // => [64n, 128n]
 * ```
 * @category Einsum & paths
 */
export function pathCost(problem: EinsumProblem, path: Path): ContractionCost {
  const n = problem.inputs.length;
  validateSsa(path, n);
  const terms = new Map<number, readonly Label[]>();
  problem.inputs.forEach((t, i) => terms.set(i, dedupe(t)));
  // How many live operands carry each label.
  const count = new Map<Label, number>();
  for (const t of terms.values()) for (const l of t) count.set(l, (count.get(l) ?? 0) + 1);
  const outputSet = new Set(problem.output);
  let next = n;
  let macs = 0n;
  let flops = 0n;
  let size = 0n;
  const steps: StepCost[] = [];
  for (const step of path) {
    const inputs = step.map((id) => terms.get(id)!);
    const joint: Label[] = [];
    const inStep = new Map<Label, number>();
    for (const t of inputs) {
      for (const l of t) {
        if (!inStep.has(l)) joint.push(l);
        inStep.set(l, (inStep.get(l) ?? 0) + 1);
      }
    }
    const result = joint.filter((l) => outputSet.has(l) || count.get(l)! > inStep.get(l)!);
    const f = distinctSize(joint, problem.sizes);
    const s = distinctSize(result, problem.sizes);
    const factor = BigInt(Math.max(1, step.length - 1) + (result.length < joint.length ? 1 : 0));
    macs += f;
    flops += f * factor;
    if (s > size) size = s;
    for (const id of step) terms.delete(id);
    for (const [l, c] of inStep) count.set(l, count.get(l)! - c);
    for (const l of result) count.set(l, count.get(l)! + 1);
    terms.set(next++, result);
    steps.push({
      operands: [...step],
      inputLabels: inputs,
      resultLabels: result,
      multiplyAdds: f,
      flops: f * factor,
      scaling: joint.length,
      size: s,
    });
  }
  return { multiplyAdds: macs, flops, size, log10Flops: log10Big(flops), log10Size: log10Big(size), steps };
}

/** Cost of the naive single loop over every label (see {@link naiveCost}). @category Einsum & paths */
export interface NaiveCost {
  /** Product of all label sizes. */
  readonly multiplyAdds: bigint;
  /** numpy's and opt_einsum's naive FLOP count: multiplyAdds × (max(1, n − 1) + 1 if some label is shared by two operands). */
  readonly flops: bigint;
  /** Number of distinct labels ("Naive scaling"). */
  readonly scaling: number;
}

/**
 * Cost of contracting everything in one step (the naive einsum loop), counted as numpy's
 * `einsum_path` counts it.
 * @example
 * ```ts
 * import { naiveCost, parseEinsum } from "multilinear";
 * const naive = naiveCost(parseEinsum("ij,jk,kl->il", [[2, 3], [3, 4], [4, 5]]));
 * [naive.multiplyAdds, naive.flops, naive.scaling]; // => [120n, 360n, 4]
 * ```
 * @category Einsum & paths
 */
export function naiveCost(problem: EinsumProblem): NaiveCost {
  const all = new Set(problem.inputs.flat());
  const multiplyAdds = termSize(all, problem.sizes);
  const shared = problem.inputs.reduce((s, t) => s + new Set(t).size, 0) > all.size;
  const factor = BigInt(Math.max(1, problem.inputs.length - 1) + (shared ? 1 : 0));
  return { multiplyAdds, flops: multiplyAdds * factor, scaling: all.size };
}

function dedupe(t: readonly Label[]): Label[] {
  return [...new Set(t)];
}
