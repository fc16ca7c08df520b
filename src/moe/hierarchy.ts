/**
 * Hierarchical μMoE layers as flat ones (docs/guides/mumoe-reference.md#hierarchy-flattening): E expert levels `N_1…N_E` are one level of
 * `∏N_e` experts whose gate is the outer product of the levels' gates (flat index in C order).
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { DenseTensor } from "../tensor/dense.js";
import { allocate } from "../tensor/dtype.js";
import { einsum } from "../tensor/api/einsum.js";
import { getSymbol } from "../tensor/einsum/labels.js";
import { FactorizedExperts } from "./experts.js";

/**
 * The flat equivalent of hierarchical experts: CP expert rows `U^(1)[n_1] ⊙ … ⊙ U^(E)[n_E]`, or the TR
 * expert core `C_1[:, n_1, :] · … · C_E[:, n_E, :]`, at flat index `n_1·N_2⋯N_E + … + n_E`.
 * @example
 * ```ts
 * import { createMuMoE, flattenExperts } from "multilinear";
 * const layer = createMuMoE({ kind: "cp", inputDim: 3, outputDim: 2, expertDims: [4, 5], ranks: 6 }, { seed: 1 });
 * flattenExperts(layer.experts1).modeSizes; // => [20, 4, 2]
 * ```
 * @category μMoE
 */
export function flattenExperts(experts: FactorizedExperts): FactorizedExperts {
  const E = experts.levels;
  if (E === 1) return experts;
  const f = experts.factors;
  const lv = [...Array(E).keys()].map((l) => getSymbol(26 + l));
  let merged: DenseTensor;
  if (experts.kind === "cp") {
    merged = einsum(`${lv.map((x) => `${x}r`).join(",")}->${lv.join("")}r`, f.slice(0, E));
    merged = merged.reshape([merged.size / f[0]!.shape[1]!, f[0]!.shape[1]!]);
  } else {
    const ring = [...Array(E + 1).keys()].map((k) => getSymbol(52 + k));
    const terms = lv.map((x, l) => `${ring[l]}${x}${ring[l + 1]}`);
    merged = einsum(`${terms.join(",")}->${ring[0]}${lv.join("")}${ring[E]}`, f.slice(0, E));
    const [ra, rb] = [f[0]!.shape[0]!, f[E - 1]!.shape[2]!];
    merged = merged.reshape([ra, merged.size / (ra * rb), rb]);
  }
  return new FactorizedExperts(experts.kind, [merged, ...f.slice(E)], experts.optimize);
}

/**
 * The flat gate of hierarchical gates: `vec(a_1 ∘ … ∘ a_E)` per row, `[M, ∏N_e]` (C order).
 * @throws {@link InvalidArgumentError} when the gates have different row counts.
 * @category μMoE
 */
export function flattenGates(gates: readonly DenseTensor[]): DenseTensor {
  if (gates.length === 0) throw new InvalidArgumentError("no gates to flatten", "pass one [M, N_l] gate per level");
  const M = gates[0]!.shape[0]!;
  for (const g of gates)
    if (g.ndim !== 2 || g.shape[0] !== M)
      throw new InvalidArgumentError("gates must all be [M, N_l] with the same M", "pass one [M, N_l] tensor per level");
  const sizes = gates.map((g) => g.shape[1]!);
  const total = sizes.reduce((a, b) => a * b, 1);
  const data = gates.map((g) => g.toTypedArray());
  const out = allocate(gates[0]!.dtype, M * total);
  for (let m = 0; m < M; m++) {
    for (let e = 0; e < total; e++) {
      let rest = e;
      let v = 1;
      for (let l = sizes.length - 1; l >= 0; l--) {
        v *= data[l]![m * sizes[l]! + (rest % sizes[l]!)]!;
        rest = Math.floor(rest / sizes[l]!);
      }
      out[m * total + e] = v;
    }
  }
  return new DenseTensor(out, [M, total]);
}
