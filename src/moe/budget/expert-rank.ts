/**
 * The largest matrix rank one expert's weight can reach (docs/guides/mumoe-reference.md#expert-rank).
 * @module
 */
import type { ResolvedLayer } from "./spec.js";

/**
 * Bound on the rank of expert n's weight matrix of layer 1 (`I×O`, bias row excluded) or layer 2 (`O×D`):
 * - reference layers: `min(I, O)`;
 * - CP: `W_n = U_in diag(u_n) U_outᵀ`, so `min(I, O, R)`;
 * - TR: `W_n[i,o] = Σ C_in[r_{E+1}, i, r_{E+2}] · (A_n C_out)[…]` where `A_n` (the product of the expert
 *   cores' slices, `R_1×R_{E+1}`) has rank at most `min(R_1, …, R_{E+1})`; writing `A_n` as a sum of
 *   that many outer products gives `min(I, O, R_{E+2}·min(R_1, …, R_{E+1}))`. For one level this is the
 *   `R_3·min(R_1, R_2)`; for two levels it is tighter than `R_4·min(R_1, R_3)`.
 * @internal
 */
export function expertRankBound(layer: ResolvedLayer, which: 1 | 2 = 1): number {
  const rows = which === 1 ? layer.inputDim : layer.outputDim;
  const cols = which === 1 ? layer.outputDim : layer.secondDim;
  const dense = Math.min(rows, cols);
  if (layer.kind === "cp") return Math.min(dense, layer.cpRank);
  if (layer.kind === "tr") {
    const e = layer.levels.length;
    const inner = Math.min(...layer.ring.slice(0, e + 1));
    return Math.min(dense, layer.ring[e + 1]! * inner);
  }
  return dense;
}
