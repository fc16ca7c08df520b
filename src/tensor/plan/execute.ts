/**
 * Runs a {@link ContractionPlan} on a backend. It walks the steps and decides nothing.
 * @module
 */
import { DTypeMismatchError, InvalidArgumentError, OperandCountError, RankMismatchError } from "../../errors.js";
import type { Backend, BackendTensor } from "../backends/backend.js";
import type { DenseTensor } from "../dense.js";
import type { ContractionPlan, PlanStep, UnaryOp } from "./plan.js";
import type { SharedIntermediates } from "./shared-intermediates.js";

/** Options of the executors. @category Einsum & paths */
export interface ExecuteOptions {
  /**
   * Reuse step results across contractions: a step whose inputs are the same tensor objects as a
   * cached step's (same ops) takes the cached result instead of running.
   */
  readonly shared?: SharedIntermediates;
}

/**
 * Executes `plan` on `operands` with `backend`; returns the result on the host. Mixed float32 and
 * float64 operands are computed in float64 (numpy's promotion).
 * @throws {@link OperandCountError} / {@link RankMismatchError} when the operands do not match the plan.
 * @category Einsum & paths
 */
export function executePlan<T extends BackendTensor>(
  plan: ContractionPlan,
  operands: readonly DenseTensor[],
  backend: Backend<T>,
  options: ExecuteOptions = {},
): DenseTensor {
  const inputs = promoteMixed(operands).map((x) => backend.upload(x));
  let out: T | undefined;
  try {
    out = executePlanOnBackend(plan, inputs, backend, options);
    return backend.download(out);
  } finally {
    releaseAll(backend, inputs, out);
  }
}

/**
 * Like {@link executePlan} for backends that read back asynchronously (the GPU backend in `webgpu`
 * mode): operands are uploaded once, every intermediate stays on the device, and only the result is
 * read back. Works with every backend.
 * @throws {@link OperandCountError} / {@link RankMismatchError} when the operands do not match the plan.
 * @category Einsum & paths
 */
export async function executePlanAsync<T extends BackendTensor>(
  plan: ContractionPlan,
  operands: readonly DenseTensor[],
  backend: Backend<T>,
  options: ExecuteOptions = {},
): Promise<DenseTensor> {
  const inputs = promoteMixed(operands).map((x) => backend.upload(x));
  let out: T | undefined;
  try {
    out = executePlanOnBackend(plan, inputs, backend, options);
    return backend.downloadAsync ? await backend.downloadAsync(out) : backend.download(out);
  } finally {
    releaseAll(backend, inputs, out);
  }
}

/** numpy's promotion: when float32 and float64 operands are mixed, the float32 ones are converted to float64. */
function promoteMixed(operands: readonly DenseTensor[]): readonly DenseTensor[] {
  const mixed = operands.some((x) => x.dtype === "float32") && operands.some((x) => x.dtype === "float64");
  return mixed ? operands.map((x) => (x.dtype === "float32" ? x.astype("float64") : x)) : operands;
}

function releaseAll<T extends BackendTensor>(backend: Backend<T>, inputs: readonly T[], out: T | undefined): void {
  if (!backend.release) return;
  if (out !== undefined && !inputs.includes(out)) backend.release(out);
  for (const x of inputs) backend.release(x);
}

/**
 * Like {@link executePlan} but takes and returns backend tensors (nothing leaves the device). The
 * operands stay the caller's; every intermediate is released (see {@link Backend.release}) once
 * used, and the result is a handle the caller owns (one of the operands when the plan does nothing).
 * @category Einsum & paths
 */
export function executePlanOnBackend<T extends BackendTensor>(
  plan: ContractionPlan,
  operands: readonly T[],
  backend: Backend<T>,
  options: ExecuteOptions = {},
): T {
  checkOperands(plan, operands);
  const run = newRun<T>(options.shared);
  operands.forEach((x, i) => setInput(run, plan, i, x, backend));
  runSteps(plan, run, backend, new Set());
  return finish(plan, run, backend).result;
}

/** Results of the steps that depend only on constant operands (see {@link precomputeConstants}). @category Einsum & paths */
export interface FoldedConstants<T extends BackendTensor> {
  /** Values by id (constant operands and the steps computed from them). */
  readonly values: ReadonlyMap<number, T>;
  /** Indices of the steps already done. */
  readonly done: ReadonlySet<number>;
}

/** Runs every step whose inputs come only from the given constant operands, once. @category Einsum & paths */
export function precomputeConstants<T extends BackendTensor>(
  plan: ContractionPlan,
  constants: ReadonlyMap<number, DenseTensor>,
  backend: Backend<T>,
): FoldedConstants<T> {
  const run = newRun<T>();
  for (const [i, x] of constants) setInput(run, plan, i, backend.upload(x), backend);
  const done = new Set<number>();
  plan.steps.forEach((step, k) => {
    const ins = step.kind === "unary" ? [step.input] : step.inputs;
    if (ins.every((id) => run.values.has(id))) {
      // Folded values outlive this call: nothing is consumed or released.
      runStep(step, run, backend, false);
      done.add(k);
    }
  });
  return { values: run.values, done };
}

