/**
 * Worker threads for the WebAssembly kernels. Each worker instantiates the same module on the same
 * shared memory and parks inside the module's `workerLoop`, waiting on the control block; jobs are
 * handed out through that memory, never through messages. Node uses `worker_threads` (imported
 * dynamically, so browser bundles never see it); browsers use a Blob-URL `Worker`, which needs a
 * cross-origin-isolated page for `SharedArrayBuffer`.
 * @module
 */

/** The worker's whole program. Plain JavaScript so it runs unchanged under Node (`eval`) and in a browser. */
const WORKER_SOURCE = `"use strict";
function start(d, post) {
  const instance = new WebAssembly.Instance(d.module, { env: { memory: d.memory } });
  post("ready");
  instance.exports.workerLoop(d.id, d.gen);
  post("stopped");
}
if (typeof require === "function") {
  const { parentPort } = require("node:worker_threads");
  parentPort.once("message", (d) => start(d, (m) => parentPort.postMessage(m)));
} else {
  self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
}
`;

/** Started workers; `terminate` stops them. */
export interface WorkerSet {
  readonly size: number;
  terminate(): void;
}

interface NodeWorker {
  on(event: "message" | "error", listener: (value: unknown) => void): void;
  postMessage(value: unknown): void;
  unref(): void;
  terminate(): Promise<number>;
}

/** True inside Node.js (or a runtime that mimics its `process.versions.node`). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/** True when this agent may block in `Atomics.wait` (Node's main thread and any worker; not a browser page). */
export function canBlock(): boolean {
  if (isNode()) return true;
  return typeof (globalThis as { document?: unknown }).document === "undefined";
}

/** True when shared WebAssembly memory can be created and sent to workers here. */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return false;
  if (isNode()) return true;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Number of logical cores (1 when unknown). */
export async function availableCores(): Promise<number> {
  if (isNode()) {
    const name = "node:os";
    const os = (await import(/* @vite-ignore */ name)) as typeof import("node:os");
    return Math.max(1, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length);
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

/**
 * Starts `count` workers with ids 1…count (id 0 is the calling thread). Resolves once every worker
 * has instantiated the module and is about to wait for generation `gen` to change.
 */
export async function startWorkers(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, gen: number): Promise<WorkerSet> {
  if (count <= 0) return { size: 0, terminate() {} };
  if (isNode()) return startNodeWorkers(module, memory, count, gen);
  return startBrowserWorkers(module, memory, count, gen);
}

async function startNodeWorkers(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, gen: number): Promise<WorkerSet> {
  const name = "node:worker_threads";
  const wt = (await import(/* @vite-ignore */ name)) as {
    Worker: new (src: string, opts: { eval: boolean; execArgv: string[] }) => NodeWorker;
  };
  const workers: NodeWorker[] = [];
  const ready: Promise<void>[] = [];
  for (let id = 1; id <= count; id++) {
    // No inherited flags: `--input-type=module` would make the eval'd source ESM (no `require`), and a
    // loader such as `--import tsx` would only slow the start. V8 flags are process-wide anyway.
    const w = new wt.Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    workers.push(w);
    ready.push(
      new Promise<void>((resolve, reject) => {
        w.on("message", (m) => {
          if (m === "ready") resolve();
        });
        w.on("error", (e) => reject(e instanceof Error ? e : new Error(String(e))));
      }),
    );
    w.postMessage({ module, memory, id, gen });
  }
  try {
    await Promise.all(ready);
    // Parked workers must not keep the process alive.
    for (const w of workers) w.unref();
  } catch (e) {
    for (const w of workers) void w.terminate();
    throw e;
  }
  return {
    size: count,
    terminate() {
      for (const w of workers) void w.terminate();
    },
  };
}

async function startBrowserWorkers(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, gen: number): Promise<WorkerSet> {
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const workers: Worker[] = [];
  try {
    const ready: Promise<void>[] = [];
    for (let id = 1; id <= count; id++) {
      const w = new Worker(url);
      workers.push(w);
      ready.push(
        new Promise<void>((resolve, reject) => {
          w.onmessage = (e: MessageEvent) => {
            if (e.data === "ready") resolve();
          };
          w.onerror = (e) => reject(new Error(e.message));
        }),
      );
      w.postMessage({ module, memory, id, gen });
    }
    await Promise.all(ready);
  } catch (e) {
    for (const w of workers) w.terminate();
    throw e;
  } finally {
    URL.revokeObjectURL(url);
  }
  return {
    size: count,
    terminate() {
      for (const w of workers) w.terminate();
    },
  };
}
