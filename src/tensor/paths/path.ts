/**
 * Contraction paths. Internally a path is in SSA form: operands are numbered 0…n-1 and the result
 * of step s gets number n+s. At the API edge paths are also accepted and given in opt_einsum's
 * linear form (positions into the shrinking operand list, results appended at the end).
 * @module
 */
import { InvalidPathError } from "../../errors.js";

/** One step: the SSA ids (or, in linear form, the positions) of the operands it contracts together. @category Einsum & paths */
export type PathStep = readonly number[];

/** A contraction path: a list of steps. @category Einsum & paths */
export type Path = readonly PathStep[];

/**
 * Converts a linear path (opt_einsum's format) to SSA form, validating it.
 * @throws {@link InvalidPathError} naming the bad step.
 * @example
 * ```ts
 * import { linearToSsa } from "multilinear";
 * linearToSsa([[0, 2], [0, 1]], 3); // => [[0, 2], [1, 3]]
 * ```
 * @category Einsum & paths
 */
export function linearToSsa(path: Path, nInputs: number): number[][] {
  const current: number[] = [...Array(nInputs).keys()];
  let next = nInputs;
  const out: number[][] = [];
  path.forEach((step, s) => {
    checkStep(step, current.length, s);
    out.push(step.map((p) => current[p]!));
    for (const p of [...step].sort((x, y) => y - x)) current.splice(p, 1);
    current.push(next++);
  });
  finalCheck(current.length, nInputs, path.length);
  return out;
}

/**
 * Converts an SSA path to opt_einsum's linear form, validating it.
 * @throws {@link InvalidPathError} naming the bad step.
 * @example
 * ```ts
 * import { ssaToLinear } from "multilinear";
 * ssaToLinear([[0, 2], [1, 3]], 3); // => [[0, 2], [0, 1]]
 * ```
 * @category Einsum & paths
 */
export function ssaToLinear(path: Path, nInputs: number): number[][] {
  validateSsa(path, nInputs);
  const current: number[] = [...Array(nInputs).keys()];
  let next = nInputs;
  return path.map((step) => {
    const positions = step.map((id) => current.indexOf(id));
    for (const p of [...positions].sort((x, y) => y - x)) current.splice(p, 1);
    current.push(next++);
    return positions;
  });
}

/**
 * Checks an SSA path: each id is defined, used once, and the path ends with a single operand in
 * which every input took part.
 * @throws {@link InvalidPathError} naming the bad step.
 * @category Einsum & paths
 */
export function validateSsa(path: Path, nInputs: number): void {
  const alive = new Set<number>([...Array(nInputs).keys()]);
  let next = nInputs;
  path.forEach((step, s) => {
    if (!Array.isArray(step) || step.length === 0) throw new InvalidPathError(s, "a step must list at least one operand");
    const seen = new Set<number>();
    for (const id of step) {
      if (!Number.isInteger(id)) throw new InvalidPathError(s, `operand id ${String(id)} is not an integer`);
      if (seen.has(id)) throw new InvalidPathError(s, `operand ${id} appears twice in one step`);
      if (!alive.has(id)) {
        throw new InvalidPathError(
          s,
          id < next ? `operand ${id} was already contracted` : `operand ${id} does not exist yet (the next id is ${next})`,
        );
      }
      seen.add(id);
    }
    for (const id of step) alive.delete(id);
    alive.add(next++);
  });
  finalCheck(alive.size, nInputs, path.length);
}

function checkStep(step: PathStep, nCurrent: number, s: number): void {
  if (!Array.isArray(step) || step.length === 0) throw new InvalidPathError(s, "a step must list at least one operand");
  const seen = new Set<number>();
  for (const p of step) {
    if (!Number.isInteger(p) || p < 0 || p >= nCurrent) {
      throw new InvalidPathError(s, `position ${String(p)} is out of range: ${nCurrent} operand${nCurrent === 1 ? " is" : "s are"} left`);
    }
    if (seen.has(p)) throw new InvalidPathError(s, `position ${p} appears twice`);
    seen.add(p);
  }
}

function finalCheck(remaining: number, nInputs: number, nSteps: number): void {
  if (nInputs > 0 && nSteps === 0) throw new InvalidPathError(-1, "the path is empty; even one operand needs the step [0]");
  if (remaining !== 1) throw new InvalidPathError(-1, `the path leaves ${remaining} operands instead of 1`);
}
