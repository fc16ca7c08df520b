/**
 * Benchmark helpers: timing, machine description, and Markdown tables. Every bench file times ours
 * and a peer on the same data in the same run.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** A benchmark topic: `run` returns a Markdown section for docs/performance.md. */
export interface BenchTopic {
  /** Short id, e.g. "einsum"; the section is stored between markers with this id. */
  readonly name: string;
  /** Title of the section. */
  readonly title: string;
  /** Runs the measurements; returns the section body (Markdown, without the title). */
  run(options: BenchOptions): Promise<string>;
}

/** Options passed to every topic. */
export interface BenchOptions {
  /** Smaller sizes and fewer repeats (for a smoke run). */
  readonly quick: boolean;
  /** Progress lines go here. */
  readonly log: (line: string) => void;
}

/** Timing of a function: median and all samples, in milliseconds. */
export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly samples: readonly number[];
}

/** Runs `fn` `warmup` times, then `repeats` times, and returns the median wall time. */
export async function time(fn: () => unknown, repeats = 5, warmup = 1): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: sorted[sorted.length >> 1]!, minMs: sorted[0]!, samples };
}

/**
 * Repeats a synchronous `fn` until at least `minMs` have passed per sample (for sub-millisecond work);
 * returns per-call timing. Calls are not awaited, so no microtask cost is measured.
 */
export function timeFast(fn: () => unknown, repeats = 5, minMs = 50): Timing {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    if (performance.now() - t0 >= minMs / 4 || n > 1e7) break;
    n *= 4;
  }
  for (let i = 0; i < n; i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    samples.push((performance.now() - t0) / n);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: sorted[sorted.length >> 1]!, minMs: sorted[0]!, samples };
}

/** One line naming the machine the figures come from. */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? "unknown CPU"}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** A Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.map(String).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Formats a number with `d` significant digits. */
export function fmt(x: number, d = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(d - 1);
  return x.toPrecision(d);
}

/**
 * The repository root (the nearest folder above this file with tsconfig.bench.json; bench/ has a
 * package.json of its own), from the sources or the compiled bench.
 */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "tsconfig.bench.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("no tsconfig.bench.json above the bench folder");
    dir = up;
  }
  return dir;
}
