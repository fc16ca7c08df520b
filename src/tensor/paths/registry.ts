/**
 * Optimizer registry: names → path finders. Every finder takes the parsed problem and returns an SSA
 * path; each honours a memory limit (largest intermediate), a time budget and a seed. Users add
 * their own with {@link registerOptimizer} (opt_einsum's `register_path_fn`).
 * @module
 */
import { InvalidArgumentError, InvalidPathError, MemoryLimitError, SearchSpaceError, UnknownOptimizerError } from "../../errors.js";
import { pathCost } from "./cost.js";
import type { EinsumProblem } from "../einsum/problem.js";
import { dpPath } from "./dp.js";
import { greedySsa } from "./greedy.js";
import { toNetwork, type PathNetwork } from "./compact.js";
import { validateSsa, type Path } from "./path.js";
import { randomGreedySsa, ssaFlops } from "./random-greedy.js";
import { searchPath, searchSmall } from "./search.js";
import { annealSsa, hyperSsa } from "./anneal.js";

/** Options every optimizer accepts. @category Einsum & paths */
export interface OptimizeOptions {
  /** Largest intermediate allowed, in elements (opt_einsum's `memory_limit`). */
  readonly memoryLimit?: number | bigint;
  /** Seed for randomized optimizers (default 0). */
  readonly seed?: number;
  /** Time budget in milliseconds for optimizers that search. */
  readonly timeLimitMs?: number;
  /**
   * Called now and then while an exhaustive search (optimal, branch-*, dp) runs, with the
   * milliseconds spent so far: a heartbeat for progress displays. It runs inside the search; keep it cheap.
   */
  readonly onProgress?: (elapsedMs: number) => void;
}

/** What {@link findPath} found, and whether the search finished. @category Einsum & paths */
export interface PathSearch {
  readonly path: Path;
  /** Name of the optimizer. */
  readonly optimizer: string;
  /**
   * False when a time limit cut an exhaustive search (optimal, branch-*, dp, or one run inside auto /
   * auto-hq) short: the path is the best found in time, not necessarily the best there is.
   */
  readonly complete: boolean;
}

/** Worst-case contraction orders `optimal` and `branch-all` would visit before they refuse to start. @category Einsum & paths */
export const EXHAUSTIVE_SEARCH_LIMIT = 1e10;

/**
 * Contraction orders an exhaustive pairwise search over `nInputs` operands can visit in the worst
 * case: the number of pairwise orders, the product of k(k−1)/2 for k = n … 2 (pruning usually visits
 * far fewer).
 * @example
 * ```ts
 * import { exhaustiveSearchSize } from "multilinear";
 * exhaustiveSearchSize(4); // => 18
 * ```
 * @category Einsum & paths
 */
export function exhaustiveSearchSize(nInputs: number): number {
  let orders = 1;
  for (let k = nInputs; k >= 2; k--) orders *= (k * (k - 1)) / 2;
  return orders;
}

/** Internal: the finders note here when their time budget ran out. */
interface SearchReport {
  cutShort: boolean;
}
type FinderOptions = OptimizeOptions & { readonly report?: SearchReport };

/** A path finder: problem in, SSA path out. @category Einsum & paths */
export type PathFinder = (problem: EinsumProblem, options: OptimizeOptions) => Path;

/** Left-to-right: contract operand 0 with 1, the result with 2, and so on. @category Einsum & paths */
export function sequentialPath(problem: EinsumProblem): Path {
  const n = problem.inputs.length;
  if (n === 1) return [[0]];
  const path: number[][] = [[0, 1]];
  for (let i = 2; i < n; i++) path.push([n + i - 2, i]);
  return path;
}

type NetFinder = (net: PathNetwork, limit: number | undefined, options: FinderOptions) => number[][] | undefined;

const lim = (limit: number | undefined): { memoryLimit?: number } => (limit === undefined ? {} : { memoryLimit: limit });

const greedyF: NetFinder = (net, limit) => greedySsa(net, lim(limit));

