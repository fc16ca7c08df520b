/**
 * The minimum cost over every order of pairwise contractions, by exhaustive recursion, under the
 * corpus cost model (a step costs the product of the sizes of its two operands' labels; a result keeps
 * the labels in the output or held by another live operand). Independent of src/. Small n only.
 */
export function bruteForceMinimum(
  inputs: readonly (readonly string[])[],
  output: readonly string[],
  sizes: Readonly<Record<string, number>>,
): bigint {
  const size = (ls: Iterable<string>): bigint => {
    let p = 1n;
    for (const l of ls) p *= BigInt(sizes[l]!);
    return p;
  };
  const go = (terms: readonly ReadonlySet<string>[]): bigint => {
    if (terms.length === 1) return 0n;
    let best: bigint | undefined;
    for (let i = 0; i < terms.length; i++) {
      for (let j = i + 1; j < terms.length; j++) {
        const rest = terms.filter((_, k) => k !== i && k !== j);
        const joint = new Set([...terms[i]!, ...terms[j]!]);
        const outside = new Set(rest.flatMap((t) => [...t]));
        const result = new Set([...joint].filter((l) => output.includes(l) || outside.has(l)));
        const c = size(joint) + go([...rest, result]);
        if (best === undefined || c < best) best = c;
      }
    }
    return best!;
  };
  return go(inputs.map((t) => new Set(t)));
}
