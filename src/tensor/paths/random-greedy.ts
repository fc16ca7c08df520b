/**
 * Random greedy (opt_einsum's `RandomGreedy`): repeated greedy runs whose choice at each step is
 * sampled among the best candidates with Boltzmann weights `exp(−(c − c_min)/T)` (T scaled by
 * |c_min|), with a little multiplicative jitter on the result size; the cheapest of the trials wins.
 * Trial 0 is the deterministic greedy path; trial r uses seed `seed + r`, so results are reproducible.
 * @module
 */
import { Rng } from "../random.js";
import { greedySsa } from "./greedy.js";
import { termSize, union, type PathNetwork } from "./compact.js";

/** Options of {@link randomGreedySsa}. @category Einsum & paths */
export interface RandomGreedyOptions {
  /** Trials (default 32). */
  readonly repeats?: number;
  /** Boltzmann temperature relative to the best candidate's cost (default 1). */
  readonly temperature?: number;
  /** Candidates considered per step (default 8). */
  readonly nbranch?: number;
  readonly seed?: number;
  readonly memoryLimit?: number;
  /** Stop starting new trials after this many milliseconds. */
  readonly timeLimitMs?: number;
}

/** Flops of an SSA path under the model, as a double (for ranking trials). @category Einsum & paths */
export function ssaFlops(net: PathNetwork, path: readonly (readonly number[])[]): { flops: number; size: number } {
  const terms: Int32Array[] = [...net.inputs];
  const count = new Int32Array(net.nLabels);
  for (const t of terms) for (const l of t) count[l]!++;
  let flops = 0;
  let size = 0;
  for (const step of path) {
    let u: Int32Array = new Int32Array(0);
    for (const id of step) u = union(u, terms[id]!);
    flops += termSize(net, u);
    const inStep = new Int32Array(net.nLabels);
    for (const id of step) for (const l of terms[id]!) inStep[l]!++;
    const keep = u.filter((l) => net.inOutput[l] === 1 || count[l]! > inStep[l]!);
    for (const id of step) for (const l of terms[id]!) count[l]!--;
    for (const l of keep) count[l]!++;
    terms.push(keep);
    size = Math.max(size, termSize(net, keep));
  }
  return { flops, size };
}

/** Best of `repeats` randomized greedy trials. @category Einsum & paths */
export function randomGreedySsa(net: PathNetwork, options: RandomGreedyOptions = {}): number[][] {
  const repeats = options.repeats ?? 32;
  const temperature = options.temperature ?? 1;
  const seed = options.seed ?? 0;
  const deadline = options.timeLimitMs === undefined ? Infinity : performance.now() + options.timeLimitMs;
  const limit = options.memoryLimit;
  let best = greedySsa(net, limit === undefined ? {} : { memoryLimit: limit });
  let bestCost = ssaFlops(net, best).flops;
  for (let r = 1; r < repeats && performance.now() < deadline; r++) {
    const rng = new Rng(seed + r);
    const path = greedySsa(net, {
      ...(limit === undefined ? {} : { memoryLimit: limit }),
      nbranch: options.nbranch ?? 8,
      cost: (s12, s1, s2) => s12 * (1 + 0.01 * rng.normal()) - s1 - s2,
      sample: (costs) => boltzmannSample(costs, temperature, rng),
    });
    const c = ssaFlops(net, path).flops;
    if (c < bestCost) {
      best = path;
      bestCost = c;
    }
  }
  return best;
}

/**
 * Picks index k of ascending `costs` with probability ∝ exp(−(c_k − c_0) / T), T = `temperature` ·
 * max(1, |c_0|) (opt_einsum's Boltzmann choice); always 0 at temperature 0.
 */
export function boltzmannSample(costs: readonly number[], temperature: number, rng: Rng): number {
  const cmin = costs[0]!;
  const t = temperature * Math.max(1, Math.abs(cmin));
  if (t === 0) return 0;
  const w = costs.map((c) => Math.exp(-(c - cmin) / t));
  let x = rng.uniform() * w.reduce((a, b) => a + b, 0);
  for (let k = 0; k < w.length; k++) {
    x -= w[k]!;
    if (x <= 0) return k;
  }
  return w.length - 1;
}
