/**
 * The parameter keys and shapes of the official PyTorch `MuMoE` module, written from the key table of
 * shared/fixtures/mumoe-reference/README.md ("Keys"), independently of src/moe. BatchNorm buffers are
 * not parameters and are left out. Order: `state_dict()` order (first layer factors, second layer
 * factors, input LayerNorm, gating projections).
 */
import type { MuMoEConfig } from "../../src/moe/config.js";

export interface KeyShape {
  readonly key: string;
  readonly shape: readonly number[];
}

export function officialParameterShapes(c: MuMoEConfig): KeyShape[] {
  const bias = (c.useBias ?? true) ? 1 : 0;
  const second = c.secondDim ?? 0;
  const out: KeyShape[] = [];
  const factors = (prefix: string, modes: number[]): void => {
    modes.forEach((size, k) => {
      if (typeof c.ranks === "number") {
        out.push({ key: `${prefix}.factors.${k}`, shape: [size, c.ranks] });
      } else {
        const t = c.ranks[k]!;
        out.push({ key: `${prefix}.factors.${k}`, shape: [t[0], size, t[2]] });
      }
    });
  };
  factors("MuMoE", [...c.expertDims, c.inputDim + bias, c.outputDim]);
  if (second > 0) factors("MuMoE2", [...c.expertDims, c.outputDim + bias, second]);
  if (c.applyLn) out.push({ key: "input_ln.weight", shape: [c.inputDim] }, { key: "input_ln.bias", shape: [c.inputDim] });
  c.expertDims.forEach((n, l) => out.push({ key: `projs.${l}`, shape: [c.inputDim, n] }));
  return out;
}
