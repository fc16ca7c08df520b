/**
 * Simulated annealing on contraction trees (TreeSA, as in Kalachev et al. and
 * OMEinsumContractionOrders.jl): starting from a greedy tree, local rotations `((A,B),C) → ((A,C),B)`
 * or `((C,B),A)` are accepted with Metropolis probability on the change of log2(total flops), while
 * the inverse temperature rises; intermediates above the memory limit are penalised. Each move only
 * changes two nodes, so a move costs O(labels of those nodes). Seeded and time-bounded.
 * @module
 */
import { Rng } from "../random.js";
import { greedySsa } from "./greedy.js";
import type { PathNetwork } from "./compact.js";
import { boltzmannSample, randomGreedySsa, ssaFlops } from "./random-greedy.js";

/** Options of {@link annealSsa}. @category Einsum & paths */
export interface AnnealOptions {
  readonly seed?: number;
  /** Wall-clock budget in milliseconds (default 1000). */
  readonly timeLimitMs?: number;
  /** Largest intermediate allowed (elements). */
  readonly memoryLimit?: number;
  /** Start from this SSA path instead of a random-greedy one. */
  readonly start?: readonly (readonly number[])[];
  /** Independent annealing runs sharing the budget (default 4). */
  readonly trials?: number;
  /**
   * Moves per trial (default 300 per operand). The search is deterministic for a seed unless the time
   * limit cuts it short first.
   */
  readonly movesPerTrial?: number;
}

interface Tree {
  n: number; // leaves 0..n-1, internal n..2n-2
  left: Int32Array;
  right: Int32Array;
  parent: Int32Array;
  /** Per node: labels in the subtree with their leaf counts. */
  labels: Int32Array[];
  counts: Int32Array[];
  /** Per node: log2 size of its legs, and (internal) its step cost. */
  legLog: Float64Array;
  cost: Float64Array;
  root: number;
}

/** Annealed SSA path. @category Einsum & paths */
export function annealSsa(net: PathNetwork, options: AnnealOptions = {}): number[][] {
  const n = net.inputs.length;
  if (n <= 2) return n === 1 ? [[0]] : [[0, 1]];
  const deadline = performance.now() + (options.timeLimitMs ?? 1000);
  const limitLog = options.memoryLimit === undefined ? Infinity : Math.log2(options.memoryLimit);
  const total = new Int32Array(net.nLabels);
  for (const t of net.inputs) for (const l of t) total[l]!++;
  const trials = options.trials ?? 4;
  const seed = options.seed ?? 0;
  const start = options.start ? options.start.map((s) => [...s]) : undefined;
  let bestPath =
    start ??
    randomGreedySsa(net, {
      repeats: 8,
      seed,
      ...(options.memoryLimit !== undefined ? { memoryLimit: options.memoryLimit } : {}),
      timeLimitMs: (options.timeLimitMs ?? 1000) / 10,
    });
  let bestScore = score(build(net, total, bestPath), limitLog);
  const perTrial = Math.max(1, (deadline - performance.now()) / trials);
  for (let t = 0; t < trials; t++) {
    const rng = new Rng(seed * 7919 + t + 1);
    const initial =
      t === 0
        ? bestPath
        : randomGreedySsa(net, {
            repeats: 2,
            seed: seed + 101 * t,
            ...(options.memoryLimit !== undefined ? { memoryLimit: options.memoryLimit } : {}),
          });
    const tree = build(net, total, initial);
    const trialEnd = Math.min(deadline, performance.now() + perTrial);
    const third = (trialEnd - performance.now()) / 3;
    reconfigure(net, total, tree, 8, performance.now() + third, limitLog);
    anneal(net, total, tree, rng, trialEnd - third, limitLog, options.movesPerTrial ?? 300 * n);
    reconfigure(net, total, tree, 8, trialEnd, limitLog);
    const s = score(tree, limitLog);
    if (s < bestScore) {
      bestScore = s;
      bestPath = toSsa(tree);
    }
    if (performance.now() > deadline) break;
  }
  return bestPath.length > 0 ? bestPath : greedySsa(net);
}

