/**
 * Decompositions: CP-ALS iterations against the same ALS in numpy, SVD against scipy/numpy, and a
 * lazily contracted tensor ring against forming it — all in the same run, on the same data.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CpuBackend, CPTensor, cpAls, cpToTensor, einsum, frobenius, randn, svd, TRTensor, writeNpy } from "../src/index.js";
import { fmt, repoRoot, table, time, type BenchOptions, type BenchTopic } from "./harness.js";

/**
 * Timed calls per workload, on both sides. Whole runs on this VM swing by ±30 % and the ratios sit
 * near their targets, so medians of many calls.
 */
const REPEATS = 11;

async function run(opts: BenchOptions): Promise<string> {
  const n = opts.quick ? 40 : 100;
  const rank = 10;
  const iters = opts.quick ? 3 : 10;
  const m = opts.quick ? 200 : 500;
  const dir = mkdtempSync(path.join(os.tmpdir(), "ml-decomp-"));
  try {
    // A rank-10 tensor plus 1% noise, so the fit neither converges at once nor reaches round-off.
    const planted = new CPTensor(undefined, [0, 1, 2].map((k) => randn([n, rank], { seed: k + 1 })));
    const x = cpToTensor(planted);
    const noise = randn(x.shape, { seed: 99 });
    const scale = (0.01 * frobenius(x)) / Math.sqrt(x.size);
    for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! + scale * noise.data[i]!;
    const a = randn([m, m], { seed: 9 });
    // CP-ALS: random init (cheap), so the timing is the iterations.
    const one = new CpuBackend({ threads: 1 });
    const tAls = await time(() => cpAls(x, rank, { init: "random", maxIter: iters, tol: 1e-12, seed: 0, backend: one }), REPEATS, 2);
    opts.log(`cp-als ${n}^3 r${rank}: ${fmt(tAls.medianMs / iters)} ms/iteration`);
    // SVD on one thread, like the peers; the default backend (every core) is reported beside it.
    const tSvd = await time(() => svd(a, { backend: one }), REPEATS, 2);
    const tSvdAll = await time(() => svd(a), REPEATS, 2);
    one.dispose();
    opts.log(`svd ${m}x${m}: ${fmt(tSvd.medianMs)} ms (1 thread), ${fmt(tSvdAll.medianMs)} ms (all cores)`);
    // Lazy TR: 8-way, dims 10, ranks 8, a vector on every mode.
    const d = opts.quick ? 6 : 8;
    const tr = new TRTensor(Array.from({ length: d }, (_, k) => randn([8, 10, 8], { seed: 20 + k })));
    const vs = Array.from({ length: d }, (_, k) => randn([10], { seed: 40 + k }));
    const modes = "abcdefgh".slice(0, d);
    const eq = `${modes},${[...modes].join(",")}->`;
    const tLazy = await time(() => einsum(eq, [tr, ...vs]), 7, 2);
    const lazyValue = einsum(eq, [tr, ...vs]).item();
    let denseValue = NaN;
    const tDense = await time(() => {
      denseValue = einsum(eq, [tr.toDense(), ...vs]).item();
    }, 1, 0);
    opts.log(`lazy TR ${d}-way: ${fmt(tLazy.medianMs)} ms vs forming ${fmt(tDense.medianMs)} ms`);
    // numpy/scipy peers on the same data.
    const tensorFile = path.join(dir, "x.npy");
    const matrixFile = path.join(dir, "a.npy");
    writeFileSync(tensorFile, writeNpy(x));
    writeFileSync(matrixFile, writeNpy(a));
    const specFile = path.join(dir, "spec.json");
    writeFileSync(specFile, JSON.stringify({ cp_als: { tensor: tensorFile, rank, iters, repeats: REPEATS }, svd: { matrix: matrixFile, repeats: REPEATS } }));
    const cores = os.cpus().length;
    const peer = (threads: number, file: string): PeerResult | undefined => {
      const t = String(threads);
      const env = { ...process.env, OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t };
      const r = spawnSync("python3", [path.join(repoRoot(), "bench", "peers", "numpy_decomp.py"), file], { env, encoding: "utf8" });
      if (r.status !== 0) opts.log(`python peer failed: ${r.stderr.slice(0, 300)}`);
      return r.status === 0 ? (JSON.parse(r.stdout) as PeerResult) : undefined;
    };
    const py = peer(1, specFile);
    // The SVD again with the peers' default threading (every core), beside ours on every core.
    const svdSpec = path.join(dir, "svd-spec.json");
    writeFileSync(svdSpec, JSON.stringify({ svd: { matrix: matrixFile, repeats: REPEATS } }));
    const pyAll = peer(cores, svdSpec);
    const perIt = tAls.medianMs / iters;
    const rows: (string | number)[][] = [
      [`CP-ALS ${n}×${n}×${n}, rank ${rank} (per iteration)`, `${fmt(perIt)} ms`, py ? `numpy ${fmt(py.cp_als_ms / iters)} ms` : "–", py ? `${fmt(py.cp_als_ms / iters / perIt)}×` : "–"],
      [`SVD ${m}×${m} (U, s, Vᵀ)`, `${fmt(tSvd.medianMs)} ms`, py ? `scipy gesdd ${fmt(py.scipy_svd_ms)} ms` : "–", py ? `${fmt(py.scipy_svd_ms / tSvd.medianMs)}×` : "–"],
      ["", "", py ? `scipy gesvd (QR iteration) ${fmt(py.scipy_gesvd_ms)} ms` : "–", py ? `${fmt(py.scipy_gesvd_ms / tSvd.medianMs)}×` : "–"],
      ["", "", py ? `numpy.linalg.svd ${fmt(py.numpy_svd_ms)} ms` : "–", py ? `${fmt(py.numpy_svd_ms / tSvd.medianMs)}×` : "–"],
      [`SVD ${m}×${m}, every core (${cores}) on both sides`, `${fmt(tSvdAll.medianMs)} ms`, pyAll ? `scipy gesdd ${fmt(pyAll.scipy_svd_ms)} ms` : "–", pyAll ? `${fmt(pyAll.scipy_svd_ms / tSvdAll.medianMs)}×` : "–"],
      [`TR ${d}-way (dims 10, ranks 8) · a vector on every mode, lazy`, `${fmt(tLazy.medianMs)} ms`, `forming the 10^${d} tensor first: ${fmt(tDense.medianMs)} ms`, `${fmt(tDense.medianMs / tLazy.medianMs)}×`],
    ];
    const agree = Math.abs(lazyValue - denseValue) <= 1e-9 * Math.max(1, Math.abs(denseValue));
    return [
      `float64, one thread unless a row says otherwise (numpy ${py?.numpy ?? "absent"}, scipy ${py?.scipy ?? "absent"}, OPENBLAS_NUM_THREADS=1; the every-core row runs both sides with their defaults). Ratio = peer time / ours (above 1: we are faster). ` +
        `Our SVD follows gesdd (blocked bidiagonalisation, divide and conquer, compact-WY back-transform). The numpy CP-ALS is the same algorithm (random init, normal equations with the Hadamard product of Gram matrices, MTTKRP as unfolding × Khatri–Rao). ` +
        `Lazy and formed TR contractions agree: ${agree ? "yes" : "NO"}.`,
      "",
      table(["workload", "multilinear", "peer", "ratio"], rows),
    ].join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What bench/peers/numpy_decomp.py prints (the CP-ALS entry only when asked for). */
interface PeerResult {
  readonly numpy: string;
  readonly scipy: string;
  readonly cp_als_ms: number;
  readonly scipy_svd_ms: number;
  readonly scipy_gesvd_ms: number;
  readonly numpy_svd_ms: number;
}

const topic: BenchTopic = { name: "decomp", title: "Decompositions: CP-ALS, SVD and lazy tensor rings", run };
export default topic;
