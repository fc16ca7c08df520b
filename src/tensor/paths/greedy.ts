/**
 * Greedy path: repeatedly contract the pair of operands that share a label and whose contraction
 * removes the most memory (`size(result) − size(a) − size(b)`, smallest first); then join what is left
 * by outer products, smallest first. Deterministic.
 * @module
 */
import type { EinsumProblem } from "../einsum/problem.js";
import type { Label } from "../einsum/labels.js";
import type { Path } from "./path.js";

/**
 * A greedy SSA path for `problem`.
 * @example
 * ```ts
 * import { parseEinsum, greedyPath } from "multilinear";
 * greedyPath(parseEinsum("ij,jk,kl->il", [[2, 30], [30, 4], [4, 50]])); // => [[0, 1], [2, 3]]
 * ```
 */
export function greedyPath(problem: EinsumProblem): Path {
  const n = problem.inputs.length;
  if (n === 1) return [[0]];
  const sizes = problem.sizes;
  const outputSet = new Set(problem.output);
  const live = new Map<number, ReadonlySet<Label>>();
  problem.inputs.forEach((t, i) => live.set(i, new Set(t)));
  const count = new Map<Label, number>();
  for (const t of live.values()) for (const l of t) count.set(l, (count.get(l) ?? 0) + 1);
  const elems = (t: Iterable<Label>): number => {
    let s = 1;
    for (const l of t) s *= sizes.get(l)!;
    return s;
  };
  const resultOf = (a: ReadonlySet<Label>, b: ReadonlySet<Label>): Set<Label> => {
    const r = new Set<Label>();
    for (const l of a) if (outputSet.has(l) || count.get(l)! > (b.has(l) ? 2 : 1)) r.add(l);
    for (const l of b) if (!a.has(l) && (outputSet.has(l) || count.get(l)! > 1)) r.add(l);
    return r;
  };
  const path: number[][] = [];
  let next = n;
  const merge = (i: number, j: number): void => {
    const a = live.get(i)!;
    const b = live.get(j)!;
    const r = resultOf(a, b);
    for (const l of a) count.set(l, count.get(l)! - 1);
    for (const l of b) count.set(l, count.get(l)! - 1);
    for (const l of r) count.set(l, count.get(l)! + 1);
    live.delete(i);
    live.delete(j);
    live.set(next++, r);
    path.push([i, j]);
  };
  for (;;) {
    let best: [number, number] | undefined;
    let bestScore = Infinity;
    let bestFlops = Infinity;
    const ids = [...live.keys()];
    for (let x = 0; x < ids.length; x++) {
      const a = live.get(ids[x]!)!;
      for (let y = x + 1; y < ids.length; y++) {
        const b = live.get(ids[y]!)!;
        let shares = false;
        for (const l of a) if (b.has(l)) { shares = true; break; }
        if (!shares) continue;
        const r = resultOf(a, b);
        const score = elems(r) - elems(a) - elems(b);
        const flops = elems(new Set([...a, ...b]));
        if (score < bestScore || (score === bestScore && flops < bestFlops)) {
          bestScore = score;
          bestFlops = flops;
          best = [ids[x]!, ids[y]!];
        }
      }
    }
    if (!best) break;
    merge(best[0], best[1]);
  }
  // Outer products of what is left, smallest first.
  while (live.size > 1) {
    const ids = [...live.keys()].sort((x, y) => elems(live.get(x)!) - elems(live.get(y)!) || x - y);
    merge(Math.min(ids[0]!, ids[1]!), Math.max(ids[0]!, ids[1]!));
  }
  return path;
}
