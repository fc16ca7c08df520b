/**
 * Labels: the index symbols of an einsum expression.
 * @module
 */

/**
 * One index symbol. Every label is a single Unicode code point: letters from equations, or symbols
 * assigned by {@link getSymbol} for sublist labels and ellipsis axes.
 * @category Einsum & paths
 */
export type Label = string;

const BASE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * The i-th symbol: `a–z`, `A–Z`, then Unicode from U+00C0 on, as opt_einsum's `get_symbol`, except
 * that the surrogate range U+D800–U+DFFF is skipped entirely (opt_einsum returns lone surrogates for
 * 55156 ≤ i < 55296, which cannot be encoded as UTF-8).
 * @example
 * ```ts
 * import { getSymbol } from "multilinear";
 * getSymbol(0); // => "a"
 * getSymbol(52); // => "À"
 * ```
 * @category Einsum & paths
 */
export function getSymbol(i: number): Label {
  if (i < 52) return BASE[i]!;
  const c = i + 140;
  return String.fromCodePoint(c < 0xd800 ? c : c + 0x800);
}

/** Characters that cannot be labels in an equation string. */
export function isReservedChar(ch: string): boolean {
  if (ch === "," || ch === "-" || ch === ">" || ch === ".") return true;
  const c = ch.charCodeAt(0);
  return (c <= 32 || c >= 127) && /\s/u.test(ch);
}

/** Joins terms into an equation string such as `"ab,bc->ac"`. @category Einsum & paths */
export function formatEinsum(inputs: readonly (readonly Label[])[], output: readonly Label[]): string {
  return `${inputs.map((t) => t.join("")).join(",")}->${output.join("")}`;
}
