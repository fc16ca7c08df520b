/**
 * Runs a {@link ContractionPlan} on a backend. It walks the steps and decides nothing.
 * @module
 */
import { DTypeMismatchError, InvalidArgumentError, OperandCountError, RankMismatchError } from "../errors.js";
import type { Backend, BackendTensor } from "./backends/backend.js";
import type { DenseTensor } from "./dense.js";
import type { ContractionPlan, PlanStep, UnaryOp } from "./plan.js";

/**
 * Executes `plan` on `operands` with `backend`; returns the result on the host.
 * @throws {@link OperandCountError} / {@link RankMismatchError} when the operands do not match the plan.
 */
export function executePlan<T extends BackendTensor>(plan: ContractionPlan, operands: readonly DenseTensor[], backend: Backend<T>): DenseTensor {
  return backend.download(executePlanOnBackend(plan, operands.map((x) => backend.upload(x)), backend));
}

/** Like {@link executePlan} but takes and returns backend tensors (nothing leaves the device). */
export function executePlanOnBackend<T extends BackendTensor>(plan: ContractionPlan, operands: readonly T[], backend: Backend<T>): T {
  checkOperands(plan, operands);
  const values = new Map<number, T>();
  operands.forEach((x, i) => values.set(i, inputView(plan, i, x, backend)));
  runSteps(plan, values, backend, new Set());
  return applyOps(backend, values.get(plan.resultId)!, plan.finish);
}

/** Results of the steps that depend only on constant operands (see {@link precomputeConstants}). */
export interface FoldedConstants<T extends BackendTensor> {
  /** Values by id (constant operands and the steps computed from them). */
  readonly values: ReadonlyMap<number, T>;
  /** Indices of the steps already done. */
  readonly done: ReadonlySet<number>;
}

/** Runs every step whose inputs come only from the given constant operands, once. */
export function precomputeConstants<T extends BackendTensor>(plan: ContractionPlan, constants: ReadonlyMap<number, DenseTensor>, backend: Backend<T>): FoldedConstants<T> {
  const values = new Map<number, T>();
  for (const [i, x] of constants) values.set(i, inputView(plan, i, backend.upload(x), backend));
  const done = new Set<number>();
  plan.steps.forEach((step, k) => {
    const ins = step.kind === "unary" ? [step.input] : step.inputs;
    if (ins.every((id) => values.has(id))) {
      runStep(step, values, backend, false);
      done.add(k);
    }
  });
  return { values, done };
}

/** Runs the steps not yet done, starting from the given operands plus folded constants. */
export function executePlanFrom<T extends BackendTensor>(plan: ContractionPlan, operands: ReadonlyMap<number, DenseTensor>, folded: FoldedConstants<T>, backend: Backend<T>): DenseTensor {
  const values = new Map<number, T>(folded.values);
  const shapes = plan.problem.operandShapes;
  for (const [i, x] of operands) {
    const want = shapes[i]!;
    if (x.shape.length !== want.length || x.shape.some((d, a) => d !== want[a])) {
      throw new InvalidArgumentError(`operand ${i} has shape [${x.shape.join(", ")}] but the expression was planned for [${want.join(", ")}]`, "pass operands of the planned shapes, or build a new expression");
    }
    values.set(i, inputView(plan, i, backend.upload(x), backend));
  }
  runSteps(plan, values, backend, folded.done, true);
  return backend.download(applyOps(backend, values.get(plan.resultId)!, plan.finish));
}

function inputView<T extends BackendTensor>(plan: ContractionPlan, i: number, x: T, backend: Backend<T>): T {
  return x.shape.length === plan.inputShapes[i]!.length ? x : backend.reshape(x, plan.inputShapes[i]!);
}

function runSteps<T extends BackendTensor>(plan: ContractionPlan, values: Map<number, T>, backend: Backend<T>, skip: ReadonlySet<number>, keepInputs = false): void {
  plan.steps.forEach((step, k) => {
    if (!skip.has(k)) runStep(step, values, backend, !keepInputs);
  });
}

