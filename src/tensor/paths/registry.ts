/**
 * Optimizer registry: maps names to path finders.
 * @module
 */
import { UnknownOptimizerError } from "../../errors.js";
import type { EinsumProblem } from "../einsum/problem.js";
import { greedyPath } from "./greedy.js";
import type { Path } from "./path.js";

/** Options every optimizer accepts. */
export interface OptimizeOptions {
  /** Largest intermediate allowed, in elements (opt_einsum's `memory_limit`). */
  readonly memoryLimit?: number | bigint;
  /** Seed for randomized optimizers. */
  readonly seed?: number;
  /** Time budget in milliseconds for optimizers that search. */
  readonly timeLimitMs?: number;
}

/** A path finder: problem in, SSA path out. */
export type PathFinder = (problem: EinsumProblem, options: OptimizeOptions) => Path;

/** Left-to-right: contract operand 0 with 1, the result with 2, and so on. */
export function sequentialPath(problem: EinsumProblem): Path {
  const n = problem.inputs.length;
  if (n === 1) return [[0]];
  const path: number[][] = [[0, 1]];
  for (let i = 2; i < n; i++) path.push([n + i - 2, i]);
  return path;
}

const registry = new Map<string, PathFinder>([
  ["greedy", (p) => greedyPath(p)],
  ["sequential", (p) => sequentialPath(p)],
]);

/** Names of the registered optimizers. */
export function optimizerNames(): string[] {
  return [...registry.keys()];
}

/**
 * The path finder registered as `name`.
 * @throws {@link UnknownOptimizerError} listing the valid names.
 */
export function getOptimizer(name: string): PathFinder {
  const f = registry.get(name);
  if (!f) throw new UnknownOptimizerError(name, optimizerNames());
  return f;
}
