/**
 * MAC counts of μMoE layers derived from the contraction-path machinery on the layer's real einsum
 * expression (one token: gate vectors, augmented input, factors → output), as an independent check
 * of the closed formulas:
 * - official: the order of the official einsums (docs/guides/mumoe-reference.md#cp-mumoe, #tr-mumoe) as an explicit SSA path; it equals
 *   the closed formula by construction of both, and this checks that the formula counts that order;
 * - fast: the path a registered optimizer finds (`optimal` when registered, else `greedy`). `optimal`
 *   reproduces the official order for CP whenever every size is ≥ 2 and for one-level TR at realistic
 *   sizes; for two-level TR it sometimes finds a cheaper chain order, and `greedy` misses the TR order
 *   (its memory heuristic contracts the output core early);
 * - naive: the order of docs/guides/mumoe-reference.md#fast-vs-naive as an explicit SSA path (all factors in one step, which builds the
 *   dense expert tensor, then `z̃`, then the gates level by level).
 * @module
 */
import { pathCost } from "../../tensor/paths/cost.js";
import { getSymbol, type Label } from "../../tensor/einsum/labels.js";
import { makeProblem, type EinsumProblem } from "../../tensor/einsum/problem.js";
import type { Path } from "../../tensor/paths/path.js";
import { getOptimizer, optimizerNames } from "../../tensor/paths/registry.js";
import { layerBudgetResolved } from "./layer-budget.js";
import { expertTensorShape, resolveLayer, type ResolvedLayer } from "./spec.js";
import type { MuMoEConfig } from "../config.js";

/** The einsum problem of one μMoE layer for one token, and where each operand sits in it. @category Budgets */
export interface LayerEinsum {
  readonly problem: EinsumProblem;
  /** Operand positions: gate vectors (one per level), then the augmented input, then the factors. */
  readonly gates: readonly number[];
  readonly input: number;
  readonly factors: readonly number[];
}

/**
 * The per-token einsum of layer 1 or 2 of a CP/TR μMoE, e.g. CP with one level:
 * `a,b,ad,bd,cd->c` (gate `n`, input `i`, output `o`, rank `r` get the first free symbols).
 * @internal
 * @category Budgets
 */
export function layerEinsum(layer: ResolvedLayer, which: 1 | 2): LayerEinsum {
  const dims = expertTensorShape(layer, which);
  let next = 0;
  const modes: Label[] = dims.map(() => getSymbol(next++));
  const sizes = new Map<Label, number>(modes.map((l, k) => [l, dims[k]!]));
  const e = layer.levels.length;
  const inputs: Label[][] = modes.slice(0, e).map((l) => [l]);
  inputs.push([modes[e]!]);
  if (layer.kind === "cp") {
    const r = getSymbol(next++);
    sizes.set(r, layer.cpRank);
    for (const m of modes) inputs.push([m, r]);
  } else {
    const ring = layer.ring.map((size) => {
      const l = getSymbol(next++);
      sizes.set(l, size);
      return l;
    });
    modes.forEach((m, k) => inputs.push([ring[k]!, m, ring[(k + 1) % ring.length]!]));
  }
  const problem = makeProblem({ inputs, output: [modes[e + 1]!], sizes });
  return { problem, gates: modes.slice(0, e).map((_, k) => k), input: e, factors: modes.map((_, k) => e + 1 + k) };
}

/** The SSA path of the naive order (docs/guides/mumoe-reference.md#fast-vs-naive) for a {@link LayerEinsum}. @category Budgets */
export function naivePath(einsum: LayerEinsum): Path {
  const n = einsum.problem.inputs.length;
  const path: number[][] = [[...einsum.factors]];
  let last = n;
  path.push([last, einsum.input]);
  last++;
  for (const g of einsum.gates) {
    path.push([last, g]);
    last++;
  }
  return path;
}

/**
 * The SSA path of the official forward: each gate with its expert factor, the input with the input
 * factor, then (CP) the Hadamard products of the resulting rank vectors, or (TR) the chain of
 * `R×R` matrices in mode order, and last the output factor.
 * @category Budgets
 */
