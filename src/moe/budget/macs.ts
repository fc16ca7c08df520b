/**
 * Closed-form multiply-accumulate counts per token (docs/guides/mumoe-reference.md#counts, #fast-vs-naive). Convention: one MAC is one
 * multiply-add of a matrix product or contraction (as fvcore, used by the official code, counts one
 * "flop"); FLOPs = 2 × MACs. Not counted: additions of biases, gate normalisation and activation
 * (bn/ln, softmax/entmax), top-k selection, GELU and LayerNorm.
 * @module
 */
import type { ResolvedLayer } from "./spec.js";

/** One term of a MAC count. @category Budgets */
export interface MacEntry {
  /** Which part of the forward pass, e.g. `gate`, `layer1.input`. */
  readonly name: string;
  readonly macs: bigint;
}

const big = BigInt;
const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);
const prod = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a * b, 1n);

/** Input and output sizes of layer 1 or 2 as contracted (input includes the bias row). */
function layerDims(layer: ResolvedLayer, which: 1 | 2): { din: bigint; dout: bigint } {
  const b = layer.useBias ? 1n : 0n;
  return which === 1
    ? { din: big(layer.inputDim) + b, dout: big(layer.outputDim) }
    : { din: big(layer.outputDim) + b, dout: big(layer.secondDim) };
}

function layersOf(layer: ResolvedLayer): (1 | 2)[] {
  return layer.secondDim > 0 ? [1, 2] : [1];
}

/** Fast (factorized) MACs of one μMoE layer, in the official einsum order (docs/guides/mumoe-reference.md#cp-mumoe, #tr-mumoe). */
function fastLayerMacs(layer: ResolvedLayer, which: 1 | 2): MacEntry[] {
  const { din, dout } = layerDims(layer, which);
  const p = `layer${which}`;
  const n = layer.levels.map(big);
  const e = n.length;
  if (layer.kind === "cp") {
    const r = big(layer.cpRank);
    return [
      { name: `${p}.experts`, macs: r * sum(n) },
      { name: `${p}.input`, macs: r * din },
      { name: `${p}.hadamard`, macs: big(e) * r },
      { name: `${p}.output`, macs: r * dout },
    ];
  }
  const ring = layer.ring.map(big);
  const R = (k: number): bigint => ring[k - 1]!; // 1-based, as in docs/guides/mumoe-reference.md
  const experts = sum(n.map((nk, k) => R(k + 1) * nk * R(k + 2)));
  let chain = 0n;
  for (let k = 2; k <= e + 1; k++) chain += R(1) * R(k) * R(k + 1);
  return [
    { name: `${p}.experts`, macs: experts },
    { name: `${p}.input`, macs: R(e + 1) * din * R(e + 2) },
    { name: `${p}.chain`, macs: chain },
    { name: `${p}.output`, macs: R(1) * R(e + 2) * dout },
  ];
}

/**
 * Naive MACs of one μMoE layer (docs/guides/mumoe-reference.md#fast-vs-naive): build the dense expert tensor in one contraction of all
 * factors (`ΠN·d_in·d_out` times every rank), contract it with `z̃`, then with `a_1`, `a_2`, … in order.
 */
function naiveLayerMacs(layer: ResolvedLayer, which: 1 | 2): MacEntry[] {
  const { din, dout } = layerDims(layer, which);
  const p = `layer${which}`;
  const n = layer.levels.map(big);
  const ranks = layer.kind === "cp" ? big(layer.cpRank) : prod(layer.ring.map(big));
  const w = prod(n) * din * dout;
  let mix = 0n;
  for (let l = 0; l < n.length; l++) mix += prod(n.slice(l)) * dout;
  return [
    { name: `${p}.reconstruct`, macs: w * ranks },
    { name: `${p}.input`, macs: w },
    { name: `${p}.mix`, macs: mix },
  ];
}

/**
 * MACs per token of a resolved layer, term by term, in the fast order.
 * @internal
 */
export function macEntries(layer: ResolvedLayer): MacEntry[] {
  const i = big(layer.inputDim);
  const o = big(layer.outputDim);
  const d = big(layer.secondDim);
  const last = layer.secondDim > 0 ? d : o;
  // Per-expert matmuls of a reference MoE expert (linear, or the two layers of an MLP).
  const expertMatmul = i * o + d * o;
  switch (layer.kind) {
    case "linear":
      return layer.secondDim > 0
        ? [
            { name: "fc1", macs: i * o },
            { name: "fc2", macs: o * d },
          ]
        : [{ name: "fc1", macs: i * o }];
    case "dense":
    case "sparse": {
      const n = big(layer.levels[0]!);
      const k = big(layer.topK);
      return [
        { name: "gate", macs: i * n },
        { name: "experts", macs: k * expertMatmul },
        { name: "mix", macs: k * last },
      ];
    }
    case "soft": {
      const slots = big(layer.levels[0]!) * big(layer.slots);
      const t = big(layer.tokens);
      const perSequence = slots * expertMatmul;
      return [
        { name: "logits", macs: i * slots },
        { name: "dispatch", macs: slots * i },
        { name: "experts", macs: (perSequence + t - 1n) / t },
        { name: "combine", macs: slots * last },
      ];
    }
    case "cp":
    case "tr":
      return [
        { name: "gate", macs: i * layer.levels.map(big).reduce((a, b) => a + b, 0n) },
        ...layersOf(layer).flatMap((w) => fastLayerMacs(layer, w)),
      ];
  }
}

/**
 * MACs per token of a μMoE layer in the naive reconstruct-then-contract order (gate included).
 * @internal
 */
export function naiveMacEntries(layer: ResolvedLayer): MacEntry[] {
  const i = big(layer.inputDim);
  return [
    { name: "gate", macs: i * layer.levels.map(big).reduce((a, b) => a + b, 0n) },
    ...layersOf(layer).flatMap((w) => naiveLayerMacs(layer, w)),
  ];
}

/** Sum of a MAC breakdown. */
export function totalMacs(entries: readonly MacEntry[]): bigint {
  return sum(entries.map((e) => e.macs));
}
