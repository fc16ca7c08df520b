/**
 * Runs fuzz cases `from … to-1` of a seed and reports each to the parent: `{ start: i }` before a case
 * (so a hang is pinned on it) and the case's result after.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runCase, type CaseKind } from "../test/fuzz/cases.js";

const { seed, from, to, only } = workerData as { seed: number; from: number; to: number; only?: CaseKind };
for (let i = from; i < to; i++) {
  parentPort!.postMessage({ start: i });
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  const result = runCase(seed, i, only);
  const grown = process.memoryUsage().arrayBuffers - before;
  parentPort!.postMessage({ result, ms: performance.now() - t0, grownBytes: grown });
}
parentPort!.postMessage({ done: true });
