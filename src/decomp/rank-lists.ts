/**
 * Rank lists of tensor rings and trains: validation and the accepted forms.
 * @module
 */
import { ConfigError, InvalidArgumentError } from "../errors.js";
import { describeValue } from "../option-keys.js";

/**
 * Ring ranks `R_0 … R_D` (TensorLy's D+1-entry form, `R_D = R_0`) from a number (all equal), D
 * entries (the ring closes on `R_0`) or D+1 entries.
 * @throws {@link ConfigError} for a wrong count, `R_D ≠ R_0`, or a rank below 1.
 * @category Decompositions
 */
export function ringRanks(ranks: number | readonly number[], ndim: number): number[] {
  if (typeof ranks !== "number" && !Array.isArray(ranks))
    throw new ConfigError(
      `tensor-ring ranks must be a number or a list of numbers, got ${describeValue(ranks)}`,
      `pass one rank for all links or ${ndim} ring ranks`,
    );
  const list = typeof ranks === "number" ? Array<number>(ndim).fill(ranks) : [...ranks];
  if (list.length === ndim) list.push(list[0]!);
  if (list.length !== ndim + 1) {
    throw new ConfigError(
      `a ${ndim}-way tensor ring needs ${ndim} ranks (or TensorLy's ${ndim + 1} with R_0 = R_${ndim}), got ${list.length}`,
      `pass ${ndim} ring ranks, e.g. --ranks ${Array(ndim).fill(2).join(",")}`,
    );
  }
  if (list[0] !== list[ndim])
    throw new ConfigError(`the ring does not close: R_0 = ${list[0]} but R_${ndim} = ${list[ndim]}`, "make the first and last ranks equal");
  checkPositive(list);
  return list;
}

/**
 * Train ranks `1, R_1 … R_{D−1}, 1` from a number (all inner ranks equal), D−1 inner ranks, or the
 * D+1-entry form with boundary ranks 1.
 * @throws {@link ConfigError} for a wrong count, boundary ranks other than 1, or a rank below 1.
 * @category Decompositions
 */
export function trainRanks(ranks: number | readonly number[], ndim: number): number[] {
  let list: number[];
  if (typeof ranks !== "number" && !Array.isArray(ranks))
    throw new ConfigError(
      `tensor-train ranks must be a number or a list of numbers, got ${describeValue(ranks)}`,
      `pass one rank for all links or ${ndim - 1} inner ranks`,
    );
  if (typeof ranks === "number") list = [1, ...Array<number>(ndim - 1).fill(ranks), 1];
  else if (ranks.length === ndim - 1) list = [1, ...ranks, 1];
  else if (ranks.length === ndim + 1) list = [...ranks];
  else {
    throw new ConfigError(
      `a ${ndim}-way tensor train needs ${ndim - 1} inner ranks (or ${ndim + 1} with boundary ranks 1), got ${ranks.length}`,
      `pass ${ndim - 1} ranks`,
    );
  }
  if (list[0] !== 1 || list[ndim] !== 1)
    throw new ConfigError(
      `tensor-train boundary ranks must be 1, got ${list[0]} and ${list[ndim]}`,
      "use a tensor ring for other boundary ranks",
    );
  checkPositive(list);
  return list;
}

function checkPositive(list: readonly number[]): void {
  list.forEach((r, k) => {
    if (!Number.isInteger(r) || r < 1)
      throw new InvalidArgumentError(`rank ${k} is ${r}; ranks must be positive integers`, "use ranks ≥ 1");
  });
}
