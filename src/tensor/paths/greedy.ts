/**
 * Greedy path (opt_einsum's default heuristic): identical terms are multiplied first (Hadamard
 * products), then pairs joined by a summed label are contracted in order of the memory they remove
 * (`size(result) − size(a) − size(b)`, ties broken by the larger then smaller id); finally the
 * remaining disconnected pieces are joined by outer products, smallest first. Labels common to every
 * operand are treated as output labels. Deterministic; a seeded variant samples among the best
 * candidates (see {@link greedySsa}'s `sample`).
 * @module
 */
import type { EinsumProblem } from "../einsum/problem.js";
import { Heap } from "./heap.js";
import { hasLabel, termSize, toNetwork, union, type PathNetwork } from "./compact.js";
import type { Path } from "./path.js";

/** Options of {@link greedySsa}. @category Einsum & paths */
export interface GreedyOptions {
  /** Largest intermediate allowed (elements); candidates above it are skipped. */
  readonly memoryLimit?: number;
  /**
   * Heuristic cost of a candidate from its result and operand sizes (default
   * `size12 − size1 − size2`, opt_einsum's "memory-removed").
   */
  readonly cost?: (size12: number, size1: number, size2: number) => number;
  /**
   * Stochastic choice among the queue's best candidates (random-greedy): given the sorted candidate
   * costs, returns the index to take.
   */
  readonly sample?: (costs: readonly number[]) => number;
  /** How many candidates the sampler sees (default 8). */
  readonly nbranch?: number;
}

interface Candidate {
  readonly cost: number;
  readonly id1: number; // smaller ssa id
  readonly id2: number;
  readonly k12: Int32Array;
  readonly size12: number;
}

const before = (a: Candidate, b: Candidate): boolean =>
  a.cost !== b.cost ? a.cost < b.cost : a.id2 !== b.id2 ? a.id2 < b.id2 : a.id1 < b.id1;

/**
 * A greedy SSA path for `problem`.
 * @example
 * ```ts
 * import { parseEinsum, greedyPath } from "multilinear";
 * greedyPath(parseEinsum("ij,jk,kl->il", [[2, 30], [30, 4], [4, 50]])); // => [[0, 1], [2, 3]]
 * ```
 * @category Einsum & paths
 */
export function greedyPath(problem: EinsumProblem, options: GreedyOptions = {}): Path {
  return greedySsa(toNetwork(problem), options);
}

