/**
 * Runs a {@link ContractionPlan} on a backend. It walks the steps and decides nothing.
 * @module
 */
import { DTypeMismatchError, InvalidArgumentError, OperandCountError, RankMismatchError } from "../errors.js";
import type { Backend, BackendTensor } from "./backends/backend.js";
import type { DenseTensor } from "./dense.js";
import type { ContractionPlan, UnaryOp } from "./plan.js";

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
  const owned = new Set<number>();
  operands.forEach((x, i) => {
    values.set(i, x.shape.length === plan.inputShapes[i]!.length ? x : backend.reshape(x, plan.inputShapes[i]!));
  });
  const take = (id: number): T => {
    const v = values.get(id)!;
    values.delete(id);
    return v;
  };
  const drop = (id: number, v: T): void => {
    if (owned.has(id)) backend.release?.(v);
  };
  for (const step of plan.steps) {
    if (step.kind === "unary") {
      const x = take(step.input);
      values.set(step.output, applyOps(backend, x, step.ops));
      drop(step.input, x);
    } else {
      const [ia, ib] = step.inputs;
      const xa = take(ia);
      const xb = take(ib);
      const a = applyOps(backend, xa, step.prepare[0]);
      const b = applyOps(backend, xb, step.prepare[1]);
      const c = backend.batchedMatmul(a, b);
      values.set(step.output, backend.reshape(c, step.shape));
      drop(ia, xa);
      drop(ib, xb);
    }
    owned.add(step.output);
  }
  return applyOps(backend, values.get(plan.resultId)!, plan.finish);
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
