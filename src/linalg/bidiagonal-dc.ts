/**
 * Singular value decomposition of an upper bidiagonal matrix by divide and conquer (Gu & Eisenstat,
 * "A divide-and-conquer algorithm for the bidiagonal SVD", 1995; the structure of LAPACK's dbdsdc).
 * The matrix is split at a middle row into two bidiagonals whose SVDs are found recursively (small
 * ones by QR iteration); the merged problem is an arrow matrix `M = [z; 0 D]` whose singular values
 * solve the secular equation `1 + Σ z_j² / (d_j² − σ²) = 0`. Small `z_j` and close `d_j` deflate;
 * the remaining `z` is recomputed from the computed roots (Löwner's formula) so the singular vectors
 * come out numerically orthogonal, and the old vectors are updated by GEMMs.
 * @module
 */
import { NotConvergedError } from "../errors.js";
import { bidiagonalQR, squareUpExtraColumn } from "./bidiagonal-qr.js";
import { gemm } from "./dense-gemm.js";
import { HeapF64, ResidentF64, type Level2F64 } from "../kernels/level2.js";
import type { CpuBackend } from "../tensor/backends/cpu/backend.js";
import type { WorkArrays } from "../tensor/backends/cpu/work-arrays.js";

/** Subproblems with at most this many rows are solved by QR iteration. */
export const DC_LEAF = 25;

const EPS = 2 ** -52;

/**
 * SVD of the `n×n` upper bidiagonal (`d` diagonal, `e` superdiagonal): `d` receives the singular
 * values (non-negative, in no particular order) and the returned row-major `n×n` arrays hold the
 * matching left and right singular vectors as columns (work arrays of `backend`, which also runs the
 * GEMMs). `e` is destroyed.
 * @throws {@link NotConvergedError} when a leaf's QR iteration or a secular equation fails.
 */
export function bidiagonalDC(
  d: Float64Array,
  e: Float64Array,
  n: number,
  backend: CpuBackend,
): { readonly ub: Float64Array; readonly vb: Float64Array } {
  // Work arrays: the caller copies what it needs out of them before the next SVD.
  const work = backend.workArrays;
  const ub = work.take("dc.ub", n * n, true);
  const vb = work.take("dc.vb", n * n, true);
  if (n === 0) return { ub, vb };
  // The secular passes run as WebAssembly SIMD on pinned kernel memory when the GEMMs use the
  // kernels (and the block is free), else as TypeScript loops on an ordinary array.
  const words = secularLayout(n).words;
  const rt = n > DC_LEAF ? backend.runtime : undefined;
  const ws: Level2F64 = (rt && ResidentF64.open(rt, words)) || new HeapF64(words);
  try {
    solve({ d, e, U: ub, V: vb, N: n, ws, backend, work }, 0, n, 0);
  } finally {
    ws.close();
  }
  return { ub, vb };
}

/** The whole problem: bidiagonal entries and the global vector arrays (row-major N×N). */
interface Problem {
  readonly d: Float64Array;
  readonly e: Float64Array;
  readonly U: Float64Array;
  readonly V: Float64Array;
  readonly N: number;
  /** Work memory of the secular solver's passes (layout: {@link secularLayout}). */
  readonly ws: Level2F64;
  /** Runs the GEMMs. */
  readonly backend: CpuBackend;
  /** The backend's work arrays. */
  readonly work: WorkArrays;
}

/**
 * Word offsets in the secular solver's work memory, for merges of up to N columns: the K×K
 * reciprocals first, then K-word vectors (the scaled poles d, z², the pole offsets δ relative to
 * the roots' lower and upper poles, the Löwner products) and five words of sums.
 */
function secularLayout(N: number): {
  readonly inv: number;
  readonly d: number;
  readonly z2: number;
  readonly lower: number;
  readonly upper: number;
  readonly lowner: number;
  readonly out: number;
  readonly words: number;
} {
  const v = N * N;
  return { inv: 0, d: v, z2: v + N, lower: v + 2 * N, upper: v + 3 * N, lowner: v + 4 * N, out: v + 5 * N, words: v + 5 * N + 8 };
}

