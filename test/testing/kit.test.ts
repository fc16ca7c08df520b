/**
 * The project's own μMoE properties, run through the exported kit (`multilinear/testing`).
 */
import fc from "fast-check";
import { describe, test } from "vitest";
import {
  factorizedEqualsDense,
  gatesAreDistributions,
  hierarchicalEqualsFlat,
  parameterCountMatchesFormula,
} from "../../src/testing/index.js";

describe("multilinear/testing properties", () => {
  test("factorized forward == dense MoE forward with toDense() weights", () => {
    fc.assert(factorizedEqualsDense(), { numRuns: 120 });
  });
  test("hierarchical experts == flattened experts", () => {
    fc.assert(hierarchicalEqualsFlat(), { numRuns: 80 });
  });
  test("parameter count == closed formula", () => {
    fc.assert(parameterCountMatchesFormula(), { numRuns: 150 });
  });
  test.each(["softmax", "entmax15", "sparsemax"] as const)("%s gates are distributions (with exact sparsity)", (act) => {
    fc.assert(gatesAreDistributions(act), { numRuns: 300 });
  });
  test("the properties can fail: a layer with a wrong bias fold is caught", () => {
    // Build the library layer but perturb its dense view: the property must reject it.
    const broken = factorizedEqualsDense({
      build: (config, seed) => {
        const { createMuMoE } = require_();
        const layer = createMuMoE(config, { seed, init: "random" });
        return {
          config: layer.config,
          inputLn: layer.inputLn,
          gates: (x: Parameters<typeof layer.gates>[0]) => layer.gates(x),
          forward: (x: Parameters<typeof layer.forward>[0]) => layer.forward(x),
          toDense: (which?: 1 | 2) => {
            const d = layer.toDense(which).clone();
            d.data[0] = d.data[0]! + 0.5;
            return d;
          },
        };
      },
    });
    let failed = false;
    try {
      fc.assert(broken, { numRuns: 30 });
    } catch {
      failed = true;
    }
    if (!failed) throw new Error("the property accepted a wrong dense tensor");
  });
});

import * as lib from "../../src/index.js";
function require_(): typeof lib {
  return lib;
}
