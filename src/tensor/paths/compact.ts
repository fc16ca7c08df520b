/**
 * The compact form optimizers work on: labels as integer ids, terms as sorted id arrays (each label
 * once), sizes as numbers and log2 sizes. Built once per problem; optimizers never see strings.
 * @module
 */
import type { EinsumProblem } from "../einsum/problem.js";
import type { Label } from "../einsum/labels.js";

/** A problem reduced to integer labels. @category Einsum & paths */
export interface PathNetwork {
  /** Number of distinct labels. */
  readonly nLabels: number;
  /** Size of each label. */
  readonly sizes: Float64Array;
  /** log2 of each label's size (0 for size 1; −Infinity for size 0). */
  readonly log2: Float64Array;
  /** Sorted distinct label ids of each operand. */
  readonly inputs: readonly Int32Array[];
  /** Label ids of the output. */
  readonly output: Int32Array;
  /** 1 where a label is in the output. */
  readonly inOutput: Uint8Array;
  /** The labels behind the ids. */
  readonly labels: readonly Label[];
}

/** Builds the integer form of a problem. @category Einsum & paths */
export function toNetwork(problem: EinsumProblem): PathNetwork {
  const ids = new Map<Label, number>();
  const labels: Label[] = [];
  const id = (l: Label): number => {
    let i = ids.get(l);
    if (i === undefined) {
      i = labels.length;
      ids.set(l, i);
      labels.push(l);
    }
    return i;
  };
  const inputs = problem.inputs.map((t) => Int32Array.from(new Set(t.map(id))).sort());
  const output = Int32Array.from(problem.output.map(id));
  const n = labels.length;
  const sizes = new Float64Array(n);
  const log2 = new Float64Array(n);
  labels.forEach((l, i) => {
    const s = problem.sizes.get(l)!;
    sizes[i] = s;
    log2[i] = s === 0 ? -Infinity : Math.log2(s);
  });
  const inOutput = new Uint8Array(n);
  for (const o of output) inOutput[o] = 1;
  return { nLabels: n, sizes, log2, inputs, output, inOutput, labels };
}

/** Sum of log2 sizes of a term. */
export function termLog2(net: PathNetwork, term: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < term.length; i++) s += net.log2[term[i]!]!;
  return s;
}

/** Product of sizes of a term, as a number (exact below 2^53). */
export function termSize(net: PathNetwork, term: ArrayLike<number>): number {
  let s = 1;
  for (let i = 0; i < term.length; i++) s *= net.sizes[term[i]!]!;
  return s;
}

/** Sorted union of two sorted id arrays. */
export function union(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out[k++] = x;
      i++;
      j++;
    } else if (x < y) {
      out[k++] = x;
      i++;
    } else {
      out[k++] = y;
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out.subarray(0, k);
}

/** True when two sorted id arrays share an element. */
export function intersects(a: Int32Array, b: Int32Array): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) return true;
    if (x < y) i++;
    else j++;
  }
  return false;
}

/** Whether sorted term `t` holds label `l` (binary search). */
export function hasLabel(t: Int32Array, l: number): boolean {
  let lo = 0;
  let hi = t.length - 1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    const v = t[m]!;
    if (v === l) return true;
    if (v < l) lo = m + 1;
    else hi = m - 1;
  }
  return false;
}

/** A stable string key of a term (for deduplication and memo tables). */
export function termKey(t: Int32Array): string {
  return t.join(",");
}
