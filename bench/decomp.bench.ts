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
 * Rounds of timed calls, alternating our side and the peers' (whole runs on this VM swing by ±30 %
 * and its speed drifts within a run; the ratios sit near their targets), and calls per round.
 */
const ROUNDS = 3;
const PER_ROUND = 4;

async function run(opts: BenchOptions): Promise<string> {
  const n = opts.quick ? 40 : 100;
  const rank = 10;
  const iters = opts.quick ? 3 : 10;
  const m = opts.quick ? 200 : 500;
  const dir = mkdtempSync(path.join(os.tmpdir(), "ml-decomp-"));
  try {
    // A rank-10 tensor plus 1% noise, so the fit neither converges at once nor reaches round-off.
    const planted = new CPTensor(
      undefined,
      [0, 1, 2].map((k) => randn([n, rank], { seed: k + 1 })),
    );
    const x = cpToTensor(planted);
    const noise = randn(x.shape, { seed: 99 });
    const scale = (0.01 * frobenius(x)) / Math.sqrt(x.size);
    for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! + scale * noise.data[i]!;
    const a = randn([m, m], { seed: 9 });
    // Our side and the peers' alternate in rounds, so both sample the same spells of a VM whose
    // speed drifts; each row's figure is the median over all rounds.
    const tensorFile = path.join(dir, "x.npy");
    const matrixFile = path.join(dir, "a.npy");
    writeFileSync(tensorFile, writeNpy(x));
    writeFileSync(matrixFile, writeNpy(a));
    const specFile = path.join(dir, "spec.json");
    writeFileSync(
      specFile,
      JSON.stringify({ cp_als: { tensor: tensorFile, rank, iters, repeats: PER_ROUND }, svd: { matrix: matrixFile, repeats: PER_ROUND } }),
    );
    const svdSpec = path.join(dir, "svd-spec.json");
    writeFileSync(svdSpec, JSON.stringify({ svd: { matrix: matrixFile, repeats: PER_ROUND, others: false } }));
    const cores = os.cpus().length;
    const peer = (threads: number, file: string): PeerResult | undefined => {
      const t = String(threads);
      const env = { ...process.env, OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t };
      const r = spawnSync("python3", [path.join(repoRoot(), "bench", "peers", "numpy_decomp.py"), file], { env, encoding: "utf8" });
      if (r.status !== 0) opts.log(`python peer failed: ${r.stderr.slice(0, 300)}`);
      return r.status === 0 ? (JSON.parse(r.stdout) as PeerResult) : undefined;
    };
    const one = new CpuBackend({ threads: 1 });
    const ours = { als: [] as number[], svd: [] as number[], svdAll: [] as number[] };
    const theirs = { als: [] as number[], svd: [] as number[], gesvd: [] as number[], npSvd: [] as number[], svdAll: [] as number[] };
    let py: PeerResult | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      // Two untimed calls per round: the first after a peer process often re-maps memory on this VM.
      const warm = 2;
      // CP-ALS with random init (cheap), so the timing is the iterations; the SVD on one thread like
      // the peers, and on the default backend (every core) against the peers' default threading.
      ours.als.push(
        ...(await time(() => cpAls(x, rank, { init: "random", maxIter: iters, tol: 1e-12, seed: 0, backend: one }), PER_ROUND, warm))
          .samples,
      );
      ours.svd.push(...(await time(() => svd(a, { backend: one }), PER_ROUND, warm)).samples);
      ours.svdAll.push(...(await time(() => svd(a), PER_ROUND, warm)).samples);
      py = peer(1, specFile);
      const pyAll = peer(cores, svdSpec);
      if (py) {
        theirs.als.push(...py.cp_als_samples);
        theirs.svd.push(...py.scipy_svd_samples);
        theirs.gesvd.push(...py.scipy_gesvd_samples);
        theirs.npSvd.push(...py.numpy_svd_samples);
      }
      if (pyAll) theirs.svdAll.push(...pyAll.scipy_svd_samples);
    }
    one.dispose();
    const med = (xs: number[]): number => (xs.length ? [...xs].sort((p, q) => p - q)[xs.length >> 1]! : NaN);
    const tAls = { medianMs: med(ours.als) };
    const tSvd = { medianMs: med(ours.svd) };
    const tSvdAll = { medianMs: med(ours.svdAll) };
    const peerMs = {
      als: med(theirs.als),
      svd: med(theirs.svd),
      gesvd: med(theirs.gesvd),
      npSvd: med(theirs.npSvd),
      svdAll: med(theirs.svdAll),
    };
    opts.log(`cp-als ${n}^3 r${rank}: ${fmt(tAls.medianMs / iters)} ms/iteration (numpy ${fmt(peerMs.als / iters)})`);
    opts.log(
      `svd ${m}x${m}: ${fmt(tSvd.medianMs)} ms (1 thread; scipy ${fmt(peerMs.svd)}), ${fmt(tSvdAll.medianMs)} ms (all cores; scipy ${fmt(peerMs.svdAll)})`,
    );
    // Lazy TR: 8-way, dims 10, ranks 8, a vector on every mode.
    const d = opts.quick ? 6 : 8;
    const tr = new TRTensor(Array.from({ length: d }, (_, k) => randn([8, 10, 8], { seed: 20 + k })));
    const vs = Array.from({ length: d }, (_, k) => randn([10], { seed: 40 + k }));
    const modes = "abcdefgh".slice(0, d);
    const eq = `${modes},${[...modes].join(",")}->`;
    const tLazy = await time(() => einsum(eq, [tr, ...vs]), 7, 2);
    const lazyValue = einsum(eq, [tr, ...vs]).item();
    let denseValue = NaN;
    const tDense = await time(
      () => {
        denseValue = einsum(eq, [tr.toDense(), ...vs]).item();
      },
      1,
      0,
    );
    opts.log(`lazy TR ${d}-way: ${fmt(tLazy.medianMs)} ms vs forming ${fmt(tDense.medianMs)} ms`);
    const perIt = tAls.medianMs / iters;
    const has = (v: number): boolean => py !== undefined && Number.isFinite(v);
    const ratioCell = (v: number, ourMs: number): string => (has(v) ? `${fmt(v / ourMs)}×` : "–");
    const rows: (string | number)[][] = [
      [
        `CP-ALS ${n}×${n}×${n}, rank ${rank} (per iteration)`,
        `${fmt(perIt)} ms`,
        has(peerMs.als) ? `numpy ${fmt(peerMs.als / iters)} ms` : "–",
        ratioCell(peerMs.als, tAls.medianMs),
      ],
      [
        `SVD ${m}×${m} (U, s, Vᵀ)`,
        `${fmt(tSvd.medianMs)} ms`,
        has(peerMs.svd) ? `scipy gesdd ${fmt(peerMs.svd)} ms` : "–",
        ratioCell(peerMs.svd, tSvd.medianMs),
      ],
      ["", "", has(peerMs.gesvd) ? `scipy gesvd (QR iteration) ${fmt(peerMs.gesvd)} ms` : "–", ratioCell(peerMs.gesvd, tSvd.medianMs)],
      ["", "", has(peerMs.npSvd) ? `numpy.linalg.svd ${fmt(peerMs.npSvd)} ms` : "–", ratioCell(peerMs.npSvd, tSvd.medianMs)],
      [
        `SVD ${m}×${m}, every core (${cores}) on both sides`,
        `${fmt(tSvdAll.medianMs)} ms`,
        has(peerMs.svdAll) ? `scipy gesdd ${fmt(peerMs.svdAll)} ms` : "–",
        ratioCell(peerMs.svdAll, tSvdAll.medianMs),
      ],
      [
        `TR ${d}-way (dims 10, ranks 8) · a vector on every mode, lazy`,
        `${fmt(tLazy.medianMs)} ms`,
        `forming the 10^${d} tensor first: ${fmt(tDense.medianMs)} ms`,
        `${fmt(tDense.medianMs / tLazy.medianMs)}×`,
      ],
    ];
    const agree = Math.abs(lazyValue - denseValue) <= 1e-9 * Math.max(1, Math.abs(denseValue));
    return [
      `float64, one thread unless a row says otherwise (numpy ${py?.numpy ?? "absent"}, scipy ${py?.scipy ?? "absent"}, OPENBLAS_NUM_THREADS=1; the every-core row runs both sides with their defaults). ` +
        `Medians of ${ROUNDS * PER_ROUND} calls per side, taken in ${ROUNDS} rounds that alternate our side and the peers'. Ratio = peer time / ours (above 1: we are faster). ` +
        `Our SVD follows gesdd (blocked bidiagonalisation, divide and conquer, compact-WY back-transform). The numpy CP-ALS is the same algorithm (random init, normal equations with the Hadamard product of Gram matrices, MTTKRP as unfolding × Khatri–Rao). ` +
        `Lazy and formed TR contractions agree: ${agree ? "yes" : "NO"}.`,
      "",
      table(["workload", "multilinear", "peer", "ratio"], rows),
    ].join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What bench/peers/numpy_decomp.py prints (medians and samples in ms; entries only where asked for). */
interface PeerResult {
  readonly numpy: string;
  readonly scipy: string;
  readonly cp_als_samples: number[];
  readonly scipy_svd_samples: number[];
  readonly scipy_gesvd_samples: number[];
  readonly numpy_svd_samples: number[];
}

const topic: BenchTopic = { name: "decomp", title: "Decompositions: CP-ALS, SVD and lazy tensor rings", run };
export default topic;
