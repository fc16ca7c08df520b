/**
 * PathInfo: a contraction path with its per-step contraction strings and costs, the naive cost, the
 * speed-up and the largest intermediate — as a readable table and as JSON.
 * @module
 */
import { log10Big, naiveCost, pathCost, type ContractionCost } from "./cost.js";
import { formatEinsum, type Label } from "../einsum/labels.js";
import type { EinsumProblem } from "../einsum/problem.js";
import { ssaToLinear, type Path } from "./path.js";

/** One step of a {@link PathInfo}. */
export interface PathInfoStep {
  /** Positions in the current operand list (opt_einsum's linear form). */
  readonly positions: readonly number[];
  /** SSA ids contracted. */
  readonly ssa: readonly number[];
  /** The step as an einsum string, e.g. `"ab,bc->ac"`. */
  readonly equation: string;
  /** Multiply-adds of the step. */
  readonly flops: bigint;
  /** Elements of the step's result. */
  readonly size: bigint;
  /** Terms of the operands left after the step (the result last). */
  readonly remaining: readonly string[];
}

/** A contraction path with everything needed to judge it. */
export interface PathInfo {
  readonly equation: string;
  /** Number of operands. */
  readonly nInputs: number;
  /** The path in opt_einsum's linear form. */
  readonly path: number[][];
  /** The path in SSA form. */
  readonly ssaPath: Path;
  readonly steps: readonly PathInfoStep[];
  /** Exact cost of the path. */
  readonly cost: ContractionCost;
  /** Multiply-adds of the naive single loop over every label. */
  readonly naiveFlops: bigint;
  /** naiveFlops / flops (display). */
  readonly speedup: number;
  /** Largest intermediate (elements). */
  readonly largestIntermediate: bigint;
  /** Name of the optimizer, when known. */
  readonly optimizer?: string;
}

/** Builds the {@link PathInfo} of an SSA path. */
export function pathInfo(problem: EinsumProblem, path: Path, optimizer?: string): PathInfo {
  const cost = pathCost(problem, path);
  const linear = ssaToLinear(path, problem.inputs.length);
  const naive = naiveCost(problem);
  const terms = new Map<number, readonly Label[]>(problem.inputs.map((t, i) => [i, t]));
  const order: number[] = [...problem.inputs.keys()];
  let next = problem.inputs.length;
  const steps = cost.steps.map((s, k) => {
    const res = s.resultLabels;
    for (const id of s.operands) order.splice(order.indexOf(id), 1);
    terms.set(next, res);
    order.push(next++);
    return {
      positions: linear[k]!,
      ssa: s.operands,
      equation: formatEinsum(s.inputLabels, res),
      flops: s.flops,
      size: s.size,
      remaining: order.map((id) => terms.get(id)!.join("")),
    };
  });
  return {
    equation: problem.equation,
    nInputs: problem.inputs.length,
    path: linear,
    ssaPath: path,
    steps,
    cost,
    naiveFlops: naive,
    speedup: Number(naive) / Math.max(Number(cost.flops), 1),
    largestIntermediate: cost.size,
    ...(optimizer ? { optimizer } : {}),
  };
}

/** A readable table, in the spirit of opt_einsum's PathInfo printout. */
export function formatPathInfo(info: PathInfo): string {
  const lines = [
    `  Complete contraction:  ${info.equation}`,
    ...(info.optimizer ? [`             Optimizer:  ${info.optimizer}`] : []),
    `         Naive scaling:  ${new Set(info.equation.replace(/[,\->]/g, "")).size}`,
    `     Naive FLOP count:  ${info.naiveFlops} (log10 ${log10Big(info.naiveFlops).toFixed(3)})`,
    ` Optimized FLOP count:  ${info.cost.flops} (log10 ${info.cost.log10Flops.toFixed(3)})`,
    `  opt_einsum's count:   ${info.cost.opEinsumFlops} (inner products counted twice)`,
    `   Theoretical speedup:  ${info.speedup.toPrecision(4)}`,
    `  Largest intermediate:  ${info.largestIntermediate} elements`,
    "-".repeat(78),
    `${"step".padEnd(6)}${"positions".padEnd(12)}${"contraction".padEnd(28)}${"flops".padStart(14)}  remaining`,
    "-".repeat(78),
    ...info.steps.map((s, k) => {
      const rest = s.remaining.join(",");
      return `${String(k).padEnd(6)}${JSON.stringify(s.positions).padEnd(12)}${s.equation.padEnd(28)}${String(s.flops).padStart(14)}  ${rest.length > 40 ? rest.slice(0, 37) + "..." : rest}`;
    }),
  ];
  return lines.join("\n");
}

/** JSON-safe form (bigints as decimal strings). */
export function pathInfoJson(info: PathInfo): Record<string, unknown> {
  return {
    equation: info.equation,
    optimizer: info.optimizer,
    path: info.path,
    flops: info.cost.flops.toString(),
    op_einsum_flops: info.cost.opEinsumFlops.toString(),
    log10_flops: info.cost.log10Flops,
    size: info.cost.size.toString(),
    log10_size: info.cost.log10Size,
    naive_flops: info.naiveFlops.toString(),
    speedup: info.speedup,
    steps: info.steps.map((s) => ({ positions: s.positions, equation: s.equation, flops: s.flops.toString(), size: s.size.toString(), remaining: s.remaining })),
  };
}
