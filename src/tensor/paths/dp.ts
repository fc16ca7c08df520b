/**
 * Dynamic programming over connected subgraphs (Xu, Liang et al.; opt_einsum's `dp`): for each
 * connected component, the cheapest contraction tree of every connected subset is built from pairs of
 * smaller disjoint subsets, under a cost cap that grows until the whole component is reached.
 * Minimises flops (default) or the largest intermediate; outer products can be allowed. Components
 * are finally joined by outer products, smallest first.
 * @module
 */
import { termSize, type PathNetwork } from "./compact.js";

/** Options of {@link dpPath}. @category Einsum & paths */
export interface DpOptions {
  /** `flops` (default) or `size` (largest intermediate first, then flops). */
  readonly minimize?: "flops" | "size";
  /** Also combine subsets that share no label (outer products); slower, sometimes cheaper. */
  readonly searchOuter?: boolean;
  /** Largest intermediate allowed (elements). */
  readonly memoryLimit?: number;
  /** Give up (and return undefined) after this many milliseconds. */
  readonly timeLimitMs?: number;
  /** Heartbeat with the milliseconds spent so far, called as the search goes. */
  readonly onProgress?: (elapsedMs: number) => void;
  /**
   * First sum each operand's private labels (in no other operand, not in the output) by a
   * single-operand step, as opt_einsum's dp does (default false: pairwise steps only).
   */
  readonly reduceLeaves?: boolean;
}

interface Entry {
  /** Labels the subset's result keeps. */
  readonly legs: Int32Array;
  readonly flops: number;
  readonly size: number;
  /** SSA-like tree: a leaf index or a pair of subtrees. */
  readonly tree: Tree;
}

type Tree = number | readonly [Tree, Tree];

/** Largest component {@link dpPath} handles (subsets are 31-bit masks). @category Einsum & paths */
export const DP_MAX_COMPONENT = 31;

/**
 * DP path on the integer form. Returns undefined when the time limit ran out or a component is larger
 * than {@link DP_MAX_COMPONENT}.
 * @category Einsum & paths
 */
export function dpPath(net: PathNetwork, options: DpOptions = {}): number[][] | undefined {
  const n = net.inputs.length;
  if (n === 1) return [[0]];
  const minimizeSize = options.minimize === "size";
  const limit = options.memoryLimit ?? Infinity;
  const start = performance.now();
  const deadline = options.timeLimitMs === undefined ? Infinity : start + options.timeLimitMs;
  const tick = (now: number): void => options.onProgress?.(now - start);
  // With outer products searched, the whole network is one problem (disconnected parts can then be
  // joined at their cheapest moment); otherwise each connected component is solved on its own.
  const components = options.searchOuter ? [[...Array(n).keys()]] : connectedComponents(net);
  const path: number[][] = [];
  let next = n;
  // Optional single-operand reductions of private labels; leaf ids are remapped to the reduced results.
  const leafId = [...Array(n).keys()];
  const leafTerm = [...net.inputs];
  if (options.reduceLeaves) {
    const count = new Int32Array(net.nLabels);
    for (const t of net.inputs) for (const l of t) count[l]!++;
    net.inputs.forEach((t, i) => {
      const kept = t.filter((l) => net.inOutput[l] === 1 || count[l]! > 1);
      if (kept.length < t.length) {
        path.push([i]);
        leafId[i] = next++;
        leafTerm[i] = kept;
      }
    });
  }
  const trees: Tree[] = [];
  for (const comp of components) {
    if (comp.length > DP_MAX_COMPONENT) return undefined;
    const t = solveComponent(net, leafTerm, comp, options.searchOuter ?? false, minimizeSize, limit, deadline, tick);
    if (t === undefined) return undefined;
    trees.push(t);
  }
  // Join components by outer products, smallest result first.
  const emit = (t: Tree): number => {
    if (typeof t === "number") return leafId[t]!;
    const a = emit(t[0]);
    const b = emit(t[1]);
    path.push([a, b]);
    return next++;
  };
  const roots = trees.map((t) => ({ id: emit(t), size: outputSize(net, t) }));
  roots.sort((x, y) => x.size - y.size || x.id - y.id);
  let acc = roots[0]!;
  for (const r of roots.slice(1)) {
    path.push([Math.min(acc.id, r.id), Math.max(acc.id, r.id)]);
    acc = { id: next++, size: acc.size * r.size };
  }
  if (path.length === 0) path.push([0]);
  return path;
}

