/** `npm run test:long`: 'optimal' on the corpus cases that optimizers.test.ts leaves out for time. */
import { describe, expect, test } from "vitest";
import { getOptimizer, makeProblem, pathCost } from "../../../src/index.js";
import { corpus, SLOW_OPTIMAL_CASES } from "./corpus.js";

describe("the corpus, slow cases", () => {
  test.each(SLOW_OPTIMAL_CASES)("optimal matches the reference on %s", (id) => {
    const c = corpus.cases.find((x) => x.id === id);
    expect(c, `${id} is not in the corpus`).toBeDefined();
    const ref = c!.reference["optimal"];
    expect(ref, `${id} has no 'optimal' reference`).toBeDefined();
    const p = makeProblem({ inputs: c!.operands, output: c!.output, sizes: c!.sizes });
    const ours = pathCost(p, getOptimizer("optimal")(p, {})).multiplyAdds;
    expect(ours <= BigInt(ref!.flops), `${id}: ${ours} vs ${ref!.flops}`).toBe(true);
  });
});