const searchF =
  (nbranch: number | undefined): NetFinder =>
  (net, limit, o) => {
    // Tiny networks: exhaustive over bit masks, no incumbent needed.
    const small = nbranch === undefined ? searchSmall(net, limit) : undefined;
    if (small) return small.path;
    const incumbent = greedySsa(net, lim(limit));
    const c = ssaFlops(net, incumbent);
    const r = searchPath(net, {
      ...lim(limit),
      ...(nbranch !== undefined ? { nbranch } : {}),
      ...(o.timeLimitMs !== undefined ? { timeLimitMs: o.timeLimitMs } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(limit === undefined || c.size <= limit ? { incumbent: { flops: c.flops, path: incumbent } } : {}),
    });
    if (!r.complete && o.report) o.report.cutShort = true;
    return r.path.length > 0 ? r.path : incumbent;
  };

/** dp with and without opt_einsum's single-operand reductions first; the cheaper path wins. */
const dpF =
  (minimize: "flops" | "size", searchOuter: boolean): NetFinder =>
  (net, limit, o) => {
    const run = (reduceLeaves: boolean): number[][] | undefined => {
      const t0 = performance.now();
      const budget = o.timeLimitMs === undefined ? undefined : o.timeLimitMs / 2;
      const p = dpPath(net, {
        minimize,
        searchOuter,
        reduceLeaves,
        ...lim(limit),
        ...(budget !== undefined ? { timeLimitMs: budget } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
      if (p === undefined && budget !== undefined && performance.now() - t0 >= budget && o.report) o.report.cutShort = true;
      return p;
    };
    const paths = [run(false), run(true)];
    if (minimize === "flops") return cheapest(net, paths);
    const score = (p: number[][] | undefined): number => (p ? ssaFlops(net, p).size : Infinity);
    return score(paths[1]) < score(paths[0]) ? paths[1] : (paths[0] ?? paths[1]);
  };

const randomGreedyF =
  (repeats: number): NetFinder =>
  (net, limit, o) =>
    randomGreedySsa(net, {
      repeats,
      seed: o.seed ?? 0,
      ...lim(limit),
      ...(o.timeLimitMs !== undefined ? { timeLimitMs: o.timeLimitMs } : {}),
    });

/** Small networks are solved exactly instead of searched for (dp over at most 10 operands is instant). */
const exactIfSmall =
  (search: NetFinder): NetFinder =>
  (net, limit, o) =>
    net.inputs.length <= 10 ? (dpF("flops", true)(net, limit, o) ?? search(net, limit, o)) : search(net, limit, o);

const annealF: NetFinder = exactIfSmall((net, limit, o) =>
  annealSsa(net, { seed: o.seed ?? 0, timeLimitMs: o.timeLimitMs ?? 1000, ...lim(limit) }),
);

const hyperF: NetFinder = exactIfSmall((net, limit, o) =>
  hyperSsa(net, { seed: o.seed ?? 0, timeLimitMs: o.timeLimitMs ?? 1000, ...lim(limit) }),
);

/** Some operand has a label no other operand and not the output has (a leaf could be reduced first). */
function hasPrivateLabels(net: PathNetwork): boolean {
  const seen = new Uint8Array(net.nLabels);
  for (const t of net.inputs) for (const l of t) seen[l] = Math.min(2, seen[l]! + 1);
  for (let l = 0; l < net.nLabels; l++) if (seen[l] === 1 && !net.inOutput[l]) return true;
  return false;
}

/**
 * opt_einsum's `auto`, made to never lose to it: ≤ 4 operands exhaustive; up to 14 the better of dp
 * and branch search (with a short budget); beyond, the best of greedy and a few random-greedy trials.
 */
const autoF: NetFinder = (net, limit, o) => {
  const n = net.inputs.length;
  if (n <= 2) return n === 1 ? [[0]] : [[0, 1]];
  if (n <= 4) {
    // Exhaustive search is opt_einsum's choice; dp only adds paths that sum a leaf's private labels first.
    const exhaustive = searchF(undefined)(net, limit, o);
    return hasPrivateLabels(net) ? cheapest(net, [exhaustive, dpF("flops", true)(net, limit, o)]) : exhaustive;
  }
  const candidates: (number[][] | undefined)[] = [greedySsa(net, lim(limit))];
  if (n <= 14) {
    candidates.push(dpF("flops", false)(net, limit, { ...o, timeLimitMs: o.timeLimitMs ?? 200 }));
    candidates.push(searchF(n <= 8 ? 2 : 1)(net, limit, { ...o, timeLimitMs: o.timeLimitMs ?? 100 }));
  } else {
    candidates.push(randomGreedySsa(net, { repeats: 8, seed: o.seed ?? 0, ...lim(limit), timeLimitMs: o.timeLimitMs ?? 50 }));
  }
  return cheapest(net, candidates);
};

/** `auto-hq`: spends its time budget (default 1 s): dp for small networks, annealing for large ones. */
const autoHqF: NetFinder = exactIfSmall((net, limit, o) => {
  const n = net.inputs.length;
  const budget = o.timeLimitMs ?? 1000;
  const candidates: (number[][] | undefined)[] = [autoF(net, limit, { ...o, timeLimitMs: Math.min(200, budget / 4) })];
  if (n <= 20) candidates.push(dpF("flops", false)(net, limit, { ...o, timeLimitMs: budget / 2 }));
  if (n > 4)
    candidates.push(
      annealSsa(net, { seed: o.seed ?? 0, timeLimitMs: budget / 2, ...lim(limit), ...(candidates[0] ? { start: candidates[0] } : {}) }),
    );
  return cheapest(net, candidates);
});

function cheapest(net: PathNetwork, paths: readonly (number[][] | undefined)[]): number[][] | undefined {
  let best: number[][] | undefined;
  let bestFlops = Infinity;
  for (const p of paths) {
    if (!p) continue;
    const f = ssaFlops(net, p).flops;
    if (f < bestFlops) {
      best = p;
      bestFlops = f;
    }
  }
  return best;
}

const finders = new Map<string, NetFinder>([
  ["auto", autoF],
  ["auto-hq", autoHqF],
  ["greedy", greedyF],
  ["optimal", searchF(undefined)],
  ["branch-all", searchF(Infinity)],
  ["branch-2", searchF(2)],
  ["branch-1", searchF(1)],
  ["dp", dpF("flops", false)],
  ["dp-size", dpF("size", false)],
  ["dp-outer", dpF("flops", true)],
  ["random-greedy", randomGreedyF(32)],
  ["random-greedy-128", randomGreedyF(128)],
  ["anneal", annealF],
  ["hyper", hyperF],
]);

/** A finder added by {@link registerOptimizer}, and how many registrations came before it. */
interface CustomFinder {
  readonly finder: PathFinder;
  readonly generation: number;
}

/**
 * The optimizers added with {@link registerOptimizer}: process-wide by design, like opt_einsum's
 * registry, so a name registered once works in every call (`optimize: "name"`), CLI included.
 */
const custom = new Map<string, CustomFinder>();
let registrations = 0;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Options of {@link registerOptimizer}. @category Einsum & paths */
export interface RegisterOptimizerOptions {
  /** Replace an optimizer registered earlier under the same name (default false: that is an error). Built-ins are never replaced. */
  readonly replace?: boolean;
}

/**
 * Registers a path finder under `name`, so every entry point accepts `optimize: name`. The finder
 * gets the parsed problem and the optimizer options and returns an SSA path (input ids `0…n−1`,
 * then one new id per step); the path is validated on every use, and checked against
 * `memoryLimit` like the built-ins' paths.
 * @param name - letters, digits, `.`, `_` and `-`, starting with a letter or digit; not a built-in name.
 * @throws {@link InvalidArgumentError} for a malformed name, a built-in name, a name already
 *   registered (unless `replace`), or a finder that is not a function.
 * @example
 * ```ts
 * import { registerOptimizer, unregisterOptimizer, einsum, contractPath, tensor } from "multilinear";
 * // Contract the last two operands first, then the rest left to right.
 * registerOptimizer("last-pair-first", (problem) => {
 *   const n = problem.inputs.length;
 *   const path = [[n - 2, n - 1]];
 *   for (let i = 0; i < n - 2; i++) path.push([i, path.length - 1 + n]);
 *   return path;
 * });
 * const a = tensor([[1, 2], [3, 4]]);
 * contractPath("ij,jk,kl->il", a, a, a, { optimize: "last-pair-first" }).path; // => [[1, 2], [0, 1]]
 * einsum("ij,jk,kl->il", [a, a, a], { optimize: "last-pair-first" }).toArray(); // => [[37, 54], [81, 118]]
 * unregisterOptimizer("last-pair-first"); // => true
 * ```
 * @category Einsum & paths
 */
export function registerOptimizer(name: string, finder: PathFinder, options: RegisterOptimizerOptions = {}): void {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new InvalidArgumentError(
      `optimizer name ${JSON.stringify(name)} is not allowed`,
      "use letters, digits, '.', '_' and '-', starting with a letter or digit, e.g. 'my-greedy'",
    );
  }
  if (isBuiltIn(name)) {
    throw new InvalidArgumentError(
      `'${name}' is a built-in optimizer and cannot be replaced`,
      `register the finder under another name, e.g. 'my-${name}'`,
    );
  }
  if (custom.has(name) && !options.replace) {
    throw new InvalidArgumentError(
      `an optimizer named '${name}' is already registered`,
      "pass { replace: true } to replace it, or choose another name",
    );
  }
  if (typeof finder !== "function") {
    throw new InvalidArgumentError(
      `the path finder for '${name}' is not a function`,
      "pass (problem, options) => path, returning an SSA path",
    );
  }
  custom.set(name, { finder, generation: ++registrations });
}

/**
 * Removes an optimizer added with {@link registerOptimizer}; returns whether one was registered
 * under `name` (built-ins are never removed).
 * @category Einsum & paths
 */
export function unregisterOptimizer(name: string): boolean {
  return custom.delete(name);
}

function isBuiltIn(name: string): boolean {
  return name === "sequential" || finders.has(name);
}

/**
 * A string naming what `name` resolves to now: the name itself for a built-in, the name and its
 * registration for a registered one (so a plan cached for a replaced finder is never reused).
 * @internal
 */
export function optimizerKey(name: string): string {
  const c = custom.get(name);
  return c ? `${name}#${c.generation}` : name;
}

/** Names of the registered optimizers: the built-ins, then those added with {@link registerOptimizer}. @category Einsum & paths */
export function optimizerNames(): string[] {
  return ["sequential", ...finders.keys(), ...custom.keys()];
}

/**
 * The path finder registered as `name`. Its path is checked against the memory limit (a typed error
 * when no path fits); a built-in finder that gives up (time budget, component too large) falls back
 * to greedy; a registered finder's path is validated.
 * @throws {@link UnknownOptimizerError} listing the valid names.
 * @category Einsum & paths
 */
export function getOptimizer(name: string): PathFinder {
  if (name !== "sequential" && !finders.has(name) && !custom.has(name)) throw new UnknownOptimizerError(name, optimizerNames());
  return (problem, options) => findPath(problem, name, options).path;
}

/**
 * Finds a path with the optimizer registered as `name` and says whether its search finished.
 * `optimal` and `branch-all` without a time limit refuse networks whose search space is hopeless
 * (more than {@link EXHAUSTIVE_SEARCH_LIMIT} contraction orders, {@link exhaustiveSearchSize}).
 * @throws {@link UnknownOptimizerError} listing the valid names; {@link SearchSpaceError} for a hopeless exhaustive search.
 * @example
 * ```ts
 * import { findPath, parseEinsum } from "multilinear";
 * const r = findPath(parseEinsum("ab,bc,cd->ad", [[2, 3], [3, 4], [4, 5]]), "optimal");
 * [r.path, r.complete]; // => [[[0, 1], [2, 3]], true]
 * ```
 * @category Einsum & paths
 */
export function findPath(problem: EinsumProblem, name: string, options: OptimizeOptions = {}): PathSearch {
  if (name === "sequential") return { path: sequentialPath(problem), optimizer: name, complete: true };
  const f = finders.get(name);
  const user = f ? undefined : custom.get(name)?.finder;
  if (!f && !user) throw new UnknownOptimizerError(name, optimizerNames());
  if ((name === "optimal" || name === "branch-all") && options.timeLimitMs === undefined) {
    const estimate = exhaustiveSearchSize(problem.inputs.length);
    if (estimate > EXHAUSTIVE_SEARCH_LIMIT) throw new SearchSpaceError(name, problem.inputs.length, estimate, EXHAUSTIVE_SEARCH_LIMIT);
  }
  const report: SearchReport = { cutShort: false };
  const limit = options.memoryLimit === undefined ? undefined : Number(options.memoryLimit);
  const net = toNetwork(problem);
  if (limit !== undefined) {
    let largestInput = 0;
    for (const t of net.inputs)
      largestInput = Math.max(
        largestInput,
        t.reduce((s, l) => s * net.sizes[l]!, 1),
      );
    const outSize = net.output.reduce((s, l) => s * net.sizes[l]!, 1);
    if (outSize > limit) throw new MemoryLimitError(BigInt(outSize), BigInt(limit), "the output");
    if (largestInput > limit)
      throw new MemoryLimitError(BigInt(largestInput), BigInt(limit), "the largest input (a memory limit below it leaves no path)");
  }
  const path = user
    ? checkedPath(name, user(problem, options), problem.inputs.length)
    : (f!(net, limit, { ...options, report }) ?? greedySsa(net, lim(limit)));
  if (limit !== undefined) {
    const cost = pathCost(problem, path);
    if (cost.size > BigInt(limit)) throw new MemoryLimitError(cost.size, BigInt(limit), `the ${name} path's largest intermediate`);
  }
  return { path, optimizer: name, complete: !report.cutShort };
}

/** The path a registered finder returned, validated; a typed error naming the optimizer otherwise. */
function checkedPath(name: string, path: unknown, nInputs: number): Path {
  if (!Array.isArray(path)) throw new InvalidPathError(-1, `expected an array of steps, got ${path === null ? "null" : typeof path}`, name);
  try {
    validateSsa(path as Path, nInputs);
  } catch (e) {
    if (e instanceof InvalidPathError) throw new InvalidPathError(e.step, e.reason, name);
    throw e;
  }
  return path as Path;
}