/** log2(total flops) plus a heavy penalty per bit an intermediate exceeds the limit. */
function score(tree: Tree, limitLog: number): number {
  let flops = 0;
  let over = 0;
  for (let v = tree.n; v < 2 * tree.n - 1; v++) {
    flops += 2 ** tree.cost[v]!;
    if (tree.legLog[v]! > limitLog) over += tree.legLog[v]! - limitLog;
  }
  return Math.log2(flops) + 1000 * over;
}

function build(net: PathNetwork, total: Int32Array, path: readonly (readonly number[])[]): Tree {
  const n = net.inputs.length;
  const size = 2 * n - 1;
  const tree: Tree = {
    n,
    left: new Int32Array(size).fill(-1),
    right: new Int32Array(size).fill(-1),
    parent: new Int32Array(size).fill(-1),
    labels: new Array(size),
    counts: new Array(size),
    legLog: new Float64Array(size),
    cost: new Float64Array(size),
    root: 0,
  };
  for (let i = 0; i < n; i++) {
    tree.labels[i] = net.inputs[i]!;
    tree.counts[i] = new Int32Array(net.inputs[i]!.length).fill(1);
    tree.legLog[i] = legsLog(net, total, tree.labels[i]!, tree.counts[i]!);
  }
  // Map the path's ids (which may include k-ary or unary steps) onto binary internal nodes.
  const idToNode = new Map<number, number>();
  for (let i = 0; i < n; i++) idToNode.set(i, i);
  let next = n;
  let ssa = n;
  for (const step of path) {
    let acc = idToNode.get(step[0]!)!;
    for (let k = 1; k < step.length; k++) {
      const v = next++;
      join(net, total, tree, v, acc, idToNode.get(step[k]!)!);
      acc = v;
    }
    idToNode.set(ssa++, acc);
  }
  tree.root = idToNode.get(ssa - 1)!;
  return tree;
}

function join(net: PathNetwork, total: Int32Array, tree: Tree, v: number, a: number, b: number): void {
  setChildren(tree, v, a, b);
  refresh(net, total, tree, v);
}

/** Links `a` and `b` under `v` (left and right), in both directions; costs and labels are left as they are. */
function setChildren(tree: Tree, v: number, a: number, b: number): void {
  tree.left[v] = a;
  tree.right[v] = b;
  tree.parent[a] = v;
  tree.parent[b] = v;
}

/** Recomputes a node's label counts, legs and step cost from its children. */
function refresh(net: PathNetwork, total: Int32Array, tree: Tree, v: number): void {
  const a = tree.left[v]!;
  const b = tree.right[v]!;
  const [labels, counts] = mergeCounts(tree.labels[a]!, tree.counts[a]!, tree.labels[b]!, tree.counts[b]!);
  tree.labels[v] = labels;
  tree.counts[v] = counts;
  tree.legLog[v] = legsLog(net, total, labels, counts);
  // Step cost: every label in either child's legs.
  tree.cost[v] = unionLegsLog(net, total, tree.labels[a]!, tree.counts[a]!, tree.labels[b]!, tree.counts[b]!);
}

function legsLog(net: PathNetwork, total: Int32Array, labels: Int32Array, counts: Int32Array): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (net.inOutput[l] || counts[i]! < total[l]!) s += net.log2[l]!;
  }
  return s;
}

function unionLegsLog(net: PathNetwork, total: Int32Array, la: Int32Array, ca: Int32Array, lb: Int32Array, cb: Int32Array): number {
  let i = 0;
  let j = 0;
  let s = 0;
  const kept = (l: number, c: number): boolean => net.inOutput[l] === 1 || c < total[l]!;
  while (i < la.length || j < lb.length) {
    const x = i < la.length ? la[i]! : Infinity;
    const y = j < lb.length ? lb[j]! : Infinity;
    if (x === y) {
      if (kept(x, ca[i]!) || kept(x, cb[j]!)) s += net.log2[x]!;
      i++;
      j++;
    } else if (x < y) {
      if (kept(x, ca[i]!)) s += net.log2[x]!;
      i++;
    } else {
      if (kept(y, cb[j]!)) s += net.log2[y]!;
      j++;
    }
  }
  return s;
}