function outputSize(net: PathNetwork, t: Tree): number {
  const leaves: number[] = [];
  const walk = (x: Tree): void => {
    if (typeof x === "number") leaves.push(x);
    else {
      walk(x[0]);
      walk(x[1]);
    }
  };
  walk(t);
  const labels = new Set<number>();
  for (const i of leaves) for (const l of net.inputs[i]!) if (net.inOutput[l]) labels.add(l);
  return termSize(net, [...labels]);
}

/** Groups operands joined (directly or not) by labels that are not output labels… or any shared label. @category Einsum & paths */
export function connectedComponents(net: PathNetwork): number[][] {
  const n = net.inputs.length;
  const parent = [...Array(n).keys()];
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  const first = new Map<number, number>();
  net.inputs.forEach((t, i) => {
    for (const l of t) {
      const f = first.get(l);
      if (f === undefined) first.set(l, i);
      else parent[find(i)] = find(f);
    }
  });
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  return [...groups.values()];
}

function solveComponent(
  net: PathNetwork,
  leafTerm: readonly Int32Array[],
  comp: readonly number[],
  outer: boolean,
  minimizeSize: boolean,
  limit: number,
  deadline: number,
  tick: (now: number) => void,
): Tree | undefined {
  const m = comp.length;
  if (m === 1) return comp[0]!;
  // Which members hold each label (bit masks over the component).
  const holders = new Map<number, number>();
  comp.forEach((op, k) => {
    for (const l of net.inputs[op]!) holders.set(l, (holders.get(l) ?? 0) | (1 << k));
  });
  const legsOf = (labels: Iterable<number>, mask: number): Int32Array => {
    const out: number[] = [];
    for (const l of labels) {
      const h = holders.get(l)!;
      // Kept when it is an output label or a member outside the subset holds it.
      if (net.inOutput[l] || (h & ~mask) !== 0) out.push(l);
    }
    return Int32Array.from(out).sort();
  };
  const full = m === 31 ? 0x7fffffff : (1 << m) - 1;
  let cap = 0;
  // Start the cap at the cheapest conceivable cost: the largest single input (every tree touches it).
  for (const op of comp) cap = Math.max(cap, termSize(net, leafTerm[op]!));
  const better = (a: Entry, b: Entry | undefined): boolean => {
    if (!b) return true;
    if (minimizeSize) return a.size !== b.size ? a.size < b.size : a.flops < b.flops;
    return a.flops !== b.flops ? a.flops < b.flops : a.size < b.size;
  };
  for (let round = 0; round < 2000; round++) {
    let minOver = Infinity;
    const levels: Map<number, Entry>[] = Array.from({ length: m + 1 }, () => new Map());
    comp.forEach((op, k) => {
      // A leaf enters with its own (possibly reduced) term: a step's cost counts all its labels.
      const t = leafTerm[op]!;
      levels[1]!.set(1 << k, { legs: t, flops: 0, size: 0, tree: op });
    });
    for (let size = 2; size <= m; size++) {
      const target = levels[size]!;
      for (let a = 1; a <= size >> 1; a++) {
        const la = levels[a]!;
        const lb = levels[size - a]!;
        for (const [s1, e1] of la) {
          const now = performance.now();
          tick(now);
          if (now > deadline) return undefined;
          for (const [s2, e2] of lb) {
            if ((s1 & s2) !== 0 || (a === size - a && s1 >= s2)) continue;
            // Joined by a label (unless outer products are searched).
            let shared = false;
            const u = new Set<number>(e1.legs);
            for (const l of e2.legs) {
              if (u.has(l)) shared = true;
              else u.add(l);
            }
            if (!shared && !outer) continue;
            let f = 1;
            for (const l of u) f *= net.sizes[l]!;
            const flops = e1.flops + e2.flops + f;
            const cost = minimizeSize ? 0 : flops;
            if (cost > cap) {
              if (cost < minOver) minOver = cost;
              continue;
            }
            const s = s1 | s2;
            const legs = legsOf(u, s);
            const sz = termSize(net, legs);
            if (sz > limit) continue;
            const size12 = Math.max(sz, e1.size, e2.size);
            if (minimizeSize && size12 > cap) {
              if (size12 < minOver) minOver = size12;
              continue;
            }
            const entry: Entry = { legs, flops, size: size12, tree: [e1.tree, e2.tree] };
            if (better(entry, target.get(s))) target.set(s, entry);
          }
        }
      }
    }
    const done = levels[m]!.get(full);
    if (done) return done.tree;
    // Nothing pruned means nothing fits at all (e.g. the memory limit): give up.
    if (minOver === Infinity) return undefined;
    cap = Math.max(cap * 2, minOver);
  }
  return undefined;
}
