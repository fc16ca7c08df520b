/**
 * Exhaustive minimum cost of contracting a tensor network by pairwise steps (dynamic programming over
 * subsets of operands). Independent of src/: a step costs the product of the sizes of every label of
 * its two operands, and a subset's result keeps the labels that also occur outside it or in the output.
 */
export function minContractionCost(
  inputs: readonly (readonly string[])[],
  output: readonly string[],
  sizes: ReadonlyMap<string, number>,
): bigint {
  const n = inputs.length;
  const full = (1 << n) - 1;
  const labelsOf = (mask: number): Set<string> => {
    const s = new Set<string>();
    for (let k = 0; k < n; k++) if (mask & (1 << k)) for (const l of inputs[k]!) s.add(l);
    return s;
  };
  const resultOf = (mask: number): Set<string> => {
    const inside = labelsOf(mask);
    const outside = labelsOf(full & ~mask);
    return new Set([...inside].filter((l) => output.includes(l) || outside.has(l)));
  };
  const size = (ls: Iterable<string>): bigint => {
    let p = 1n;
    for (const l of ls) p *= BigInt(sizes.get(l)!);
    return p;
  };
  const best = new Map<number, bigint>();
  for (let k = 0; k < n; k++) best.set(1 << k, 0n);
  const masks = Array.from({ length: full }, (_, i) => i + 1).sort((a, b) => popcount(a) - popcount(b));
  for (const mask of masks) {
    if (popcount(mask) < 2) continue;
    let b: bigint | undefined;
    // Every split into two non-empty halves (each unordered pair once).
    for (let sub = (mask - 1) & mask; sub > 0; sub = (sub - 1) & mask) {
      const other = mask & ~sub;
      if (sub < other) continue;
      const cost = best.get(sub)! + best.get(other)! + size(new Set([...resultOf(sub), ...resultOf(other)]));
      if (b === undefined || cost < b) b = cost;
    }
    best.set(mask, b!);
  }
  return best.get(full)!;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}