function mergeCounts(la: Int32Array, ca: Int32Array, lb: Int32Array, cb: Int32Array): [Int32Array, Int32Array] {
  const labels = new Int32Array(la.length + lb.length);
  const counts = new Int32Array(la.length + lb.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < la.length || j < lb.length) {
    const x = i < la.length ? la[i]! : Infinity;
    const y = j < lb.length ? lb[j]! : Infinity;
    if (x === y) {
      labels[k] = x;
      counts[k++] = ca[i++]! + cb[j++]!;
    } else if (x < y) {
      labels[k] = x;
      counts[k++] = ca[i++]!;
    } else {
      labels[k] = y;
      counts[k++] = cb[j++]!;
    }
  }
  return [labels.subarray(0, k), counts.subarray(0, k)];
}

function anneal(net: PathNetwork, total: Int32Array, tree: Tree, rng: Rng, end: number, limitLog: number, maxMoves: number): void {
  const n = tree.n;
  const internal = Array.from({ length: n - 1 }, (_, k) => n + k);
  let flops = 0;
  for (const v of internal) flops += 2 ** tree.cost[v]!;
  const penalty = (legLog: number): number => (legLog > limitLog ? 1000 * (legLog - limitLog) : 0);
  for (let moves = 0; moves < maxMoves; moves++) {
    if ((moves & 255) === 0 && performance.now() > end) break;
    // β rises from 1 to 40 (per bit of log2 flops) over the moves of the trial.
    const beta = 1 + (39 * moves) / maxMoves;
    const v = internal[rng.int(internal.length)]!;
    // Pick a child that is internal, and rotate its children against the sibling.
    const side = rng.uniform() < 0.5;
    const x = side ? tree.left[v]! : tree.right[v]!;
    const c = side ? tree.right[v]! : tree.left[v]!;
    if (x < n) continue;
    const swapLeft = rng.uniform() < 0.5;
    const a = tree.left[x]!;
    const b = tree.right[x]!;
    const keep = swapLeft ? a : b; // stays with c under x
    const moved = swapLeft ? b : a; // becomes v's other child
    const oldX = tree.cost[x]!;
    const oldV = tree.cost[v]!;
    const oldXleg = tree.legLog[x]!;
    const oldLabels = tree.labels[x]!;
    const oldCounts = tree.counts[x]!;
    // Apply: x = (keep, c), v = (x, moved).
    setChildren(tree, x, keep, c);
    setChildren(tree, v, x, moved);
    refresh(net, total, tree, x);
    tree.cost[v] = unionLegsLog(net, total, tree.labels[x]!, tree.counts[x]!, tree.labels[moved]!, tree.counts[moved]!);
    const newFlops = flops - 2 ** oldX - 2 ** oldV + 2 ** tree.cost[x]! + 2 ** tree.cost[v]!;
    const delta = Math.log2(newFlops) - Math.log2(flops) + penalty(tree.legLog[x]!) - penalty(oldXleg);
    if (delta <= 0 || rng.uniform() < Math.exp(-beta * delta)) {
      flops = newFlops;
    } else {
      // Undo.
      setChildren(tree, x, a, b);
      setChildren(tree, v, side ? x : c, side ? c : x);
      tree.labels[x] = oldLabels;
      tree.counts[x] = oldCounts;
      tree.legLog[x] = oldXleg;
      tree.cost[x] = oldX;
      tree.cost[v] = oldV;
    }
  }
}

