/**
 * Depth-first search over pairwise contraction orders with cost pruning: the engine of `optimal`
 * (every pair, exhaustive) and `branch-*` (only the best `nbranch` pairs by the greedy heuristic at
 * each step). Costs are the exact model's multiply-adds, carried as doubles during the search.
 * @module
 */
import { hasLabel, termSize, union, type PathNetwork } from "./compact.js";

/** Options of {@link searchPath}. @category Einsum & paths */
export interface SearchOptions {
  /** Pairs explored per step, best heuristic first (undefined: all pairs). */
  readonly nbranch?: number;
  /** Largest intermediate allowed (elements). */
  readonly memoryLimit?: number;
  /** Stop after this many milliseconds and return the best path found (undefined: no limit). */
  readonly timeLimitMs?: number;
  /** Heartbeat with the milliseconds spent so far, called every few thousand search nodes. */
  readonly onProgress?: (elapsedMs: number) => void;
  /** An initial upper bound (e.g. the greedy path's cost) and its path. */
  readonly incumbent?: { readonly flops: number; readonly path: number[][] };
}

/** The best SSA path found and its flops (Infinity when none fits the memory limit). @category Einsum & paths */
export interface SearchResult {
  readonly path: number[][];
  readonly flops: number;
  /** False when the time limit cut the search short. */
  readonly complete: boolean;
}

/** Exhaustive or branch-limited search for the cheapest contraction order. @category Einsum & paths */
export function searchPath(net: PathNetwork, options: SearchOptions = {}): SearchResult {
  const n = net.inputs.length;
  if (n === 1) return { path: [[0]], flops: termSize(net, net.inputs[0]!), complete: true };
  const limit = options.memoryLimit ?? Infinity;
  const start = performance.now();
  const deadline = options.timeLimitMs === undefined ? Infinity : start + options.timeLimitMs;
  let best = options.incumbent
    ? { flops: options.incumbent.flops, path: options.incumbent.path }
    : { flops: Infinity, path: [] as number[][] };
  let complete = true;
  let nodes = 0;
  // Live-term label counts decide which labels a step keeps.
  const count = new Int32Array(net.nLabels);
  for (const t of net.inputs) for (const l of t) count[l]!++;
  const terms: Int32Array[] = [...net.inputs];
  const sizes: number[] = net.inputs.map((t) => termSize(net, t));
  const alive: number[] = [...Array(n).keys()];
  const steps: number[][] = [];
  const keep = (a: Int32Array, b: Int32Array): Int32Array => {
    const u = union(a, b);
    let k = 0;
    const out = new Int32Array(u.length);
    for (const l of u) {
      const inA = hasLabel(a, l) ? 1 : 0;
      const inB = hasLabel(b, l) ? 1 : 0;
      if (net.inOutput[l] || count[l]! > inA + inB) out[k++] = l;
    }
    return out.subarray(0, k);
  };
  const recurse = (flops: number): void => {
    if (alive.length === 1) {
      if (flops < best.flops) best = { flops, path: steps.map((s) => [...s]) };
      return;
    }
    if ((++nodes & 1023) === 0) {
      const now = performance.now();
      options.onProgress?.(now - start);
      if (now > deadline) {
        complete = false;
        return;
      }
    }
    if (!complete) return;
    // Candidate pairs with their result, step flops and heuristic.
    type Cand = { i: number; j: number; k12: Int32Array; f: number; s12: number; h: number; connected: boolean };
    const cands: Cand[] = [];
    let anyConnected = false;
    for (let x = 0; x < alive.length; x++) {
      for (let y = x + 1; y < alive.length; y++) {
        const i = alive[x]!;
        const j = alive[y]!;
        const a = terms[i]!;
        const b = terms[j]!;
        const u = union(a, b);
        const f = termSize(net, u);
        if (flops + f >= best.flops) continue;
        const k12 = keep(a, b);
        const s12 = termSize(net, k12);
        if (s12 > limit) continue;
        const connected = u.length < a.length + b.length;
        anyConnected ||= connected;
        cands.push({ i, j, k12, f, s12, h: s12 - sizes[i]! - sizes[j]!, connected });
      }
    }
    let chosen = cands;
    if (options.nbranch !== undefined) {
      // Branch-and-bound explores connected pairs (outer products only when nothing is connected).
      if (anyConnected) chosen = chosen.filter((c) => c.connected);
      chosen.sort((p, q) => p.h - q.h || p.f - q.f);
      chosen = chosen.slice(0, options.nbranch);
    } else {
      chosen.sort((p, q) => p.f - q.f || p.h - q.h);
    }
    for (const c of chosen) {
      if (flops + c.f >= best.flops) continue;
      const id = terms.length;
      terms.push(c.k12);
      sizes.push(c.s12);
      const xi = alive.indexOf(c.i);
      alive.splice(xi, 1);
      const xj = alive.indexOf(c.j);
      alive.splice(xj, 1);
      alive.push(id);
      for (const l of terms[c.i]!) count[l]!--;
      for (const l of terms[c.j]!) count[l]!--;
      for (const l of c.k12) count[l]!++;
      steps.push([c.i, c.j]);
      recurse(flops + c.f);
      steps.pop();
      for (const l of c.k12) count[l]!--;
      for (const l of terms[c.i]!) count[l]!++;
      for (const l of terms[c.j]!) count[l]!++;
      alive.pop();
      alive.splice(xj, 0, c.j);
      alive.splice(xi, 0, c.i);
      terms.pop();
      sizes.pop();
      if (!complete) return;
    }
  };
  recurse(0);
  return { path: best.path, flops: best.flops, complete };
}

