/**
 * A naive einsum written independently of src/: it takes its own label lists (any JavaScript
 * values, one per axis, compared like Map keys), the operand shapes and flat C-order data, loops over
 * every assignment of every label, multiplies in float64 and accumulates into the output.
 *
 * numpy's rules, restated here from numpy's documentation and behaviour rather than from src:
 * - a label repeated within one operand walks the diagonal (its sizes in that operand must agree);
 * - across operands a label's sizes must agree, except that a size of 1 broadcasts (to any size, 0 too);
 * - a label missing from the output is summed.
 * Ellipsis axes are just more labels here: the caller names them.
 */

/** The problem as the oracle sees it. */
export interface OracleProblem {
  /** Label of every axis of every operand. */
  readonly inputs: readonly (readonly unknown[])[];
  /** Labels of the result, in order. */
  readonly output: readonly unknown[];
  /** Shape of every operand (same lengths as `inputs`). */
  readonly shapes: readonly (readonly number[])[];
}

/** Result of the oracle. */
export interface OracleResult {
  readonly shape: number[];
  /** The result, C order. */
  readonly data: Float64Array;
  /** Per element, the sum of |product| over the terms that were added: the scale rounding errors live on. */
  readonly magnitude: Float64Array;
}

/** Size of every label by numpy's broadcasting rule; throws on an inconsistent problem. */
export function labelSizes(p: OracleProblem): Map<unknown, number> {
  const sizes = new Map<unknown, number>();
  p.inputs.forEach((term, k) => {
    const shape = p.shapes[k]!;
    if (shape.length !== term.length) throw new Error(`oracle: operand ${k} has ${shape.length} axes but ${term.length} labels`);
    const own = new Map<unknown, number>();
    term.forEach((l, ax) => {
      const d = shape[ax]!;
      const prev = own.get(l);
      if (prev !== undefined && prev !== d) throw new Error(`oracle: repeated label in operand ${k} with sizes ${prev} and ${d}`);
      own.set(l, d);
      const cur = sizes.get(l);
      if (cur === undefined || cur === 1) sizes.set(l, d);
      else if (d !== 1 && d !== cur) throw new Error(`oracle: label sizes ${cur} and ${d} do not broadcast`);
    });
  });
  for (const l of p.output) if (!sizes.has(l)) throw new Error("oracle: output label absent from the inputs");
  return sizes;
}

/** Contracts by brute force. `data[k]` holds operand k in C order. */
export function naiveEinsum(p: OracleProblem, data: readonly ArrayLike<number>[]): OracleResult {
  const sizes = labelSizes(p);
  const labels = [...sizes.keys()];
  const index = new Map(labels.map((l, i) => [l, i]));
  const dims = labels.map((l) => sizes.get(l)!);
  const outShape = p.output.map((l) => sizes.get(l)!);
  const outLen = outShape.reduce((a, b) => a * b, 1);
  const value = new Float64Array(outLen);
  const magnitude = new Float64Array(outLen);
  // For each operand axis: which label drives it, and its C-order stride (0 when the axis has size 1).
  const access = p.inputs.map((term, k) => {
    const shape = p.shapes[k]!;
    const strides: number[] = [];
    let s = 1;
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      strides[ax] = shape[ax] === 1 ? 0 : s;
      s *= shape[ax]!;
    }
    return term.map((l, ax) => ({ label: index.get(l)!, stride: strides[ax]! }));
  });
  const outAccess = p.output.map((l, ax) => ({ label: index.get(l)!, stride: outShape.slice(ax + 1).reduce((a, b) => a * b, 1) }));
  const total = dims.reduce((a, b) => a * b, 1);
  if (total > 5_000_000) throw new Error(`oracle: iteration space ${total} is too large for a test`);
  const idx = new Array<number>(labels.length).fill(0);
  for (let it = 0; it < total; it++) {
    let prod = 1;
    for (let k = 0; k < access.length; k++) {
      let pos = 0;
      for (const a of access[k]!) pos += idx[a.label]! * a.stride;
      prod *= data[k]![pos]!;
    }
    let o = 0;
    for (const a of outAccess) o += idx[a.label]! * a.stride;
    value[o] = value[o]! + prod;
    magnitude[o] = magnitude[o]! + Math.abs(prod);
    for (let a = labels.length - 1; a >= 0; a--) {
      if (++idx[a]! < dims[a]!) break;
      idx[a] = 0;
    }
  }
  return { shape: outShape, data: value, magnitude };
}