/** The tree as an SSA path (children before parents). */
function toSsa(tree: Tree): number[][] {
  const path: number[][] = [];
  const id = new Map<number, number>();
  for (let i = 0; i < tree.n; i++) id.set(i, i);
  let next = tree.n;
  const visit = (v: number): number => {
    if (v < tree.n) return v;
    const a = visit(tree.left[v]!);
    const b = visit(tree.right[v]!);
    path.push([Math.min(a, b), Math.max(a, b)]);
    const s = next++;
    id.set(v, s);
    return s;
  };
  visit(tree.root);
  return path;
}

/**
 * Subtree reconfiguration: for each internal node, the cheapest contraction of its frontier of up to
 * `k` sub-results is found exactly (DP over subsets) and replaces the current subtree when cheaper.
 * Repeats passes until no node improves or the deadline passes. Returns true when anything changed.
 */
function reconfigure(net: PathNetwork, total: Int32Array, tree: Tree, k: number, end: number, limitLog = Infinity): boolean {
  const n = tree.n;
  let changed = false;
  for (let pass = 0; pass < 8; pass++) {
    let improved = false;
    // Post-order: children first.
    const order: number[] = [];
    const walk = (v: number): void => {
      if (v < n) return;
      walk(tree.left[v]!);
      walk(tree.right[v]!);
      order.push(v);
    };
    walk(tree.root);
    for (const v of order) {
      if (performance.now() > end) return changed;
      if (optimizeSubtree(net, total, tree, v, k, limitLog)) improved = changed = true;
    }
    if (!improved) break;
  }
  return changed;
}

function optimizeSubtree(net: PathNetwork, total: Int32Array, tree: Tree, v: number, k: number, limitLog: number): boolean {
  const n = tree.n;
  // Grow the frontier by opening the most expensive internal node.
  const frontier = [tree.left[v]!, tree.right[v]!];
  const inner = [v];
  while (frontier.length < k) {
    let best = -1;
    for (let i = 0; i < frontier.length; i++) {
      const f = frontier[i]!;
      if (f >= n && (best < 0 || tree.cost[f]! > tree.cost[frontier[best]!]!)) best = i;
    }
    if (best < 0) break;
    const f = frontier[best]!;
    frontier.splice(best, 1, tree.left[f]!, tree.right[f]!);
    inner.push(f);
  }
  if (frontier.length < 3) return false;
  let current = 0;
  for (const u of inner) current += 2 ** tree.cost[u]!;
  // Exact DP over subsets of the frontier; a label is kept by a subset when outside holders remain.
  const m = frontier.length;
  const sub = frontier.map((f) => ({ labels: tree.labels[f]!, counts: tree.counts[f]! }));
  const full = (1 << m) - 1;
  const labelsOf: Int32Array[] = new Array(1 << m);
  const countsOf: Int32Array[] = new Array(1 << m);
  const cost = new Float64Array(1 << m).fill(Infinity);
  const split = new Int32Array(1 << m);
  for (let i = 0; i < m; i++) {
    labelsOf[1 << i] = sub[i]!.labels;
    countsOf[1 << i] = sub[i]!.counts;
    cost[1 << i] = 0;
  }
  for (let s = 1; s <= full; s++) {
    if ((s & (s - 1)) === 0) continue;
    // Enumerate splits s = a ∪ b with a containing the lowest bit.
    const low = s & -s;
    let bestCost = Infinity;
    let bestA = 0;
    for (let a = (s - 1) & s; a > 0; a = (a - 1) & s) {
      if ((a & low) === 0) continue;
      const b = s ^ a;
      if (cost[a] === Infinity || cost[b] === Infinity) continue;
      if (labelsOf[a] === undefined) continue;
      const step = 2 ** unionLegsLog(net, total, labelsOf[a]!, countsOf[a]!, labelsOf[b]!, countsOf[b]!);
      const c = cost[a]! + cost[b]! + step;
      if (c < bestCost) {
        bestCost = c;
        bestA = a;
      }
    }
    if (bestA === 0) continue;
    const [l, c] = mergeCounts(labelsOf[bestA]!, countsOf[bestA]!, labelsOf[s ^ bestA]!, countsOf[s ^ bestA]!);
    // An intermediate above the memory limit is not allowed (the subtree's own result always exists).
    if (s !== full && legsLog(net, total, l, c) > limitLog) continue;
    cost[s] = bestCost;
    split[s] = bestA;
    labelsOf[s] = l;
    countsOf[s] = c;
  }
  if (!(cost[full]! < current * (1 - 1e-12))) return false;
  // Rebuild: reuse the inner node ids, v stays the root of the subtree.
  const spare = inner.filter((u) => u !== v);
  const buildSet = (s: number, node: number): void => {
    const a = split[s]!;
    const b = s ^ a;
    const kid = (t: number): number => {
      if ((t & (t - 1)) === 0) return frontier[31 - Math.clz32(t)]!;
      const u = spare.pop()!;
      buildSet(t, u);
      return u;
    };
    const la = kid(a);
    const lb = kid(b);
    join(net, total, tree, node, la, lb);
  };
  buildSet(full, v);
  return true;
}