/** Largest network {@link searchSmall} takes: operands and distinct labels (labels are bits of an int). */
export const SMALL_SEARCH_LIMITS = { operands: 5, labels: 30 } as const;

/**
 * Exhaustive search for tiny networks (at most {@link SMALL_SEARCH_LIMITS}), with label sets as bit
 * masks: the same cost model, candidate order and pruning as {@link searchPath} without an incumbent,
 * but no allocation per candidate, which is what dominates planning a 3- or 4-operand einsum.
 * Returns undefined when the network is too large or no path fits `memoryLimit`.
 */
export function searchSmall(net: PathNetwork, memoryLimit = Infinity): SearchResult | undefined {
  const n = net.inputs.length;
  if (n < 2 || n > SMALL_SEARCH_LIMITS.operands || net.nLabels > SMALL_SEARCH_LIMITS.labels) return undefined;
  const sizeOf = (mask: number): number => {
    let s = 1;
    for (let m = mask; m !== 0; m &= m - 1) s *= net.sizes[31 - Math.clz32(m & -m)]!;
    return s;
  };
  let outMask = 0;
  for (let l = 0; l < net.nLabels; l++) if (net.inOutput[l]) outMask |= 1 << l;
  const terms: number[] = net.inputs.map((t) => {
    let m = 0;
    for (const l of t) m |= 1 << l;
    return m;
  });
  const sizes: number[] = terms.map(sizeOf);
  const alive: number[] = [...Array(n).keys()];
  const steps: number[][] = [];
  let best: { flops: number; path: number[][] } | undefined;
  // Each depth lists its candidates as [i, j, kept mask, flops, kept size, heuristic].
  const recurse = (flops: number): void => {
    const k = alive.length;
    if (k === 1) {
      if (best === undefined || flops < best.flops) best = { flops, path: steps.map((s) => [...s]) };
      return;
    }
    const cands: number[][] = [];
    for (let x = 0; x < k; x++) {
      for (let y = x + 1; y < k; y++) {
        const i = alive[x]!;
        const j = alive[y]!;
        const f = sizeOf(terms[i]! | terms[j]!);
        if (best !== undefined && flops + f >= best.flops) continue;
        let others = outMask;
        for (let z = 0; z < k; z++) if (z !== x && z !== y) others |= terms[alive[z]!]!;
        const kept = (terms[i]! | terms[j]!) & others;
        const s12 = sizeOf(kept);
        if (s12 > memoryLimit) continue;
        cands.push([i, j, kept, f, s12, s12 - sizes[i]! - sizes[j]!]);
      }
    }
    cands.sort((p, q) => p[3]! - q[3]! || p[5]! - q[5]!);
    for (const [i, j, kept, f, s12] of cands) {
      if (best !== undefined && flops + f! >= best.flops) continue;
      const id = terms.length;
      terms.push(kept!);
      sizes.push(s12!);
      const xi = alive.indexOf(i!);
      alive.splice(xi, 1);
      const xj = alive.indexOf(j!);
      alive.splice(xj, 1);
      alive.push(id);
      steps.push([i!, j!]);
      recurse(flops + f!);
      steps.pop();
      alive.pop();
      alive.splice(xj, 0, j!);
      alive.splice(xi, 0, i!);
      terms.pop();
      sizes.pop();
    }
  };
  recurse(0);
  return best === undefined ? undefined : { path: best.path, flops: best.flops, complete: true };
}
