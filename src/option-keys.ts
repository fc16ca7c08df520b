/**
 * Refusing unknown keys in options and configuration objects: a typo such as `optimise` or `useBais`
 * would otherwise be ignored silently and the default used instead.
 * @module
 */
import { InvalidArgumentError, UnknownOptionError } from "./errors.js";

/**
 * Levenshtein distance between two strings (insertions, deletions and substitutions cost 1; an
 * adjacent transposition costs 1 too, so `useBais` is one edit from `useBias`).
 */
export function editDistance(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  let prev2 = new Array<number>(lb + 1).fill(0);
  let prev = Array.from({ length: lb + 1 }, (_, j) => j);
  for (let i = 1; i <= la; i++) {
    const row = new Array<number>(lb + 1);
    row[0] = i;
    for (let j = 1; j <= lb; j++) {
      const sub = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, sub);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, prev2[j - 2]! + 1);
      row[j] = best;
    }
    prev2 = prev;
    prev = row;
  }
  return prev[lb]!;
}

/**
 * The valid key closest to `key` (case-insensitive edit distance; a key that is a prefix of the other
 * counts as one edit), or undefined when none is within a third of the key's length (at least 2
 * edits): a suggestion that far off would mislead.
 * @example
 * ```ts
 * import { closestKey } from "multilinear";
 * closestKey("useBais", ["useBias", "applyLn"]); // => "useBias"
 * closestKey("colour", ["useBias", "applyLn"]) === undefined; // => true
 * ```
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = key.toLowerCase();
  for (const k of known) {
    const kl = k.toLowerCase();
    // A valid key that starts the typed one, or the other way round (`tolerance` → `tol`), is one edit away.
    const prefix = Math.min(kl.length, lower.length) >= 3 && (lower.startsWith(kl) || kl.startsWith(lower));
    const d = prefix ? 1 : editDistance(lower, kl);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.ceil(key.length / 3)) ? best : undefined;
}

/**
 * Checks that `value` is a plain object (or undefined) whose own keys are all in `known`.
 * @param where - what the object configures, for the message (e.g. `"einsum options"`).
 * @throws {@link InvalidArgumentError} when `value` is not an object.
 * @throws {@link UnknownOptionError} naming the first unknown key and the closest valid one.
 * @example
 * ```ts
 * import { checkOptionKeys, type UnknownOptionError } from "multilinear";
 * const suggestion = (options: object): string | undefined => {
 *   try { checkOptionKeys(options, ["optimize", "backend"], "einsum options"); } catch (e) { return (e as UnknownOptionError).suggestion; }
 *   return "accepted";
 * };
 * suggestion({ optimize: "greedy" }); // => "accepted"
 * suggestion({ optimise: "greedy" }); // => "optimize"
 * ```
 */
export function checkOptionKeys(value: unknown, known: readonly string[], where: string): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      `${where} must be an object, got ${describeValue(value)}`,
      `pass an object with keys among: ${known.join(", ")}`,
    );
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new UnknownOptionError(where, key, closestKey(key, known), known);
  }
}

/** A short description of a value's kind for error messages (`null`, `an array`, `a string`, …). */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  const t = typeof value;
  if (t === "object") return `an object (${(value as object).constructor?.name ?? "no prototype"})`;
  if (t === "string") return `the string ${JSON.stringify((value as string).length > 40 ? (value as string).slice(0, 40) + "…" : value)}`;
  if (t === "number" || t === "bigint" || t === "boolean") return `${t} ${String(value)}`;
  return `a ${t}`;
}
