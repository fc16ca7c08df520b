/** The contraction-path corpus (test/fixtures/paths/contraction-paths.json: opt_einsum's paths and costs). */
import { readFileSync } from "node:fs";

export interface CorpusFixture {
  readonly cases: {
    id: string;
    n_inputs: number;
    operands: string[][];
    output: string[];
    sizes: Record<string, number>;
    reference: Record<string, { path: number[][]; flops: string; size: string }>;
    best_known: { flops: string };
  }[];
}

export const corpus = JSON.parse(
  readFileSync(new URL("../../fixtures/paths/contraction-paths.json", import.meta.url), "utf8"),
) as CorpusFixture;

/**
 * Cases on which the exhaustive 'optimal' search takes seconds (8–9 operands with hyperedges or a
 * lattice): `npm test` leaves 'optimal' on them to `npm run test:long` (optimizers.long.test.ts).
 */
export const SLOW_OPTIMAL_CASES: readonly string[] = ["edge-shared-all8-s7017", "lat2d-3x3-b3-o0-s2000", "lat2d-3x3-b2-o2-s2001"];