/**
 * Solves rows `r0…r0+nr−1`, columns `r0…r0+nr−1+sqre` (sqre ∈ {0, 1}: one extra column whose entry
 * is `e[r0+nr−1]`). Writes `d[r0…]`, the U block `[r0, r0+nr)²` and the V block `[r0, r0+nr+sqre)²`;
 * with `sqre = 1` the last column of the V block spans the null space.
 */
function solve(p: Problem, r0: number, nr: number, sqre: number): void {
  if (nr <= DC_LEAF) {
    solveLeaf(p, r0, nr, sqre);
    return;
  }
  const k = nr >> 1;
  solve(p, r0, k, 1);
  solve(p, r0 + k + 1, nr - k - 1, sqre);
  merge(p, r0, nr, k, sqre);
}

function solveLeaf({ d, e, U, V, N, work }: Problem, r0: number, nr: number, sqre: number): void {
  const nc = nr + sqre;
  // The QR iteration works on the leaf's own stretch of d and e: no other subproblem reads it.
  const dl = d.subarray(r0, r0 + nr);
  const el = e.subarray(r0, r0 + nr - 1 + sqre);
  const Ut = work.take("dc.leafU", nr * nr, true);
  const Vt = work.take("dc.leafV", nc * nc, true);
  for (let i = 0; i < nr; i++) Ut[i * nr + i] = 1;
  for (let i = 0; i < nc; i++) Vt[i * nc + i] = 1;
  if (sqre) squareUpExtraColumn(dl, el, Vt, nc, nr);
  bidiagonalQR(dl, el, Ut, nr, Vt, nc, nr);
  for (let i = 0; i < nr; i++) {
    const neg = dl[i]! < 0;
    dl[i] = Math.abs(dl[i]!);
    // Row i of Ut / Vt is column i of the block.
    for (let r = 0; r < nr; r++) U[(r0 + r) * N + r0 + i] = Ut[i * nr + r]!;
    for (let r = 0; r < nc; r++) V[(r0 + r) * N + r0 + i] = neg ? -Vt[i * nc + r]! : Vt[i * nc + r]!;
  }
  if (sqre) for (let r = 0; r < nc; r++) V[(r0 + r) * N + r0 + nr] = Vt[nr * nc + r]!;
}

/** Columns `i`, `j` (rows `[r0, r1)`) ← `(c·x_i − s·x_j, s·x_i + c·x_j)`. */
function rotateColumns(X: Float64Array, N: number, r0: number, r1: number, i: number, j: number, c: number, s: number): void {
  for (let r = r0; r < r1; r++) {
    const x = X[r * N + i]!;
    const y = X[r * N + j]!;
    X[r * N + i] = c * x - s * y;
    X[r * N + j] = s * x + c * y;
  }
}

/**
 * Where a merged column's vectors live: only above the merge row, in both halves, or only below.
 * Columns grouped in this order give each half's GEMMs one contiguous run of columns.
 */
const enum Part {
  Top = 0,
  Both = 1,
  Bottom = 2,
  /** The number of parts. */
  Count = 3,
}

/**
 * Merges two solved halves: rows `r0…r0+k−1` (with the extra column `r0+k`), the merge row `r0+k`
 * (`d[r0+k]` at column r0+k, `e[r0+k]` at column r0+k+1) and rows `r0+k+1…r0+nr−1`.
 */
