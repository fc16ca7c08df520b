/**
 * The parameter tensors a layer holds, by name and shape. For μMoE layers the names and shapes are
 * the official PyTorch `state_dict()` keys (docs/guides/mumoe.md#weight-files), in `state_dict()` order,
 * without the BatchNorm buffers (they are not parameters). Counts are exact bigints.
 * @module
 */
import { shapeSizeBig } from "../../tensor/shape.js";
import { expertTensorShape, type ResolvedLayer } from "./spec.js";

/** One parameter tensor. @category Budgets */
export interface ParameterEntry {
  /** Name; for μMoE layers the PyTorch `state_dict()` key, e.g. `MuMoE.factors.0`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Number of scalars (product of the shape). */
  readonly count: bigint;
  /** What the tensor is. */
  readonly role: string;
}

const entry = (name: string, shape: readonly number[], role: string): ParameterEntry => ({ name, shape, count: shapeSizeBig(shape), role });

function factorEntries(layer: ResolvedLayer, which: 1 | 2): ParameterEntry[] {
  const prefix = which === 1 ? "MuMoE" : "MuMoE2";
  const dims = expertTensorShape(layer, which);
  const modeName = (k: number): string =>
    k < layer.levels.length ? `expert level ${k}` : k === layer.levels.length ? `input${layer.useBias ? " (+1 bias row)" : ""}` : "output";
  return dims.map((d, k) =>
    layer.kind === "cp"
      ? entry(`${prefix}.factors.${k}`, [d, layer.cpRank], `layer ${which} CP factor, mode ${modeName(k)}`)
      : entry(
          `${prefix}.factors.${k}`,
          [layer.ring[k]!, d, layer.ring[(k + 1) % layer.ring.length]!],
          `layer ${which} TR core, mode ${modeName(k)}`,
        ),
  );
}

function expertEntries(layer: ResolvedLayer, prefix: string): ParameterEntry[] {
  const n = layer.levels[0]!;
  const { inputDim: i, outputDim: o, secondDim: d, useBias } = layer;
  const out: ParameterEntry[] = [];
  if (d === 0) {
    out.push(entry(`${prefix}.weight`, [n, i, o], "expert weights (expert, input, output)"));
    if (useBias) out.push(entry(`${prefix}.bias`, [n, o], "expert biases"));
  } else {
    out.push(entry(`${prefix}.fc1.weight`, [n, i, o], "expert first-layer weights"));
    if (useBias) out.push(entry(`${prefix}.fc1.bias`, [n, o], "expert first-layer biases"));
    out.push(entry(`${prefix}.fc2.weight`, [n, o, d], "expert second-layer weights"));
    if (useBias) out.push(entry(`${prefix}.fc2.bias`, [n, d], "expert second-layer biases"));
  }
  return out;
}

/**
 * Every parameter tensor of a resolved layer.
 * @internal
 */
export function parameterEntries(layer: ResolvedLayer): ParameterEntry[] {
  const { inputDim: i, outputDim: o, secondDim: d, useBias, applyLn } = layer;
  const ln = applyLn
    ? [
        entry(`${layer.kind === "cp" || layer.kind === "tr" ? "input_ln" : "ln"}.weight`, [i], "input LayerNorm scale"),
        entry(`${layer.kind === "cp" || layer.kind === "tr" ? "input_ln" : "ln"}.bias`, [i], "input LayerNorm shift"),
      ]
    : [];
  switch (layer.kind) {
    case "linear": {
      const out = [...ln];
      const fc1 = d === 0 ? "" : "fc1.";
      out.push(entry(`${fc1}weight`, [o, i], "weight (output, input), as nn.Linear stores it"));
      if (useBias) out.push(entry(`${fc1}bias`, [o], "bias"));
      if (d > 0) {
        out.push(entry("fc2.weight", [d, o], "second-layer weight"));
        if (useBias) out.push(entry("fc2.bias", [d], "second-layer bias"));
      }
      return out;
    }
    case "dense":
    case "sparse":
      return [...ln, entry("gate.weight", [layer.levels[0]!, i], "gating projection G (no bias)"), ...expertEntries(layer, "experts")];
    case "soft":
      return [
        ...ln,
        entry("phi", [i, layer.levels[0]! * layer.slots], "slot parameters Φ (dispatch and combine logits)"),
        ...expertEntries(layer, "experts"),
      ];
    case "cp":
    case "tr": {
      const out = factorEntries(layer, 1);
      if (d > 0) out.push(...factorEntries(layer, 2));
      out.push(...ln);
      layer.levels.forEach((n, l) => out.push(entry(`projs.${l}`, [i, n], `gating projection of expert level ${l} (no bias)`)));
      return out;
    }
  }
}

/**
 * Parameters used for one token: a sparse MoE touches only `K` of its `N` experts; every other layer uses all.
 * @internal
 */
export function activeParameterCount(layer: ResolvedLayer, entries: readonly ParameterEntry[]): bigint {
  let total = 0n;
  for (const e of entries) {
    total += layer.kind === "sparse" && e.name.startsWith("experts.") ? (e.count / BigInt(layer.levels[0]!)) * BigInt(layer.topK) : e.count;
  }
  return total;
}
