/**
 * Labels: the index symbols of an einsum expression.
 * @module
 */

/**
 * One index symbol. Every label is a single Unicode code point: letters from equations, or symbols
 * assigned by {@link getSymbol} for sublist labels and ellipsis axes.
 */
export type Label = string;

const BASE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * The i-th symbol in opt_einsum's order: `a–z`, `A–Z`, then Unicode from U+00C0 (skipping surrogates).
 * @example
 * ```ts
 * import { getSymbol } from "multilinear";
 * getSymbol(0); // => "a"
 * getSymbol(52); // => "À"
 * ```
 */
export function getSymbol(i: number): Label {
  if (i < 52) return BASE[i]!;
  if (i >= 55296) return String.fromCodePoint(i + 2048);
  return String.fromCodePoint(i + 140);
}

/** Characters that cannot be labels in an equation string. */
export function isReservedChar(ch: string): boolean {
  if (ch === "," || ch === "-" || ch === ">" || ch === ".") return true;
  const c = ch.charCodeAt(0);
  return (c <= 32 || c >= 127) && /\s/u.test(ch);
}

/** Joins terms into an equation string such as `"ab,bc->ac"`. */
export function formatEinsum(inputs: readonly (readonly Label[])[], output: readonly Label[]): string {
  return `${inputs.map((t) => t.join("")).join(",")}->${output.join("")}`;
}