function merge(p: Problem, r0: number, nr: number, k: number, sqre: number): void {
  const { d, e, U, V, N } = p;
  const nc = nr + sqre;
  const rk = r0 + k;
  const alpha = d[rk]!;
  const beta = e[rk]!;
  const last = r0 + nc - 1;
  // Row rk of B·diag(V1, V2): α·(last row of V1) and β·(first row of V2).
  let z0 = alpha * V[rk * N + rk]!;
  if (sqre) {
    // Fold the two null-space columns into one (column rk); column `last` stays a null vector.
    const zb = beta * V[(rk + 1) * N + last]!;
    const r = Math.hypot(z0, zb);
    if (r !== 0) rotateColumns(V, N, r0, r0 + nc, rk, last, z0 / r, -zb / r);
    z0 = r;
  }
  U[rk * N + rk] = 1;
  // The arrow matrix M, entry 0 first (d = 0), then the halves' values, sorted increasing.
  const col = new Int32Array(nr);
  col[0] = rk;
  for (let t = 1; t < nr; t++) col[t] = t <= k ? r0 + t - 1 : rk + t - k;
  col.subarray(1).sort((a, b) => d[a]! - d[b]! || a - b);
  const ds = p.work.take("dc.ds", nr);
  const zs = p.work.take("dc.zs", nr);
  // Parts of the right vectors. A left vector t ≥ 1 lives in the same part (the d_j ≈ 0 rotations
  // below touch V only); U's column 0 is the merge row's unit vector.
  const part = new Uint8Array(nr);
  ds[0] = 0;
  zs[0] = z0;
  part[0] = sqre ? Part.Both : Part.Top;
  let dmax = Math.max(Math.abs(alpha), Math.abs(beta));
  for (let t = 1; t < nr; t++) {
    const g = col[t]!;
    ds[t] = d[g]!;
    dmax = Math.max(dmax, ds[t]!);
    zs[t] = g < rk ? alpha * V[rk * N + g]! : beta * V[(rk + 1) * N + g]!;
    part[t] = g < rk ? Part.Top : Part.Bottom;
  }
  const tol = 8 * EPS * dmax;
  // Deflation: negligible z_j leave d_j as a singular value with unchanged vectors.
  const deflated = new Uint8Array(nr);
  if (Math.abs(zs[0]!) <= tol) zs[0] = tol;
  for (let t = 1; t < nr; t++) if (Math.abs(zs[t]!) <= tol) deflated[t] = 1;
  // d_j ≈ 0 = d_0: rotate z_j into z_0 (right vectors only; the dropped entry is s·d_j ≤ tol).
  for (let t = 1; t < nr && ds[t]! <= tol; t++) {
    if (deflated[t]) continue;
    const r = Math.hypot(zs[0]!, zs[t]!);
    const c = zs[0]! / r;
    const s = zs[t]! / r;
    rotateColumns(V, N, r0, r0 + nc, col[0]!, col[t]!, c, -s);
    zs[0] = r;
    zs[t] = 0;
    deflated[t] = 1;
    if (part[t] !== part[0]) part[0] = part[t] = Part.Both;
  }
  // d_i ≈ d_j: rotate z_i into z_j (both sides); the off-diagonal left behind is ≤ |d_j − d_i|.
  let prev = -1;
  for (let t = 1; t < nr; t++) {
    if (deflated[t]) continue;
    if (prev >= 0 && ds[t]! - ds[prev]! <= tol) {
      const r = Math.hypot(zs[prev]!, zs[t]!);
      const c = zs[t]! / r;
      const s = zs[prev]! / r;
      rotateColumns(U, N, r0, r0 + nr, col[prev]!, col[t]!, c, s);
      rotateColumns(V, N, r0, r0 + nc, col[prev]!, col[t]!, c, s);
      zs[t] = r;
      zs[prev] = 0;
      deflated[prev] = 1;
      if (part[t] !== part[prev]) part[t] = part[prev] = Part.Both;
    }
    prev = t;
  }
  // Only an all-zero block leaves z_0 = 0: then M = 0 and every column deflates.
  if (zs[0] === 0) deflated[0] = 1;
  // Merged columns: the K live ones (t = live[q]), then the deflated ones (global columns in `dead`).
  const live = new Int32Array(nr);
  const dead = new Int32Array(nr);
  let K = 0;
  let nDead = 0;
  for (let t = 0; t < nr; t++) {
    if (deflated[t]) dead[nDead++] = col[t]!;
    else live[K++] = t;
  }
  // The secular problem, scaled to entries ≤ 1.
  let scale = 0;
  for (let q = 0; q < K; q++) scale = Math.max(scale, ds[live[q]!]!, Math.abs(zs[live[q]!]!));
  // Views of the work memory, taken afresh: the previous merge's GEMMs may have moved it.
  const at = secularLayout(N);
  const dK = p.ws.view(at.d, K);
  const zK = p.work.take("dc.zK", K);
  for (let q = 0; q < K; q++) {
    dK[q] = ds[live[q]!]! / scale;
    zK[q] = zs[live[q]!]! / scale;
  }
  const sigma = p.work.take("dc.sigma", K);
  const inv = p.ws.view(at.inv, K * K);
  const lowner = p.ws.view(at.lowner, K);
  solveSecular(p.ws, at, dK, zK, sigma);
  // New vectors: columns 0…K−1 from the roots (GEMMs over the old vectors), then the deflated ones.
  // Within a part the live columns go in increasing global column, so the gathers read rows in order.
  const byColumn = new Int32Array(nr).fill(-1);
  for (let q = 0; q < K; q++) byColumn[col[live[q]!]! - r0] = q;
  const order = byColumn.filter((q) => q >= 0);
  const groups = groupByPart(part, live, col, order);
  const top = halfUpdate(p.work, groups, Part.Top, Part.Bottom, "dc.uTop", "dc.vTop");
  const bottom = halfUpdate(p.work, groups, Part.Both, Part.Count, "dc.uBottom", "dc.vBottom");
  const uMerge = p.work.take("dc.uMerge", K);
  secularVectors(p.work, dK, zK, inv, lowner, uMerge, top, bottom);
  const deadCols = dead.subarray(0, nDead);
  updateRows(p.backend, U, N, r0, k, r0, top.cols, top.Wu, K, deadCols);
  writeRows(p.work, U, N, rk, 1, r0, uMerge, K, deadCols);
  updateRows(p.backend, U, N, rk + 1, nr - k - 1, r0, bottom.cols, bottom.Wu, K, deadCols);
  // V's column `last` (the null vector when sqre = 1) is already in place.
  updateRows(p.backend, V, N, r0, k + 1, r0, top.cols, top.Wv, K, deadCols);
  updateRows(p.backend, V, N, rk + 1, nc - k - 1, r0, bottom.cols, bottom.Wv, K, deadCols);
  for (let q = 0; q < K; q++) d[r0 + q] = sigma[q]! * scale;
  for (let q = 0, t = 0; t < nr; t++) if (deflated[t]) d[r0 + K + q++] = ds[t]!;
}

