/**
 * μMoE: the factorized CPμMoE forward against the dense MoE forward at the paper's sizes (768-dim,
 * 128–2048 experts, batch 1 and 256), latency and memory, with numpy running the same two forwards on
 * the same weights in the same run.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CpuBackend,
  createMuMoE,
  DenseMoE,
  difference,
  linearTarget,
  matchRank,
  readNpy,
  randn,
  writeNpy,
  type DenseTensor,
  type MuMoEConfig,
} from "../src/index.js";
import { fmt, repoRoot, table, time, type BenchOptions, type BenchTopic } from "./harness.js";

interface Row {
  readonly n: number;
  readonly rank: number;
  readonly matched: boolean;
  readonly batch: number;
}

/** Bytes of typed-array memory allocated by `fn` (garbage collected first when --expose-gc is on). */
function allocated(fn: () => unknown): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().arrayBuffers;
  const keep = fn();
  const after = process.memoryUsage().arrayBuffers;
  void keep;
  return Math.max(0, after - before);
}

/** writeFileSync refuses buffers over 2 GiB; write them 1 GiB at a time. */
function writeLarge(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, "w");
  try {
    for (let off = 0; off < bytes.length; off += 2 ** 30) writeSync(fd, bytes, off, Math.min(2 ** 30, bytes.length - off));
  } finally {
    closeSync(fd);
  }
}

const paramBytes = (ts: Iterable<DenseTensor>): number => {
  let b = 0;
  for (const t of ts) b += t.data.byteLength;
  return b;
};