export function officialPath(einsum: LayerEinsum): Path {
  const n = einsum.problem.inputs.length;
  const e = einsum.gates.length;
  const path: number[][] = [];
  let next = n;
  const projected: number[] = [];
  for (let k = 0; k < e; k++) {
    path.push([einsum.gates[k]!, einsum.factors[k]!]);
    projected.push(next++);
  }
  path.push([einsum.input, einsum.factors[e]!]);
  projected.push(next++);
  let acc = projected[0]!;
  for (const p of projected.slice(1)) {
    path.push([acc, p]);
    acc = next++;
  }
  path.push([acc, einsum.factors[e + 1]!]);
  return path;
}

/** The optimizer used for the fast order: `optimal` when registered, otherwise `greedy`. @category Budgets */
export function fastOrderOptimizer(): string {
  return optimizerNames().includes("optimal") ? "optimal" : "greedy";
}

/** MACs of a μMoE layer derived from contraction paths, next to the closed formulas. @category Budgets */
export interface DerivedMacs {
  /** Optimizer that found the fast paths. */
  readonly optimizer: string;
  /** Gate projection `I·ΣN_e` (a matrix-vector product outside the einsum; the gate's nonlinearity separates it). */
  readonly gate: bigint;
  /** MACs of each layer's einsum along the optimizer's path, and the total with the gate. */
  readonly fastPerLayer: readonly bigint[];
  readonly fast: bigint;
  /** MACs of each layer's einsum along the official order, and the total with the gate. */
  readonly officialPerLayer: readonly bigint[];
  readonly official: bigint;
  /** Naive-order MACs of each layer's einsum, and the total with the gate. */
  readonly naivePerLayer: readonly bigint[];
  readonly naive: bigint;
  /** The closed-form totals for comparison. */
  readonly closedFast: bigint;
  readonly closedNaive: bigint;
  /** The einsum equations used. */
  readonly equations: readonly string[];
}

/**
 * Derives the MACs of a CP/TR μMoE from {@link pathCost} on its einsum expressions (optimizer path,
 * official order, naive order) and returns them with the closed formulas.
 * @example
 * ```ts
 * import { derivedMacs } from "multilinear";
 * const d = derivedMacs({ kind: "cp", inputDim: 768, outputDim: 1000, expertDims: [512], ranks: 165 });
 * d.official === d.closedFast; // => true
 * d.fast === d.closedFast; // => true
 * d.naive === d.closedNaive; // => true
 * ```
 * @category Budgets
 */
export function derivedMacs(config: MuMoEConfig, optimizer = fastOrderOptimizer()): DerivedMacs {
  const layer = resolveLayer(config);
  const find = getOptimizer(optimizer);
  const which: (1 | 2)[] = layer.secondDim > 0 ? [1, 2] : [1];
  const einsums = which.map((w) => layerEinsum(layer, w));
  const fastPerLayer = einsums.map((x) => pathCost(x.problem, find(x.problem, {})).multiplyAdds);
  const officialPerLayer = einsums.map((x) => pathCost(x.problem, officialPath(x)).multiplyAdds);
  const naivePerLayer = einsums.map((x) => pathCost(x.problem, naivePath(x)).multiplyAdds);
  const total = (xs: readonly bigint[]): bigint => gate + xs.reduce((a, b) => a + b, 0n);
  const gate = BigInt(layer.inputDim) * layer.levels.reduce((a, n) => a + BigInt(n), 0n);
  const budget = layerBudgetResolved(layer, config);
  return {
    optimizer,
    gate,
    fastPerLayer,
    fast: total(fastPerLayer),
    officialPerLayer,
    official: total(officialPerLayer),
    naivePerLayer,
    naive: total(naivePerLayer),
    closedFast: budget.macs,
    closedNaive: budget.naiveMacs!,
    equations: einsums.map((x) => x.problem.equation),
  };
}