/** The live columns ordered by {@link Part}, so each half's columns are a contiguous run. */
interface PartGroups {
  /** Secular component (live index) of each position. */
  readonly comp: Int32Array;
  /** Global column of the old vector at each position. */
  readonly cols: Int32Array;
  /** First position of each part (index by `Part`); entry `Part.Count` is K. */
  readonly start: Int32Array;
}

/** Groups the live columns `live[q]` by part, in the order of `order` (all q) within each part. */
function groupByPart(part: Uint8Array, live: Int32Array, col: Int32Array, order: Int32Array): PartGroups {
  const K = order.length;
  const start = new Int32Array(Part.Count + 1);
  for (let q = 0; q < K; q++) {
    const c = part[live[q]!]! + 1;
    start[c] = start[c]! + 1;
  }
  for (let c = 1; c <= Part.Count; c++) start[c] = start[c]! + start[c - 1]!;
  const next = start.slice(0, Part.Count);
  const comp = new Int32Array(K);
  const cols = new Int32Array(K);
  for (const q of order) {
    const t = live[q]!;
    const at = next[part[t]!]!;
    next[part[t]!] = at + 1;
    comp[at] = q;
    cols[at] = col[t]!;
  }
  return { comp, cols, start };
}

/**
 * The GEMM operands for the rows of one half: the old vectors that reach those rows (global columns
 * `cols`), and `Wu`, `Wv` (K×`cols.length`) whose row i holds the matching components `comp` of new
 * vectors u_i, v_i — stored transposed, so they are written in memory order. (Column 0's left vector
 * lives only in the merge row: its entries here are d_0·x_0 = 0, over a column of U that is zero
 * outside that row.)
 */
interface HalfUpdate {
  readonly comp: Int32Array;
  readonly cols: Int32Array;
  readonly Wu: Float64Array;
  readonly Wv: Float64Array;
}

/** The half made of the parts `from ≤ part < to`; its W's are the work arrays `keyU`, `keyV`. */
function halfUpdate(work: WorkArrays, g: PartGroups, from: number, to: number, keyU: string, keyV: string): HalfUpdate {
  const a = g.start[from]!;
  const b = g.start[to]!;
  const K = g.comp.length;
  return { comp: g.comp.subarray(a, b), cols: g.cols.subarray(a, b), Wu: work.take(keyU, K * (b - a)), Wv: work.take(keyV, K * (b - a)) };
}

/**
 * Rows `row0…row0+rows−1` of the merged block (columns from `c0`): the new vectors `X[·, cols] · Wᵀ`
 * (one GEMM on the gathered columns), then the deflated columns `dead`.
 */