function runStep<T extends BackendTensor>(step: PlanStep, values: Map<number, T>, backend: Backend<T>, consume: boolean): void {
  const get = (id: number): T => {
    const v = values.get(id)!;
    if (consume) values.delete(id);
    return v;
  };
  const cache = activeCache();
  if (step.kind === "unary") {
    const x = get(step.input);
    const key = cache ? `u${cache.id(x)}:${JSON.stringify(step.ops)}` : undefined;
    const hit = key ? (cache!.results.get(key) as T | undefined) : undefined;
    if (hit) cache!.hits++;
    const y = hit ?? applyOps(backend, x, step.ops);
    if (key && !hit) cache!.results.set(key, y);
    values.set(step.output, y);
    return;
  }
  const [ia, ib] = step.inputs;
  const xa = get(ia);
  const xb = get(ib);
  const key = cache ? `p${cache.id(xa)},${cache.id(xb)}:${JSON.stringify(step.prepare)}:${step.shape.join("x")}` : undefined;
  const hit = key ? (cache!.results.get(key) as T | undefined) : undefined;
  if (hit) {
    cache!.hits++;
    values.set(step.output, hit);
    return;
  }
  const a = applyOps(backend, xa, step.prepare[0]);
  const b = applyOps(backend, xb, step.prepare[1]);
  const c = backend.reshape(backend.batchedMatmul(a, b), step.shape);
  if (key) cache!.results.set(key, c);
  values.set(step.output, c);
}

function applyOps<T extends BackendTensor>(backend: Backend<T>, x: T, ops: readonly UnaryOp[]): T {
  let y = x;
  for (const op of ops) {
    switch (op.kind) {
      case "diagonal":
        y = backend.diagonal(y, op.axisA, op.axisB);
        break;
      case "sum":
        y = backend.sumAxes(y, op.axes);
        break;
      case "permute":
        y = backend.permute(y, op.axes);
        break;
      case "reshape":
        y = backend.reshape(y, op.shape);
        break;
    }
  }
  return y;
}

function checkOperands(plan: ContractionPlan, operands: readonly BackendTensor[]): void {
  const shapes = plan.problem.operandShapes;
  if (operands.length !== shapes.length) throw new OperandCountError(shapes.length, operands.length);
  const dtypes = new Set(operands.map((x) => x.dtype));
  if (dtypes.size > 1) throw new DTypeMismatchError([...dtypes]);
  operands.forEach((x, i) => {
    const want = shapes[i]!;
    if (x.shape.length !== want.length) throw new RankMismatchError(i, plan.problem.inputs[i]!.join(""), want.length, x.shape.length);
    for (let a = 0; a < want.length; a++) {
      if (x.shape[a] !== want[a]) {
        throw new InvalidArgumentError(
          `operand ${i} has shape [${x.shape.join(", ")}] but the plan was made for [${want.join(", ")}]`,
          "plan again for the new shapes, or pass operands of the planned shapes",
        );
      }
    }
  });
}

/** A cache of step results keyed by the identity of their inputs. */
interface SharedCache {
  readonly results: Map<string, unknown>;
  id(x: object): number;
  hits: number;
}

const scopes: SharedCache[] = [];

function activeCache(): SharedCache | undefined {
  return scopes[scopes.length - 1];
}

/**
 * Runs `fn` in a scope where contraction steps are cached by the identity of their input tensors, so
 * several contractions that share operands and sub-expressions compute each shared intermediate once
 * (opt_einsum's `shared_intermediates`). The cache is dropped when `fn` returns.
 * @example
 * ```ts
 * import { sharedIntermediates, einsum, randn } from "multilinear";
 * const [a, b, c] = [randn([4, 5], { seed: 1 }), randn([5, 6], { seed: 2 }), randn([6, 3], { seed: 3 })];
 * const { hits } = sharedIntermediates(() => {
 *   einsum("ij,jk,kl->il", [a, b, c], { optimize: { path: [[0, 1], [0, 1]] } });
 *   einsum("ij,jk,kl->i", [a, b, c], { optimize: { path: [[0, 1], [0, 1]] } });
 * });
 * hits; // => 1
 * ```
 */
export function sharedIntermediates<R>(fn: () => R): { result: R; hits: number } {
  const ids = new WeakMap<object, number>();
  let next = 0;
  const scope: SharedCache = {
    results: new Map(),
    hits: 0,
    id(x) {
      let i = ids.get(x);
      if (i === undefined) ids.set(x, (i = next++));
      return i;
    },
  };
  scopes.push(scope);
  try {
    const result = fn();
    return { result, hits: scope.hits };
  } finally {
    scopes.pop();
  }
}
