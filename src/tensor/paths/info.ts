/**
 * PathInfo: a contraction path with its per-step contraction strings and costs, the naive cost, the
 * speed-up and the largest intermediate — as a readable table and as JSON.
 * @module
 */
import { naiveCost, pathCost, type ContractionCost } from "./cost.js";
import { formatEinsum, type Label } from "../einsum/labels.js";
import type { EinsumProblem } from "../einsum/problem.js";
import { ssaToLinear, type Path } from "./path.js";

/** One step of a {@link PathInfo}. @category Einsum & paths */
export interface PathInfoStep {
  /** Positions in the current operand list (opt_einsum's linear form). */
  readonly positions: readonly number[];
  /** SSA ids contracted. */
  readonly ssa: readonly number[];
  /** The step as an einsum string with its real result labels, e.g. `"ab,bc->ac"` (the last step ends in the output). */
  readonly equation: string;
  /** Number of distinct labels of the step (numpy's "scaling"). */
  readonly scaling: number;
  /** Multiply-adds of the step (the product of its label sizes). */
  readonly multiplyAdds: bigint;
  /** Floating-point operations of the step, opt_einsum's `flop_count` convention. */
  readonly flops: bigint;
  /** Elements of the step's result. */
  readonly size: bigint;
  /** Terms of the operands left after the step (the result last). */
  readonly remaining: readonly string[];
}

/** A contraction path with everything needed to judge it; FLOPs as opt_einsum and numpy count them. @category Einsum & paths */
export interface PathInfo {
  readonly equation: string;
  /** Number of operands. */
  readonly nInputs: number;
  /** The output term. */
  readonly output: string;
  /** The path in opt_einsum's linear form. */
  readonly path: number[][];
  /** The path in SSA form. */
  readonly ssaPath: Path;
  readonly steps: readonly PathInfoStep[];
  /** Exact cost of the path (`cost.flops` in opt_einsum's convention, `cost.multiplyAdds` the raw count). */
  readonly cost: ContractionCost;
  /** FLOPs of the naive single loop over every label, as numpy's `einsum_path` counts them. */
  readonly naiveFlops: bigint;
  /** Multiply-adds of the naive loop (the product of all label sizes). */
  readonly naiveMultiplyAdds: bigint;
  /** Distinct labels of the whole equation ("Naive scaling"). */
  readonly naiveScaling: number;
  /** Most distinct labels of any step ("Optimized scaling"). */
  readonly scaling: number;
  /** naiveFlops / flops (display). */
  readonly speedup: number;
  /** Largest intermediate (elements). */
  readonly largestIntermediate: bigint;
  /** Name of the optimizer, when known. */
  readonly optimizer?: string;
}

/**
 * Builds the {@link PathInfo} of an SSA path.
 * @example
 * ```ts
 * import { parseEinsum, pathInfo } from "multilinear";
 * const info = pathInfo(parseEinsum("ij,jk,kl->il", [[2, 3], [3, 4], [4, 5]]), [[0, 1], [2, 3]]);
 * [info.naiveFlops, info.cost.flops, info.steps[1]!.equation]; // => [360n, 128n, "kl,ik->il"]
 * ```
 * @category Einsum & paths
 */