function updateRows(
  backend: CpuBackend,
  X: Float64Array,
  N: number,
  row0: number,
  rows: number,
  c0: number,
  cols: Int32Array,
  W: Float64Array,
  K: number,
  dead: Int32Array,
): void {
  const kk = cols.length;
  if (rows === 0) return;
  if (kk === 0) {
    writeRows(backend.workArrays, X, N, row0, rows, c0, undefined, K, dead);
    return;
  }
  const A = backend.workArrays.take("dc.A", rows * kk);
  for (let r = 0; r < rows; r++) {
    const src = (row0 + r) * N;
    for (let j = 0; j < kk; j++) A[r * kk + j] = X[src + cols[j]!]!;
  }
  const C = gemm(backend, { data: A, rows, cols: kk }, { data: W, rows: kk, cols: K, t: true }, backend.workArrays.take("dc.C", rows * K));
  writeRows(backend.workArrays, X, N, row0, rows, c0, C, K, dead);
}

/**
 * Rows `row0…` of the merged block: `C`'s rows (zeros when undefined) in columns `c0…c0+K−1`, then
 * the row's old entries in the deflated columns `dead` — read before the row is overwritten.
 */
function writeRows(
  work: WorkArrays,
  X: Float64Array,
  N: number,
  row0: number,
  rows: number,
  c0: number,
  C: Float64Array | undefined,
  K: number,
  dead: Int32Array,
): void {
  const nDead = dead.length;
  const keep = work.take("dc.keep", nDead);
  for (let r = 0; r < rows; r++) {
    const at = (row0 + r) * N;
    for (let q = 0; q < nDead; q++) keep[q] = X[at + dead[q]!]!;
    if (C) X.set(C.subarray(r * K, r * K + K), at + c0);
    else X.fill(0, at + c0, at + c0 + K);
    for (let q = 0; q < nDead; q++) X[at + c0 + K + q] = keep[q]!;
  }
}

/**
 * Solves `1 + Σ z_j² / (d_j² − σ²) = 0` for its K roots `sigma`, `0 = d_0 < d_1 < … < d_{K−1}`, all
 * z_j ≠ 0 (`d` is the view at `at.d` of the work memory `ws`), and fills row i of the K×K reciprocals
 * at `at.inv` with `1/(d_j² − σ_i²)`. Root i lies in `(d_i, d_{i+1})` (the last in
 * `(d_{K−1}, √(d_{K−1}² + ‖z‖²))`). Each is found as `τ = σ² − d_o²` relative to the nearer pole
 * `d_o`, so `d_j² − σ² = (d_j − d_o)(d_j + d_o) − τ` keeps full relative accuracy — what makes the
 * recomputed vectors orthogonal. The products `Π_{i<K−1} (d_m² − d_j²)/(d_j² − σ_i²)` of
 * {@link secularVectors} accumulate at `at.lowner` while each row of reciprocals is still in cache.
 * The O(K) passes run through `ws` (WebAssembly SIMD on pinned kernel memory, or TypeScript loops).
 */
