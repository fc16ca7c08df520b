/**
 * Independent rescoring of a linear path (opt_einsum's format) under the corpus cost model
 * (shared/bench/README.md), written without src/tensor/cost.ts: a step costs the product of the sizes
 * of the union of its operands' labels; its result keeps labels in the output or held by an operand
 * outside the step; size = largest result.
 */
export function rescoreLinear(
  operands: readonly (readonly string[])[],
  output: readonly string[],
  sizes: Readonly<Record<string, number>>,
  path: readonly (readonly number[])[],
): { flops: bigint; size: bigint } {
  let current = operands.map((t) => new Set(t));
  let flops = 0n;
  let size = 0n;
  const prod = (s: Iterable<string>): bigint => {
    let p = 1n;
    for (const l of s) p *= BigInt(sizes[l]!);
    return p;
  };
  for (const step of path) {
    const picked = step.map((i) => current[i]!);
    const rest = current.filter((_, i) => !step.includes(i));
    const joint = new Set<string>();
    for (const t of picked) for (const l of t) joint.add(l);
    flops += prod(joint);
    const outside = new Set<string>();
    for (const t of rest) for (const l of t) outside.add(l);
    const result = new Set([...joint].filter((l) => output.includes(l) || outside.has(l)));
    const s = prod(result);
    if (s > size) size = s;
    current = [...rest, result];
  }
  return { flops, size };
}