export function pathInfo(problem: EinsumProblem, path: Path, optimizer?: string): PathInfo {
  const cost = pathCost(problem, path);
  const linear = ssaToLinear(path, problem.inputs.length);
  const naive = naiveCost(problem);
  const terms = new Map<number, readonly Label[]>(problem.inputs.map((t, i) => [i, t]));
  const order: number[] = [...problem.inputs.keys()];
  let next = problem.inputs.length;
  const steps = cost.steps.map((s, k) => {
    // The last step produces the output, in the output's label order.
    const res = k === cost.steps.length - 1 ? problem.output : s.resultLabels;
    for (const id of s.operands) order.splice(order.indexOf(id), 1);
    terms.set(next, res);
    order.push(next++);
    return {
      positions: linear[k]!,
      ssa: s.operands,
      equation: formatEinsum(s.inputLabels, res),
      scaling: s.scaling,
      multiplyAdds: s.multiplyAdds,
      flops: s.flops,
      size: s.size,
      remaining: order.map((id) => terms.get(id)!.join("")),
    };
  });
  return {
    equation: problem.equation,
    nInputs: problem.inputs.length,
    output: problem.output.join(""),
    path: linear,
    ssaPath: path,
    steps,
    cost,
    naiveFlops: naive.flops,
    naiveMultiplyAdds: naive.multiplyAdds,
    naiveScaling: naive.scaling,
    scaling: Math.max(0, ...steps.map((s) => s.scaling)),
    speedup: Number(naive.flops) / Math.max(Number(cost.flops), 1),
    largestIntermediate: cost.size,
    ...(optimizer ? { optimizer } : {}),
  };
}

/** An exact count, followed by numpy's `%.3e` form when it is long. */
function count(x: bigint): string {
  return x < 1_000_000n ? String(x) : `${x} (${scientific(x)})`;
}

/** numpy's `%.3e` of a non-negative bigint, e.g. `1.235e+09`. */
function scientific(x: bigint): string {
  const [mantissa, exp] = Number(x).toExponential(3).split("e") as [string, string];
  const e = Number(exp);
  return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/**
 * The table of opt_einsum's and numpy's `PathInfo` printout: aligned summary fields (FLOPs counted as
 * opt_einsum counts them, exact), then one row per step with its scaling, its einsum and the
 * operands that remain.
 * @category Einsum & paths
 */
export function formatPathInfo(info: PathInfo): string {
  const field = (name: string, value: string): string => `${name.padStart(22)}:  ${value}`;
  const lines = [
    field("Complete contraction", info.equation),
    ...(info.optimizer ? [field("Optimizer", info.optimizer)] : []),
    field("Naive scaling", String(info.naiveScaling)),
    field("Optimized scaling", String(info.scaling)),
    field("Naive FLOP count", count(info.naiveFlops)),
    field("Optimized FLOP count", count(info.cost.flops)),
    field("Theoretical speedup", info.speedup.toFixed(3)),
    field("Largest intermediate", `${count(info.largestIntermediate)} elements`),
    field("Multiply-adds", `${count(info.cost.multiplyAdds)} (FLOPs count each multiply-add that sums as 2)`),
    "-".repeat(74),
    `${"scaling".padStart(6)} ${"current".padStart(24)} ${"remaining".padStart(40)}`,
    "-".repeat(74),
    ...info.steps.map(
      (s) => `${String(s.scaling).padStart(4)}    ${s.equation.padStart(24)} ${`${s.remaining.join(",")}->${info.output}`.padStart(40)}`,
    ),
  ];
  return lines.join("\n");
}

/** JSON-safe form (bigints as decimal strings); `flops` in opt_einsum's convention, `multiply_adds` the raw count. @category Einsum & paths */
export function pathInfoJson(info: PathInfo): Record<string, unknown> {
  return {
    equation: info.equation,
    optimizer: info.optimizer,
    path: info.path,
    flops: info.cost.flops.toString(),
    multiply_adds: info.cost.multiplyAdds.toString(),
    log10_flops: info.cost.log10Flops,
    size: info.cost.size.toString(),
    log10_size: info.cost.log10Size,
    naive_flops: info.naiveFlops.toString(),
    naive_multiply_adds: info.naiveMultiplyAdds.toString(),
    naive_scaling: info.naiveScaling,
    scaling: info.scaling,
    speedup: info.speedup,
    steps: info.steps.map((s) => ({
      positions: s.positions,
      equation: s.equation,
      scaling: s.scaling,
      flops: s.flops.toString(),
      multiply_adds: s.multiplyAdds.toString(),
      size: s.size.toString(),
      remaining: s.remaining,
    })),
  };
}