async function run(opts: BenchOptions): Promise<string> {
  const dim = opts.quick ? 96 : 768;
  const experts = opts.quick ? [16, 64] : [128, 512, 1024, 2048];
  const batches = opts.quick ? [1, 32] : [1, 256];
  const backend = new CpuBackend({ threads: 1 });
  const rows: (string | number)[][] = [];
  const numpyCases: { id: string; kind: "cp" | "dense"; files: Record<string, string>; repeats: number; out: string }[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), "ml-mumoe-"));
  const ours = new Map<string, { ms: number; bytes: number; params: number; out: DenseTensor }>();
  const cases: Row[] = [];
  try {
    for (const n of experts) {
      const template = { kind: "cp" as const, inputDim: dim, outputDim: dim, expertDims: [n] };
      const m = matchRank(template, linearTarget(template));
      const rank = m.feasible ? m.rank : Math.min(512, dim);
      const config: MuMoEConfig = { ...template, ranks: rank };
      const layer = createMuMoE(config, { seed: n, init: "random", dtype: "float32" });
      // The dense expert tensor N·I·O: from 4 GiB of float32 (N = 2048 at 768→768: 4.5 GiB) this 24 GiB
      // machine thrashes and the .npy for numpy passes the largest typed array, so the dense MoE is not run there.
      const denseFits = n * dim * dim * 4 < 2 ** 32 - 2 ** 20;
      const moe = denseFits
        ? DenseMoE.random({ inputDim: dim, outputDim: dim, nExperts: n }, { seed: n + 1, dtype: "float32" })
        : undefined;
      for (const batch of batches) {
        cases.push({ n, rank, matched: m.feasible, batch });
        const x = randn([batch, dim], { seed: batch, dtype: "float32" });
        const id = `n${n}-b${batch}`;
        const heavy = n * dim * dim * batch > 5e10;
        const reps = heavy ? 2 : batch === 1 ? 9 : 5;
        const tf = await time(() => layer.forward(x, { backend }), batch === 1 ? 9 : 5, 2);
        const outF = layer.forward(x, { backend });
        const bytesF = allocated(() => layer.forward(x, { backend }));
        ours.set(`cp-${id}`, {
          ms: tf.medianMs,
          bytes: bytesF,
          params: paramBytes([...layer.namedParameters().values(), ...layer.namedBuffers().values()]),
          out: outF,
        });
        if (moe) {
          const td = await time(() => moe.forward(x, { backend }), reps, 1);
          const bytesD = allocated(() => moe.forward(x, { backend }));
          ours.set(`dense-${id}`, {
            ms: td.medianMs,
            bytes: bytesD,
            params: paramBytes(moe.namedParameters().values()),
            out: moe.forward(x, { backend }),
          });
          opts.log(`N=${n} b=${batch}: factorized ${fmt(tf.medianMs)} ms, dense ${fmt(td.medianMs)} ms`);
        } else opts.log(`N=${n} b=${batch}: factorized ${fmt(tf.medianMs)} ms, dense not run`);
        // The same weights for numpy (written once per expert count; files can pass 2 GiB, so in chunks).
        const save = (name: string, t: DenseTensor, perLayer = false): string => {
          const f = path.join(dir, `${perLayer ? `n${n}` : id}-${name}.npy`);
          if (!existsSync(f)) writeLarge(f, writeNpy(t));
          return f;
        };
        const [u1, u2, u3] = layer.weights.layer1;
        const bn = layer.weights.bn![0]!;
        numpyCases.push({
          id: `cp-${id}`,
          kind: "cp",
          repeats: reps,
          out: path.join(dir, `${id}-cp-out.npy`),
          files: {
            x: save("x", x),
            proj: save("proj", layer.weights.projs[0]!, true),
            mean: save("mean", bn.runningMean, true),
            var: save("var", bn.runningVar, true),
            u1: save("u1", u1!, true),
            u2: save("u2", u2!, true),
            u3: save("u3", u3!, true),
          },
        });
        if (moe)
          numpyCases.push({
            id: `dense-${id}`,
            kind: "dense",
            repeats: reps,
            out: path.join(dir, `${id}-dense-out.npy`),
            files: {
              x: save("x", x),
              gate: save("gate", moe.weights.gate, true),
              weight: save("weight", moe.weights.weight, true),
              bias: save("bias", moe.weights.bias!, true),
            },
          });
      }
    }
    const specFile = path.join(dir, "spec.json");
    writeFileSync(specFile, JSON.stringify({ cases: numpyCases }));
    opts.log("numpy peer…");
    const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
    const r = spawnSync("python3", [path.join(repoRoot(), "bench", "peers", "numpy_mumoe.py"), specFile], {
      env,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    const np =
      r.status === 0
        ? (JSON.parse(r.stdout) as { numpy: string; results: Record<string, { median_ms: number; peak_bytes: number }> })
        : undefined;
    if (!np) opts.log(`numpy peer failed: ${r.stderr.slice(0, 500)}`);
    for (const c of cases) {
      const id = `n${c.n}-b${c.batch}`;
      const f = ours.get(`cp-${id}`)!;
      const d = ours.get(`dense-${id}`);
      const npF = np?.results[`cp-${id}`];
      const npD = np?.results[`dense-${id}`];
      let agree = "–";
      if (npF) {
        const ref = readNpy(new Uint8Array(readFileSync(path.join(dir, `${id}-cp-out.npy`))));
        let scale = 1;
        for (const v of ref.toTypedArray()) scale = Math.max(scale, Math.abs(v));
        const diff = difference(f.out.reshape(ref.shape), ref, { rtol: 0, atol: 1e-4 * scale });
        agree = diff.mismatches === 0 ? "yes" : `NO (${fmt(diff.maxAbs / scale)})`;
      }
      const MB = (b: number): string => fmt(b / 2 ** 20);
      rows.push([
        c.n,
        `${c.rank}${c.matched ? "" : " (fixed)"}`,
        c.batch,
        fmt(f.ms),
        d ? fmt(d.ms) : `not run (weight ${fmt((c.n * dim * dim * 4) / 2 ** 30)} GiB)`,
        d ? `${fmt(d.ms / f.ms)}×` : "–",
        `${MB(f.params + f.bytes)} / ${d ? MB(d.params + d.bytes) : "–"}`,
        d ? `${fmt((d.params + d.bytes) / (f.params + f.bytes))}×` : "–",
        npF ? `${fmt(npF.median_ms)} (${fmt(npF.median_ms / f.ms)}×)` : "–",
        npD && d ? `${fmt(npD.median_ms)} (${fmt(npD.median_ms / d.ms)}×)` : "–",
        agree,
      ]);
    }
    return [
      `Layer ${dim}→${dim}, float32, one thread (our CPU backend with \`threads: 1\`; numpy with OPENBLAS_NUM_THREADS=1, numpy ${np?.numpy ?? "absent"}). ` +
        "Factorized = CPμMoE (BatchNorm-eval + entmax-1.5 gates, bias folded in, rank matched to the linear layer's parameters where possible; " +
        'from 769 experts on, the gate alone exceeds the linear layer\'s budget, so the rank is fixed — marked "fixed"). ' +
        "Dense = dense MoE with softmax gates, every expert evaluated. Memory = parameters plus bytes allocated during one forward " +
        "(typed-array memory growth after a forced GC; for numpy, tracemalloc's peak of one call). Ratios above 1 mean the factorized layer (or ours) is cheaper. " +
        '"agrees" compares our factorized output with numpy\'s.',
      "",
      table(
        [
          "experts",
          "rank",
          "batch",
          "factorized ms",
          "dense ms",
          "dense/factorized time",
          "memory MB (fact. / dense)",
          "dense/factorized memory",
          "numpy factorized ms (vs ours)",
          "numpy dense ms (vs ours)",
          "agrees",
        ],
        rows,
      ),
    ].join("\n");
  } finally {
    backend.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const topic: BenchTopic = { name: "mumoe", title: "μMoE: factorized vs dense MoE forward", run };
export default topic;
