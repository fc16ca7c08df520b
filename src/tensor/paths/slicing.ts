/**
 * Slicing (as cotengra's slice finder): to keep every intermediate under a size limit, summed labels
 * are fixed to each of their values in turn; the contraction of each slice is independent and the
 * results are summed. The finder adds, one at a time, the label that most cheaply brings the largest
 * intermediate down.
 * @module
 */
import { InvalidArgumentError, MemoryLimitError } from "../../errors.js";
import { pathCost } from "./cost.js";
import type { Label } from "../einsum/labels.js";
import type { EinsumProblem } from "../einsum/problem.js";
import { makeProblem } from "../einsum/problem.js";
import type { Path } from "./path.js";

/** The labels to slice and what slicing costs. @category Einsum & paths */
export interface Slicing {
  /** Summed labels fixed per slice. */
  readonly labels: readonly Label[];
  /** Number of slices (product of the sliced labels' sizes). */
  readonly slices: bigint;
  /** Total multiply-adds over all slices. */
  readonly multiplyAdds: bigint;
  /** Multiply-adds of the unsliced path. */
  readonly unslicedMultiplyAdds: bigint;
  /** multiplyAdds / unslicedMultiplyAdds (≥ 1: the price of the memory saved). */
  readonly overhead: number;
  /** Largest intermediate of one slice. */
  readonly size: bigint;
  /** The problem of one slice (sliced labels removed). */
  readonly problem: EinsumProblem;
}

/** The problem with `labels` fixed (removed from every term). @category Einsum & paths */
export function slicedProblem(problem: EinsumProblem, labels: readonly Label[]): EinsumProblem {
  const cut = new Set(labels);
  const inputs = problem.inputs.map((t) => t.filter((l) => !cut.has(l)));
  const sizes = new Map([...problem.sizes].filter(([l]) => !cut.has(l)));
  return makeProblem({ inputs, output: problem.output, sizes });
}

/**
 * Chooses labels to slice so that every intermediate of `path` has at most `maxSize` elements.
 * Only summed (non-output) labels are sliced.
 * @throws {@link MemoryLimitError} when no choice of summed labels gets under the limit (e.g. the output itself is larger).
 * @example
 * ```ts
 * import { parseEinsum, findSlices, getOptimizer } from "multilinear";
 * const p = parseEinsum("ab,bc,cd->ad", [[8, 64], [64, 64], [64, 8]]);
 * const s = findSlices(p, getOptimizer("greedy")(p, {}), 64);
 * [s.labels.length > 0, s.size <= 64n]; // => [true, true]
 * ```
 * @category Einsum & paths
 */
export function findSlices(problem: EinsumProblem, path: Path, maxSize: number | bigint): Slicing {
  const limit = BigInt(maxSize);
  if (limit < 1n)
    throw new InvalidArgumentError(
      `the slicing size limit must be ≥ 1, got ${limit}`,
      "pass the largest intermediate you can afford, in elements",
    );
  const base = pathCost(problem, path);
  const outSize = problem.output.reduce((p, l) => p * BigInt(problem.sizes.get(l)!), 1n);
  if (outSize > limit) throw new MemoryLimitError(outSize, limit, "the output (slicing only splits summed labels)");
  const chosen: Label[] = [];
  let current = { problem, cost: base, slices: 1n };
  const summed = [...problem.sizes.keys()].filter((l) => !problem.output.includes(l));
  while (current.cost.size > limit) {
    let best: typeof current | undefined;
    let bestLabel: Label | undefined;
    let bestScore = Infinity;
    for (const l of summed) {
      if (chosen.includes(l)) continue;
      const p = slicedProblem(problem, [...chosen, l]);
      const c = pathCost(p, path);
      const slices = current.slices * BigInt(problem.sizes.get(l)!);
      if (c.size >= current.cost.size && c.size > limit) continue;
      // Prefer reaching the limit; among those, the least total work.
      const total = Number(c.multiplyAdds * slices);
      const score = (c.size > limit ? 1e300 : 0) + total + (c.size > limit ? Number(c.size) : 0);
      if (score < bestScore) {
        bestScore = score;
        best = { problem: p, cost: c, slices };
        bestLabel = l;
      }
    }
    if (!best || bestLabel === undefined)
      throw new MemoryLimitError(current.cost.size, limit, "the smallest intermediate reachable by slicing");
    chosen.push(bestLabel);
    current = best;
  }
  const multiplyAdds = current.cost.multiplyAdds * current.slices;
  return {
    labels: chosen,
    slices: current.slices,
    multiplyAdds,
    unslicedMultiplyAdds: base.multiplyAdds,
    overhead: Number(multiplyAdds) / Math.max(1, Number(base.multiplyAdds)),
    size: current.cost.size,
    problem: current.problem,
  };
}