/** Greedy on the integer form (see {@link greedyPath}). @category Einsum & paths */
export function greedySsa(net: PathNetwork, options: GreedyOptions = {}): number[][] {
  const n = net.inputs.length;
  if (n === 1) return [[0]];
  const costFn = options.cost ?? ((s12: number, s1: number, s2: number) => s12 - s1 - s2);
  const limit = options.memoryLimit ?? Infinity;
  // Labels in every operand behave like output labels: they cannot be summed before the last step.
  const out = Uint8Array.from(net.inOutput);
  const everywhere = new Int32Array(net.nLabels);
  for (const t of net.inputs) for (const l of t) everywhere[l]!++;
  for (let l = 0; l < net.nLabels; l++) if (everywhere[l] === n) out[l] = 1;

  const path: number[][] = [];
  let nextId = n;
  // live: ssa id → term; byKey dedupes identical terms (multiplied elementwise first).
  const live = new Map<number, Int32Array>();
  const byKey = new Map<string, number>();
  const sizeOf = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const t = net.inputs[i]!;
    const key = t.join(",");
    const prev = byKey.get(key);
    if (prev !== undefined) {
      path.push([prev, i]);
      live.delete(prev);
      const id = nextId++;
      live.set(id, t);
      byKey.set(key, id);
      sizeOf.set(id, termSize(net, t));
    } else {
      live.set(i, t);
      byKey.set(key, i);
      sizeOf.set(i, termSize(net, t));
    }
  }
  // Which live terms carry each summable label.
  const holders: Set<number>[] = Array.from({ length: net.nLabels }, () => new Set<number>());
  for (const [id, t] of live) for (const l of t) if (!out[l]) holders[l]!.add(id);

  const resultOf = (a: Int32Array, b: Int32Array): Int32Array => {
    const u = union(a, b);
    let k = 0;
    const keep = new Int32Array(u.length);
    for (const l of u) {
      if (out[l]) {
        keep[k++] = l;
        continue;
      }
      // Kept when a term outside the pair still holds it.
      const h = holders[l]!.size;
      const inBoth = hasLabel(a, l) && hasLabel(b, l);
      if (h > (inBoth ? 2 : 1)) keep[k++] = l;
    }
    return keep.subarray(0, k);
  };
  const candidate = (i: number, j: number): Candidate | undefined => {
    const a = live.get(i)!;
    const b = live.get(j)!;
    const k12 = resultOf(a, b);
    const s12 = termSize(net, k12);
    if (s12 > limit) return undefined;
    const [id1, id2] = i < j ? [i, j] : [j, i];
    return { cost: costFn(s12, sizeOf.get(i)!, sizeOf.get(j)!), id1, id2, k12, size12: s12 };
  };
  const queue = new Heap<Candidate>(before);
  const pushBest = (i: number, others: Iterable<number>): void => {
    const cands: Candidate[] = [];
    for (const j of others) {
      if (j === i) continue;
      const c = candidate(i, j);
      if (c) cands.push(c);
    }
    if (cands.length === 0) return;
    if (options.sample) for (const c of cands) queue.push(c);
    else queue.push(cands.reduce((x, y) => (before(y, x) ? y : x)));
  };
  // Initial candidates: per summable label, each holder with the later holders (ssa order).
  for (let l = 0; l < net.nLabels; l++) {
    const hs = [...holders[l]!].sort((x, y) => x - y);
    for (let a = 0; a < hs.length - 1; a++) pushBest(hs[a]!, hs.slice(a + 1));
  }
  const nbranch = options.nbranch ?? 8;
  while (queue.size > 0) {
    let c: Candidate | undefined;
    if (options.sample) {
      // Collect up to nbranch valid candidates, sample one, push the rest back.
      const pool: Candidate[] = [];
      while (queue.size > 0 && pool.length < nbranch) {
        const x = queue.pop()!;
        if (live.has(x.id1) && live.has(x.id2)) pool.push(x);
      }
      if (pool.length === 0) break;
      const pick = options.sample(pool.map((p) => p.cost));
      c = pool[pick];
      pool.forEach((p, k) => k !== pick && queue.push(p));
    } else {
      c = queue.pop();
      if (!c || !live.has(c.id1) || !live.has(c.id2)) continue;
    }
    if (!c) break;
    const a = live.get(c.id1)!;
    const b = live.get(c.id2)!;
    live.delete(c.id1);
    live.delete(c.id2);
    byKey.delete(a.join(","));
    byKey.delete(b.join(","));
    for (const l of a) if (!out[l]) holders[l]!.delete(c.id1);
    for (const l of b) if (!out[l]) holders[l]!.delete(c.id2);
    path.push([c.id1, c.id2]);
    let id = nextId++;
    const key = c.k12.join(",");
    const dup = byKey.get(key);
    if (dup !== undefined) {
      // Same labels as a live term: multiply them at once.
      live.delete(dup);
      for (const l of c.k12) if (!out[l]) holders[l]!.delete(dup);
      path.push([dup, id]);
      id = nextId++;
    }
    live.set(id, c.k12);
    byKey.set(key, id);
    sizeOf.set(id, c.size12);
    for (const l of c.k12) if (!out[l]) holders[l]!.add(id);
    const neighbours = new Set<number>();
    for (const l of c.k12) if (!out[l]) for (const h of holders[l]!) neighbours.add(h);
    neighbours.delete(id);
    if (neighbours.size > 0) pushBest(id, neighbours);
  }
  // Outer products of what is left, smallest (by output labels) first.
  const sizeOut = (t: Int32Array): number => {
    let s = 1;
    for (const l of t) if (out[l]) s *= net.sizes[l]!;
    return s;
  };
  type Item = { size: number; id: number; term: Int32Array };
  const rest = new Heap<Item>((x, y) => (x.size !== y.size ? x.size < y.size : x.id < y.id));
  for (const [id, t] of live) rest.push({ size: sizeOut(t), id, term: t });
  let first = rest.pop()!;
  while (rest.size > 0) {
    const second = rest.pop()!;
    path.push([Math.min(first.id, second.id), Math.max(first.id, second.id)]);
    const t = union(first.term, second.term).filter((l) => out[l] === 1);
    first = { size: sizeOut(t), id: nextId++, term: t };
    rest.push(first);
    first = rest.pop()!;
  }
  return path;
}