/** Subtree reconfiguration of a path (k-frontier exact DP, repeated passes) within a deadline. @category Einsum & paths */
export function reconfigureSsa(
  net: PathNetwork,
  path: readonly (readonly number[])[],
  options: { readonly k?: number; readonly timeLimitMs?: number } = {},
): number[][] {
  const n = net.inputs.length;
  if (n <= 2) return path.map((s) => [...s]);
  const total = new Int32Array(net.nLabels);
  for (const t of net.inputs) for (const l of t) total[l]!++;
  const tree = build(net, total, path);
  reconfigure(net, total, tree, options.k ?? 8, performance.now() + (options.timeLimitMs ?? 1000));
  return toSsa(tree);
}

/**
 * Hyper-greedy: greedy runs with sampled heuristic parameters — the weight α of the removed operand
 * sizes in `size12 − α(size1 + size2)` and the Boltzmann temperature — keeping the cheapest tree,
 * which is then improved by subtree reconfiguration. Spends `timeLimitMs` (half searching, half
 * reconfiguring). Seeded.
 * @category Einsum & paths
 */
export function hyperSsa(
  net: PathNetwork,
  options: { readonly seed?: number; readonly timeLimitMs?: number; readonly memoryLimit?: number; readonly trials?: number } = {},
): number[][] {
  const n = net.inputs.length;
  if (n <= 2) return n === 1 ? [[0]] : [[0, 1]];
  const budget = options.timeLimitMs ?? 1000;
  const start = performance.now();
  const searchEnd = start + budget / 2;
  const end = start + budget;
  const rng = new Rng((options.seed ?? 0) * 104729 + 17);
  const lim = options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit };
  let best = greedySsa(net, lim);
  let bestFlops = ssaFlops(net, best).flops;
  const maxTrials = options.trials ?? 64;
  for (let trials = 0; trials < maxTrials && (trials < 4 || performance.now() < searchEnd); trials++) {
    const alpha = 2 ** (rng.uniform() * 2 - 1); // 0.5 … 2
    const temperature = rng.uniform() < 0.3 ? 0 : 2 ** (rng.uniform() * 8 - 7); // 1/128 … 2
    const path = greedySsa(net, {
      ...lim,
      nbranch: 8,
      cost: (s12, s1, s2) => s12 - alpha * (s1 + s2),
      sample: (costs) => boltzmannSample(costs, temperature, rng),
    });
    const f = ssaFlops(net, path).flops;
    if (f < bestFlops) {
      best = path;
      bestFlops = f;
    }
  }
  const total = new Int32Array(net.nLabels);
  for (const t of net.inputs) for (const l of t) total[l]!++;
  const tree = build(net, total, best);
  const limitLog = options.memoryLimit === undefined ? Infinity : Math.log2(options.memoryLimit);
  reconfigure(net, total, tree, 8, end, limitLog);
  return toSsa(tree);
}