/** Runs the steps not yet done, starting from the given operands plus folded constants. @category Einsum & paths */
export function executePlanFrom<T extends BackendTensor>(
  plan: ContractionPlan,
  operands: ReadonlyMap<number, DenseTensor>,
  folded: FoldedConstants<T>,
  backend: Backend<T>,
  options: ExecuteOptions = {},
): DenseTensor {
  const run = newRun<T>(options.shared);
  for (const [id, v] of folded.values) run.values.set(id, v); // never owned: reused by the next call
  const shapes = plan.problem.operandShapes;
  for (const [i, x] of operands) {
    const want = shapes[i]!;
    if (x.shape.length !== want.length || x.shape.some((d, a) => d !== want[a])) {
      throw new InvalidArgumentError(
        `operand ${i} has shape [${x.shape.join(", ")}] but the expression was planned for [${want.join(", ")}]`,
        "pass operands of the planned shapes, or build a new expression",
      );
    }
    const up = backend.upload(x);
    setInput(run, plan, i, up, backend);
    if (run.values.get(i) === up) run.owned.add(i);
    else backend.release?.(up);
  }
  runSteps(plan, run, backend, folded.done);
  const { result, owned } = finish(plan, run, backend);
  try {
    return backend.download(result);
  } finally {
    if (owned) backend.release?.(result);
  }
}

/**
 * The values of one run by id, and the ids whose values this run created and so may release once
 * used. Caller operands, folded constants and cached results are never owned.
 */
interface Run<T> {
  readonly values: Map<number, T>;
  readonly owned: Set<number>;
  /** Step results shared with other runs, if the caller passed a cache. */
  readonly shared: SharedIntermediates | undefined;
}

function newRun<T>(shared?: SharedIntermediates): Run<T> {
  return { values: new Map(), owned: new Set(), shared };
}

function setInput<T extends BackendTensor>(run: Run<T>, plan: ContractionPlan, i: number, x: T, backend: Backend<T>): void {
  if (x.shape.length === plan.inputShapes[i]!.length) {
    run.values.set(i, x);
    return;
  }
  const v = backend.reshape(x, plan.inputShapes[i]!);
  run.values.set(i, v);
  if (v !== x) run.owned.add(i);
}

function runSteps<T extends BackendTensor>(plan: ContractionPlan, run: Run<T>, backend: Backend<T>, skip: ReadonlySet<number>): void {
  plan.steps.forEach((step, k) => {
    if (!skip.has(k)) runStep(step, run, backend, true);
  });
}

/** Applies the plan's final ops; `owned` tells whether this run made the result (else it is an operand or a folded constant). */
function finish<T extends BackendTensor>(plan: ContractionPlan, run: Run<T>, backend: Backend<T>): { result: T; owned: boolean } {
  const last = run.values.get(plan.resultId)!;
  const lastOwned = run.owned.has(plan.resultId);
  const result = applyOps(backend, last, plan.finish);
  if (result === last) return { result, owned: lastOwned };
  if (lastOwned) backend.release?.(last);
  return { result, owned: true };
}

function runStep<T extends BackendTensor>(step: PlanStep, run: Run<T>, backend: Backend<T>, consume: boolean): void {
  const { values, owned } = run;
  const get = (id: number): T => {
    const v = values.get(id)!;
    if (consume) values.delete(id);
    return v;
  };
  /** Releases a consumed input once the step no longer needs it (only when this run made it). */
  const done = (id: number, v: T, keep: T): void => {
    if (consume && owned.delete(id) && v !== keep) backend.release?.(v);
  };
  const cache = run.shared;
  if (step.kind === "unary") {
    const x = get(step.input);
    const key = cache ? `u${cache.idOf(x)}:${JSON.stringify(step.ops)}` : undefined;
    const hit = key ? cache!.lookup<T>(key) : undefined;
    const y = hit ?? applyOps(backend, x, step.ops);
    if (key && !hit) cache!.store(key, y);
    values.set(step.output, y);
    // No op ran: the value moves to the new id, and stays owned if it was.
    if (y === x && owned.has(step.input) && consume) owned.add(step.output);
    else if (!key && y !== x && consume) owned.add(step.output);
    done(step.input, x, y);
    return;
  }
  const [ia, ib] = step.inputs;
  const xa = get(ia);
  const xb = get(ib);
  const key = cache ? `p${cache.idOf(xa)},${cache.idOf(xb)}:${JSON.stringify(step.prepare)}:${step.shape.join("x")}` : undefined;
  const hit = key ? cache!.lookup<T>(key) : undefined;
  if (hit) {
    values.set(step.output, hit);
  } else {
    const a = applyOps(backend, xa, step.prepare[0]);
    const b = applyOps(backend, xb, step.prepare[1]);
    const c = backend.batchedMatmul(a, b);
    const r = backend.reshape(c, step.shape);
    if (r !== c) backend.release?.(c);
    if (a !== xa) backend.release?.(a);
    if (b !== xb) backend.release?.(b);
    if (key) cache!.store(key, r);
    else if (consume) owned.add(step.output);
    values.set(step.output, r);
  }
  const out = values.get(step.output)!;
  done(ia, xa, out);
  done(ib, xb, out);
}

/** Applies `ops` to `x`; intermediate results (not `x`, not the returned one) are released. */
function applyOps<T extends BackendTensor>(backend: Backend<T>, x: T, ops: readonly UnaryOp[]): T {
  let y = x;
  for (const op of ops) {
    let next: T;
    switch (op.kind) {
      case "diagonal":
        next = backend.diagonal(y, op.axisA, op.axisB);
        break;
      case "sum":
        next = backend.sumAxes(y, op.axes);
        break;
      case "permute":
        next = backend.permute(y, op.axes);
        break;
      case "reshape":
        next = backend.reshape(y, op.shape);
        break;
    }
    if (y !== x && next !== y) backend.release?.(y);
    y = next;
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
