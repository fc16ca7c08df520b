/**
 * `npm run fuzz -- --cases N --seed S [--timeout-ms T] [--kind K] [--from I]`
 *
 * Runs N fuzz cases (test/fuzz/cases.ts) in a worker thread. A case fails when it computes a wrong
 * result, throws anything but a MultilinearError, runs longer than the time limit (the worker is
 * killed and restarted after the hanging case) or grows array-buffer memory by more than 256 MiB (an
 * allocation a size check should have refused). Failures are printed with the seed, the case index
 * and a reproduction; `--from I --cases 1` replays one case. Exit status 1 when any case failed.
 */
import { Worker } from "node:worker_threads";
import { parseArgs } from "node:util";
import { CASE_KINDS, type CaseKind, type CaseResult } from "../test/fuzz/cases.js";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "1000" },
    seed: { type: "string" },
    from: { type: "string", default: "0" },
    "timeout-ms": { type: "string", default: "2000" },
    kind: { type: "string" },
  },
});
const cases = Number(values.cases);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const from = Number(values.from);
const timeoutMs = Number(values["timeout-ms"]);
const only = values.kind as CaseKind | undefined;
if (!Number.isSafeInteger(cases) || cases < 0 || !Number.isSafeInteger(seed) || !Number.isSafeInteger(from) || !(timeoutMs > 0)) {
  console.error("usage: npm run fuzz -- --cases N --seed S [--from I] [--timeout-ms T] [--kind einsum|equation|npy|safetensors|api]");
  process.exit(2);
}
if (only !== undefined && !CASE_KINDS.includes(only)) {
  console.error(`unknown --kind '${only}': use one of ${CASE_KINDS.join(", ")}`);
  process.exit(2);
}

const MEMORY_LIMIT = 256 * 2 ** 20;
const failures: { index: number; kind: string; message: string; repro: string }[] = [];
const perKind = new Map<string, number>();
let slowest = { index: -1, ms: 0 };
const t0 = performance.now();

/** Runs cases [start, end) in a fresh worker; resolves to the index to continue from (past a hang). */
function runRange(start: number, end: number): Promise<number> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./fuzz-worker.mjs", import.meta.url), { workerData: { seed, from: start, to: end, only } });
    let current = start;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        failures.push({
          index: current,
          kind: only ?? "?",
          message: `no result after ${timeoutMs} ms (hang or runaway work)`,
          repro: replay(current),
        });
        void worker.terminate();
        resolve(current + 1);
      }, timeoutMs);
    };
    worker.on("message", (m: { start?: number; result?: CaseResult; ms?: number; grownBytes?: number; done?: boolean }) => {
      if (m.start !== undefined) {
        current = m.start;
        arm();
      } else if (m.result) {
        const r = m.result;
        perKind.set(r.kind, (perKind.get(r.kind) ?? 0) + 1);
        if (m.ms! > slowest.ms) slowest = { index: r.index, ms: m.ms! };
        if (!r.ok) failures.push({ index: r.index, kind: r.kind, message: r.message ?? "", repro: r.repro ?? replay(r.index) });
        else if (m.grownBytes! > MEMORY_LIMIT)
          failures.push({
            index: r.index,
            kind: r.kind,
            message: `array buffers grew by ${(m.grownBytes! / 2 ** 20).toFixed(0)} MiB`,
            repro: replay(r.index),
          });
        if ((r.index + 1) % 10000 === 0)
          console.log(`… ${r.index + 1 - from} cases, ${failures.length} failures, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      } else if (m.done) {
        clearTimeout(timer);
        void worker.terminate();
        resolve(end);
      }
    });
    worker.on("error", (e) => {
      clearTimeout(timer);
      failures.push({ index: current, kind: only ?? "?", message: `the worker died: ${e.stack ?? e.message}`, repro: replay(current) });
      resolve(current + 1);
    });
  });
}

function replay(index: number): string {
  return `npm run fuzz -- --seed ${seed} --from ${index} --cases 1${only ? ` --kind ${only}` : ""}`;
}

let next = from;
while (next < from + cases) next = await runRange(next, from + cases);
const seconds = (performance.now() - t0) / 1000;
const kinds = [...perKind].map(([k, n]) => `${k} ${n}`).join(", ");
console.log(
  `fuzz: ${cases} cases (seed ${seed}, from ${from}) in ${seconds.toFixed(1)} s — ${kinds}; slowest case ${slowest.index} (${slowest.ms.toFixed(0)} ms); ${failures.length} failure${failures.length === 1 ? "" : "s"}`,
);
for (const f of failures.slice(0, 50)) {
  console.log(`\nFAIL seed ${seed} case ${f.index} [${f.kind}]: ${f.message}\n  reproduce: ${f.repro}\n  replay:    ${replay(f.index)}`);
}
process.exit(failures.length > 0 ? 1 : 0);
