/**
 * The parsed, shape-resolved form of an einsum expression that every later stage consumes.
 * @module
 */
import { InvalidArgumentError, OutputLabelError, RankMismatchError, ShapeMismatchError } from "../../errors.js";
import { formatEinsum, type Label } from "./labels.js";

/**
 * An einsum expression with its sizes resolved. Produced by {@link parseEinsum} / {@link parseSublist}
 * (or {@link makeProblem}); optimizers, the cost model, the planner and the executor read only this.
 * @category Einsum & paths
 */
export interface EinsumProblem {
  /**
   * Labels of each operand after broadcasting: axes of size 1 whose label is larger elsewhere are
   * dropped (listed in {@link EinsumProblem.broadcastAxes}). A label may repeat within a term (a diagonal).
   */
  readonly inputs: readonly (readonly Label[])[];
  /** Labels of the result, in order; each at most once. */
  readonly output: readonly Label[];
  /** Size of every label. */
  readonly sizes: ReadonlyMap<Label, number>;
  /** Shapes of the operands as given. */
  readonly operandShapes: readonly (readonly number[])[];
  /** Per operand, the axes (of the given shape) that broadcast and are squeezed away before contracting. */
  readonly broadcastAxes: readonly (readonly number[])[];
  /** The expression with one symbol per label, e.g. `"ab,bc->ac"` (effective terms, after broadcasting). */
  readonly equation: string;
  /** For sublist-form problems, the user's label value behind each symbol. */
  readonly labelNames?: ReadonlyMap<Label, string | number>;
}

/** The plain description {@link makeProblem} accepts. @category Einsum & paths */
export interface ProblemSpec {
  /** Labels of each operand, one per axis (repeats allowed). */
  readonly inputs: readonly (readonly Label[])[];
  /** Labels of the result. */
  readonly output: readonly Label[];
  /** Size of every label, or omitted when `shapes` are given. */
  readonly sizes?: ReadonlyMap<Label, number> | Readonly<Record<Label, number>>;
  /** Shapes of the operands; derived from `sizes` when omitted. */
  readonly shapes?: readonly (readonly number[])[];
}

/**
 * Builds and validates an {@link EinsumProblem} from label lists (no string parsing), e.g. from a
 * tensor-network description with more labels than an equation can spell.
 * @throws {@link RankMismatchError}, {@link ShapeMismatchError}, {@link OutputLabelError}
 * @example
 * ```ts
 * import { makeProblem } from "multilinear";
 * makeProblem({ inputs: [["i", "j"], ["j", "k"]], output: ["i", "k"], sizes: { i: 2, j: 3, k: 4 } }).equation; // => "ij,jk->ik"
 * ```
 * @category Einsum & paths
 */
export function makeProblem(spec: ProblemSpec): EinsumProblem {
  const given = spec.sizes === undefined ? undefined : spec.sizes instanceof Map ? spec.sizes : new Map(Object.entries(spec.sizes));
  let shapes = spec.shapes;
  if (shapes === undefined) {
    if (given === undefined)
      throw new InvalidArgumentError("makeProblem needs sizes or shapes", "pass `sizes` (label → size) or `shapes` (one per operand)");
    shapes = spec.inputs.map((term, k) =>
      term.map((l) => {
        const d = given.get(l);
        if (d === undefined) throw new InvalidArgumentError(`label '${l}' of operand ${k} has no size`, "give a size for every label");
        return d;
      }),
    );
  }
  return resolveProblem(spec.inputs, spec.output, shapes, undefined, given);
}

/**
 * Resolves sizes and broadcasting for terms that are already expanded (no ellipsis).
 * `displayNames` only changes how labels are named in error messages (e.g. `...0` for an ellipsis axis).
 * @internal
 */
export function resolveProblem(
  terms: readonly (readonly Label[])[],
  output: readonly Label[],
  shapes: readonly (readonly number[])[],
  labelNames?: ReadonlyMap<Label, string | number>,
  fixedSizes?: ReadonlyMap<Label, number>,
  displayNames?: ReadonlyMap<Label, string>,
): EinsumProblem {
  const name = (l: Label): string => String(displayNames?.get(l) ?? labelNames?.get(l) ?? l);
  const sizes = new Map<Label, number>();
  const firstSeen = new Map<Label, number>();
  terms.forEach((term, k) => {
    const shape = shapes[k]!;
    if (term.length !== shape.length) throw new RankMismatchError(k, term.map(name).join(""), term.length, shape.length);
    const own = new Map<Label, number>();
    term.forEach((l, ax) => {
      const d = shape[ax]!;
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new InvalidArgumentError(`operand ${k} has an invalid size ${d} at axis ${ax}`, "sizes must be non-negative integers");
      }
      const prev = own.get(l);
      if (prev !== undefined && prev !== d) throw new ShapeMismatchError(name(l), k, prev, k, d);
      own.set(l, d);
      const cur = sizes.get(l);
      if (cur === undefined) {
        sizes.set(l, d);
        firstSeen.set(l, k);
      } else if (cur !== d) {
        if (cur === 1) {
          sizes.set(l, d);
          firstSeen.set(l, k);
        } else if (d !== 1) throw new ShapeMismatchError(name(l), firstSeen.get(l)!, cur, k, d);
      }
    });
  });
  if (fixedSizes) {
    for (const [l, d] of sizes) {
      const f = fixedSizes.get(l);
      if (f !== undefined && f !== d && !(d === 1 && f >= 1)) throw new ShapeMismatchError(name(l), firstSeen.get(l)!, d, -1, f);
    }
  }
  const seenOut = new Set<Label>();
  for (const l of output) {
    if (!sizes.has(l)) throw new OutputLabelError(name(l), "absent");
    if (seenOut.has(l)) throw new OutputLabelError(name(l), "repeated");
    seenOut.add(l);
  }
  const broadcastAxes: number[][] = [];
  const inputs: Label[][] = [];
  terms.forEach((term, k) => {
    const shape = shapes[k]!;
    const drop: number[] = [];
    const keep: Label[] = [];
    term.forEach((l, ax) => {
      if (shape[ax] === 1 && sizes.get(l)! !== 1) drop.push(ax);
      else keep.push(l);
    });
    broadcastAxes.push(drop);
    inputs.push(keep);
  });
  const problem: EinsumProblem = {
    inputs,
    output: [...output],
    sizes,
    operandShapes: shapes.map((s) => [...s]),
    broadcastAxes,
    equation: formatEinsum(inputs, output),
  };
  return labelNames ? { ...problem, labelNames } : problem;
}