function solveSecular(ws: Level2F64, at: ReturnType<typeof secularLayout>, d: Float64Array, z: Float64Array, sigma: Float64Array): void {
  const K = d.length;
  const z2 = ws.view(at.z2, K);
  const lowner = ws.view(at.lowner, K);
  const out = ws.view(at.out, 5);
  let znorm2 = 0;
  for (let j = 0; j < K; j++) {
    z2[j] = z[j]! * z[j]!;
    znorm2 += z2[j]!;
    lowner[j] = 1;
  }
  // δ_j = (d_j − d_o)(d_j + d_o) for the poles below and above root i; the upper is the next root's lower.
  // Word offsets and views of the two, swapped after every root.
  let lower = at.lower;
  let upper = at.upper;
  let lowerV = ws.view(lower, K);
  let upperV = ws.view(upper, K);
  for (let j = 0; j < K; j++) lowerV[j] = (d[j]! - d[0]!) * (d[j]! + d[0]!);
  for (let i = 0; i < K; i++) {
    let o = i;
    let delta = lower;
    let deltaV = lowerV;
    let lo = 0;
    let hi = znorm2;
    let tau = znorm2 / 2;
    if (i < K - 1) {
      // The secular function and its slopes at the bracket's midpoint pick the nearer pole as origin,
      // and a step of the rational model from there is the first guess.
      const mid = lowerV[i + 1]! / 2;
      ws.secularMid(at.d, lower, upper, at.z2, K, i, mid, d[i + 1]!, at.out);
      const w = 1 + out[0]! + out[2]!;
      const eta = rationalStep(w, -mid, mid, out[1]!, out[3]!);
      if (w >= 0) {
        hi = mid;
        tau = mid + eta;
      } else {
        o = i + 1;
        delta = upper;
        deltaV = upperV;
        lo = -mid;
        hi = 0;
        tau = -mid + eta;
      }
      if (!(tau > lo && tau < hi)) tau = (lo + hi) / 2;
    }
    const row = at.inv + i * K;
    tau = findRoot(ws, deltaV, delta, at.z2, K, i, lo, hi, tau, row, out, at.out);
    sigma[i] = Math.sqrt(d[o]! * d[o]! + tau);
    // Factor (d_m² − d_j²)/(d_j² − σ_i²) with m = i+1 for j ≤ i and m = i above: the δ's at hand.
    if (i < K - 1) ws.lownerUpdate(at.lowner, lower, upper, row, K, i);
    const t = lower;
    lower = upper;
    upper = t;
    const tv = lowerV;
    lowerV = upperV;
    upperV = tv;
  }
}

/**
 * The root τ of `g(τ) = 1 + Σ z_j² / (δ_j − τ)` in `(lo, hi)` from the guess `tau`, poles `δ_i` below
 * and `δ_{i+1}` above (`delta` views the poles at word `deltaAt` of `ws`): Gragg's rational model
 * with both nearest poles, safeguarded by bisection inside the bracket. Leaves `1/(δ_j − τ)` at word
 * `row` (what the last evaluation computed, so the vectors need no divisions); `out` views the sums
 * at word `outAt`.
 */
function findRoot(
  ws: Level2F64,
  delta: Float64Array,
  deltaAt: number,
  z2At: number,
  K: number,
  i: number,
  lo: number,
  hi: number,
  tau: number,
  row: number,
  out: Float64Array,
  outAt: number,
): number {
  for (let iter = 0; iter < 200; iter++) {
    ws.secularSums(deltaAt, z2At, row, K, i, tau, outAt);
    const psi = out[0]!;
    const dpsi = out[1]!;
    const phi = out[2]!;
    const dphi = out[3]!;
    const curv = out[4]!;
    const w = 1 + psi + phi;
    if (w === 0) return tau;
    if (w < 0) lo = tau;
    else hi = tau;
    if (Math.abs(w) <= 4 * EPS * K * (1 - psi + phi)) return tau;
    const d1 = delta[i]! - tau;
    let eta: number;
    if (i === K - 1) {
      // g ≈ c + s/(d1 − η), one pole.
      const c = w - d1 * dpsi;
      eta = c !== 0 ? d1 + (d1 * d1 * dpsi) / c : NaN;
    } else eta = graggStep(w, dpsi + dphi, 2 * curv, d1, delta[i + 1]! - tau);
    let next = tau + eta;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (
      Math.abs(next - tau) <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi)) ||
      hi - lo <= 4 * EPS * Math.max(Math.abs(lo), Math.abs(hi))
    ) {
      ws.secularSums(deltaAt, z2At, row, K, i, next, outAt);
      return next;
    }
    tau = next;
  }
  throw new NotConvergedError(
    "SVD: the secular equation of a divide-and-conquer merge did not converge",
    "check the input for extreme scaling",
  );
}

/**
 * The step η to the root of the model `c + s1/(d1 − η) + s2/(d2 − η)` of the secular function, which
 * matches its value `w` and the slopes `dpsi` (poles at and below d1) and `dphi` (the rest) at the
 * current point; d1 < 0 < d2 are the distances to the two nearest poles. NaN when it has no root.
 */
function rationalStep(w: number, d1: number, d2: number, dpsi: number, dphi: number): number {
  return modelRoot(w - d1 * dpsi - d2 * dphi, d1 * d1 * dpsi, d2 * d2 * dphi, d1, d2);
}

