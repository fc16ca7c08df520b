/**
 * Start-up: `multilinear --help`, `multilinear info a.npy` and `import "multilinear"`, each in a
 * fresh Node process, against Node itself (`node -e 0`, the floor) and against importing mathjs (what
 * every start cost while the budget formulas imported it statically). Figures are medians over
 * rounds that alternate the commands, so all of them sample the same spells of a busy machine.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { writeNpy, zeros } from "../src/index.js";
import { fmt, repoRoot, table, type BenchOptions, type BenchTopic } from "./harness.js";

/**
 * The compiled library to start: the bench's own compiled copy of src (bench/dist/src, what
 * `npm run bench` runs: always the current sources), or dist/ when the bench runs from its sources
 * under tsx.
 */
function libraryDir(): string {
  if (!import.meta.url.endsWith(".ts")) return fileURLToPath(new URL("../src/", import.meta.url));
  const dist = path.join(repoRoot(), "dist");
  if (!existsSync(path.join(dist, "cli", "bin.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  return dist;
}

/** One measured start: a label, the node arguments, and the target (ms) when there is one. */
interface Probe {
  readonly label: string;
  readonly args: readonly string[];
  readonly targetMs?: number;
}

/** Wall time of one fresh process, spawn to exit (ms); throws when it fails. */
function startMs(args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 300)}`);
  return ms;
}

/**
 * A child that times `code` itself, without Node's own start: wall and CPU milliseconds (CPU time
 * waits for no other process, so it says more than wall time on a busy machine).
 */
function inProcessMs(code: string): { wall: number; cpu: number } {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`in-process probe failed: ${r.stderr.slice(0, 300)}`);
  const [wall, cpu] = r.stdout.trim().split(" ").map(Number);
  return { wall: wall!, cpu: cpu! };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function run(opts: BenchOptions): Promise<string> {
  const rounds = opts.quick ? 3 : 9;
  const lib = libraryDir();
  const url = (rel: string): string => pathToFileURL(path.join(lib, rel)).href;
  const bin = path.join(lib, "cli", "bin.js");
  const dir = mkdtempSync(path.join(os.tmpdir(), "ml-startup-"));
  try {
    const npy = path.join(dir, "a.npy");
    writeFileSync(npy, writeNpy(zeros([3, 4])));
    const probes: readonly Probe[] = [
      { label: "`node -e 0` (Node itself)", args: ["-e", "0"] },
      { label: "`multilinear --help`", args: [bin, "--help"], targetMs: 300 },
      { label: "`multilinear info a.npy`", args: [bin, "info", npy], targetMs: 300 },
      { label: '`import "multilinear"`', args: ["--input-type=module", "-e", `await import(${JSON.stringify(url("index.js"))})`] },
      { label: '`import "multilinear/gpu"`', args: ["--input-type=module", "-e", `await import(${JSON.stringify(url("gpu/index.js"))})`] },
      { label: '`import "mathjs"` (peer: what every start paid before)', args: ["--input-type=module", "-e", "await import('mathjs')"] },
    ];
    const timeIt = (what: string): string =>
      `const c0 = process.cpuUsage(), t0 = performance.now(); ${what}; const c = process.cpuUsage(c0); ` +
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text for the child process, whose template it is
      "process.stdout.write(`${performance.now() - t0} ${(c.user + c.system) / 1000}`);";
    const inProcess = [
      {
        label: '`import "multilinear"`, the import alone',
        code: timeIt(`await import(${JSON.stringify(url("index.js"))})`),
        targetMs: 150,
      },
      {
        label: "first budget formula after the import (loads mathjs)",
        code: `const m = await import(${JSON.stringify(url("index.js"))}); ${timeIt('m.evaluateFormula("R*(N + I + O) + I*N", { R: 1, N: 2, I: 3, O: 4 })')}`,
      },
    ] as const;
    const samples = probes.map(() => [] as number[]);
    const inSamples = inProcess.map(() => [] as { wall: number; cpu: number }[]);
    startMs(["-e", "0"]); // warms the file cache
    for (let round = 0; round < rounds; round++) {
      probes.forEach((p, i) => samples[i]!.push(startMs(p.args)));
      inProcess.forEach((p, i) => inSamples[i]!.push(inProcessMs(p.code)));
      opts.log(`round ${round + 1}/${rounds}: ${probes.map((p, i) => `${p.label} ${fmt(samples[i]!.at(-1)!)} ms`).join(", ")}`);
    }
    const verdict = (ms: number, target: number | undefined): string =>
      target === undefined ? "" : `< ${target} ms: ${ms < target ? "yes" : "no"}`;
    // Above Node's own start: the median of each round's difference to `node -e 0` in that round.
    const above = (i: number): number => median(samples[i]!.map((ms, r) => ms - samples[0]![r]!));
    const rows = probes.map((p, i) => {
      const m = median(samples[i]!);
      return [p.label, fmt(m), fmt(Math.min(...samples[i]!)), i === 0 ? "" : fmt(above(i)), verdict(m, p.targetMs)];
    });
    const inRows = inProcess.map((p, i) => {
      const wall = median(inSamples[i]!.map((s) => s.wall));
      const cpu = median(inSamples[i]!.map((s) => s.cpu));
      return [
        p.label,
        fmt(wall),
        fmt(Math.min(...inSamples[i]!.map((s) => s.wall))),
        fmt(cpu),
        verdict(wall, "targetMs" in p ? p.targetMs : undefined),
      ];
    });
    const load = os.loadavg()[0]!;
    return [
      `Fresh processes, ${rounds} rounds (each round runs every row once), median and fastest wall time from spawn to exit, ` +
        `load average ${load.toFixed(1)} on ${os.cpus().length} cores at the end. The library is the bench's compiled copy of src.`,
      "",
      table(["start", "median ms", "fastest ms", "above Node ms", "target"], rows),
      "",
      "Inside the process (the child times the import itself, without Node's own start-up):",
      "",
      table(["what", "median ms", "fastest ms", "CPU ms", "target"], inRows),
      "",
      "The core entry loads neither gpu.js, webgpu nor mathjs; mathjs is loaded by the first budget formula, " +
        "and the CLI imports a command's module only when that command runs. What remains of the import is " +
        "Node's ES-module loader reading and linking about a hundred small files.",
    ].join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const topic: BenchTopic = { name: "startup", title: "Start-up: CLI commands and the core import, in fresh processes", run };
export default topic;