/** The root η in (d1, d2) of `c + s1/(d1 − η) + s2/(d2 − η)`, or NaN. */
function modelRoot(c: number, s1: number, s2: number, d1: number, d2: number): number {
  const a = c * (d1 + d2) + s1 + s2;
  const b = c * d1 * d2 + s1 * d2 + s2 * d1;
  if (c === 0) return b / a;
  const disc = a * a - 4 * b * c;
  if (!(disc >= 0)) return NaN;
  const q = a + (a >= 0 ? 1 : -1) * Math.sqrt(disc);
  const x1 = q / (2 * c);
  const x2 = q !== 0 ? (2 * b) / q : NaN;
  return x1 > d1 && x1 < d2 ? x1 : x2;
}

/**
 * Gragg's step: η to the root of `c + s1/(d1 − η) + s2/(d2 − η)` matched to the secular function's
 * value `f` and first two derivatives `f1`, `f2` at the current point (cubic convergence); d1 < 0 < d2
 * are the distances to the two nearest poles. NaN when the model has no root.
 */
function graggStep(f: number, f1: number, f2: number, d1: number, d2: number): number {
  const p = ((d1 * d2 * f2) / 2 - d1 * f1) / (d2 - d1);
  const q = (d2 * f1 - (d1 * d2 * f2) / 2) / (d2 - d1);
  return modelRoot(f - p * d1 - q * d2, p * d1 * d1, q * d2 * d2, d1, d2);
}

/**
 * Singular vectors of the arrow matrix `M = [z; 0 diag(d_1…)]` from `inv` (row i: `1/(d_j² − σ_i²)`),
 * with z replaced by the Löwner recomputation
 * `ẑ_j² = (σ_{K−1}² − d_j²) Π_{i<j} (σ_i² − d_j²)/(d_i² − d_j²) Π_{j≤i<K−1} (σ_i² − d_j²)/(d_{i+1}² − d_j²)`
 * (`lowner` holds the reciprocal of the products), for which the computed roots are exact; then
 * `v_i ∝ ẑ_j/(d_j² − σ_i²)`, `u_i ∝ (−1, d_j ẑ_j/(d_j² − σ_i²))`. Vectors i go to row i of each
 * half's W's (the components it names) and u_i's first component to `uMerge[i]`.
 */
function secularVectors(
  work: WorkArrays,
  d: Float64Array,
  z: Float64Array,
  inv: Float64Array,
  lowner: Float64Array,
  uMerge: Float64Array,
  top: HalfUpdate,
  bottom: HalfUpdate,
): void {
  const K = d.length;
  const zhat = work.take("dc.zhat", K);
  for (let j = 0; j < K; j++) zhat[j] = (z[j]! >= 0 ? 1 : -1) * Math.sqrt(Math.abs(-1 / (inv[(K - 1) * K + j]! * lowner[j]!)));
  // Unnormalised components: x_j for v, d_j·x_j for u (d_0 = 0, so j = 0 adds nothing to ‖u‖);
  // the norms come first, then the halves' entries are recomputed while the row is in cache.
  for (let i = 0; i < K; i++) {
    const row = i * K;
    let nv = 0;
    let nu = 1;
    for (let j = 0; j < K; j++) {
      const x = zhat[j]! * inv[row + j]!;
      const y = d[j]! * x;
      nv += x * x;
      nu += y * y;
    }
    const sv = 1 / Math.sqrt(nv);
    const su = 1 / Math.sqrt(nu);
    uMerge[i] = -su;
    storeRow(top, i, d, zhat, inv, row, su, sv);
    storeRow(bottom, i, d, zhat, inv, row, su, sv);
  }
}

/** Row i of `h.Wu`, `h.Wv` ← the half's components of u_i = d·x·su and v_i = x·sv, x = zhat·inv[row…]. */
function storeRow(
  { comp, Wu, Wv }: HalfUpdate,
  i: number,
  d: Float64Array,
  zhat: Float64Array,
  inv: Float64Array,
  row: number,
  su: number,
  sv: number,
): void {
  const kk = comp.length;
  const at = i * kk;
  for (let p = 0; p < kk; p++) {
    const j = comp[p]!;
    const x = zhat[j]! * inv[row + j]!;
    Wu[at + p] = d[j]! * x * su;
    Wv[at + p] = x * sv;
  }
}
