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
import { scratch } from "./scratch.js";

/** Subproblems with at most this many rows are solved by QR iteration. */
export const DC_LEAF = 25;

const EPS = 2 ** -52;

/**
 * SVD of the `n×n` upper bidiagonal (`d` diagonal, `e` superdiagonal): `d` receives the singular
 * values (non-negative, in no particular order) and the returned row-major `n×n` arrays hold the
 * matching left and right singular vectors as columns. `e` is destroyed.
 * @throws {@link NotConvergedError} when a leaf's QR iteration or a secular equation fails.
 */
export function bidiagonalDC(d: Float64Array, e: Float64Array, n: number): { readonly ub: Float64Array; readonly vb: Float64Array } {
  // Work arrays: the caller copies what it needs out of them before the next SVD.
  const ub = scratch("dc.ub", n * n, true);
  const vb = scratch("dc.vb", n * n, true);
  if (n > 0) solve({ d, e, U: ub, V: vb, N: n }, 0, n, 0);
  return { ub, vb };
}

/** The whole problem: bidiagonal entries and the global vector arrays (row-major N×N). */
interface Problem {
  readonly d: Float64Array;
  readonly e: Float64Array;
  readonly U: Float64Array;
  readonly V: Float64Array;
  readonly N: number;
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

function solveLeaf({ d, e, U, V, N }: Problem, r0: number, nr: number, sqre: number): void {
  const nc = nr + sqre;
  const dl = d.slice(r0, r0 + nr);
  const el = e.slice(r0, r0 + nr - 1 + sqre);
  const Ut = new Float64Array(nr * nr);
  const Vt = new Float64Array(nc * nc);
  for (let i = 0; i < nr; i++) Ut[i * nr + i] = 1;
  for (let i = 0; i < nc; i++) Vt[i * nc + i] = 1;
  if (sqre) squareUpExtraColumn(dl, el, Vt, nc, nr);
  bidiagonalQR(dl, el, Ut, nr, Vt, nc, nr);
  for (let i = 0; i < nr; i++) {
    const neg = dl[i]! < 0;
    d[r0 + i] = Math.abs(dl[i]!);
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

/** Where a merged column's vector lives: only above the merge row, only below, or both. */
const enum Part {
  Top = 1,
  Both = 2,
  Bottom = 3,
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
  const idx = Array.from({ length: nr - 1 }, (_, t) => (t < k ? r0 + t : rk + 1 + (t - k)));
  idx.sort((a, b) => d[a]! - d[b]! || a - b);
  const col = Int32Array.from([rk, ...idx]);
  const ds = new Float64Array(nr);
  const zs = new Float64Array(nr);
  const partU = new Uint8Array(nr);
  const partV = new Uint8Array(nr);
  zs[0] = z0;
  partU[0] = 0;
  partV[0] = sqre ? Part.Both : Part.Top;
  let dmax = Math.max(Math.abs(alpha), Math.abs(beta));
  for (let t = 1; t < nr; t++) {
    const g = col[t]!;
    ds[t] = d[g]!;
    dmax = Math.max(dmax, ds[t]!);
    zs[t] = g < rk ? alpha * V[rk * N + g]! : beta * V[(rk + 1) * N + g]!;
    partU[t] = partV[t] = g < rk ? Part.Top : Part.Bottom;
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
    if (partV[t] !== partV[0]) partV[0] = partV[t] = Part.Both;
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
      if (partU[t] !== partU[prev]) partU[t] = partU[prev] = Part.Both;
      if (partV[t] !== partV[prev]) partV[t] = partV[prev] = Part.Both;
    }
    prev = t;
  }
  // Only an all-zero block leaves z_0 = 0: then M = 0 and every column deflates.
  if (zs[0] === 0) deflated[0] = 1;
  const live: number[] = [];
  const dead: number[] = [];
  for (let t = 0; t < nr; t++) (deflated[t] ? dead : live).push(t);
  const K = live.length;
  // The secular problem, scaled to entries ≤ 1.
  let scale = 0;
  for (const t of live) scale = Math.max(scale, ds[t]!, Math.abs(zs[t]!));
  const dK = Float64Array.from(live, (t) => ds[t]! / scale);
  const zK = Float64Array.from(live, (t) => zs[t]! / scale);
  const sec = solveSecular(dK, zK);
  const { um, vm } = secularVectors(dK, zK, sec);
  // New vectors: columns 0…K−1 from the roots (GEMMs over the old vectors), then the deflated ones.
  const Unew = scratch("dc.Unew", nr * nr, true);
  const Vnew = scratch("dc.Vnew", nc * nc, true);
  const liveCols = live.map((t) => col[t]!);
  updateRows(U, N, r0, k, liveCols, live.map((t) => partU[t] === Part.Top || partU[t] === Part.Both), um, K, Unew, nr, 0);
  for (let i = 0; i < K; i++) Unew[k * nr + i] = um[i]!;
  updateRows(U, N, rk + 1, nr - k - 1, liveCols, live.map((t) => partU[t] === Part.Bottom || partU[t] === Part.Both), um, K, Unew, nr, k + 1);
  updateRows(V, N, r0, k + 1, liveCols, live.map((t) => partV[t] === Part.Top || partV[t] === Part.Both), vm, K, Vnew, nc, 0);
  updateRows(V, N, rk + 1, nc - k - 1, liveCols, live.map((t) => partV[t] === Part.Bottom || partV[t] === Part.Both), vm, K, Vnew, nc, k + 1);
  dead.forEach((t, q) => {
    const c = K + q;
    for (let r = 0; r < nr; r++) Unew[r * nr + c] = U[(r0 + r) * N + col[t]!]!;
    for (let r = 0; r < nc; r++) Vnew[r * nc + c] = V[(r0 + r) * N + col[t]!]!;
  });
  if (sqre) for (let r = 0; r < nc; r++) Vnew[r * nc + nc - 1] = V[(r0 + r) * N + last]!;
  for (let i = 0; i < K; i++) d[r0 + i] = sec.sigma[i]! * scale;
  dead.forEach((t, q) => {
    d[r0 + K + q] = ds[t]!;
  });
  for (let r = 0; r < nr; r++) U.set(Unew.subarray(r * nr, r * nr + nr), (r0 + r) * N + r0);
  for (let r = 0; r < nc; r++) V.set(Vnew.subarray(r * nc, r * nc + nc), (r0 + r) * N + r0);
}

/**
 * `out[o0+r, 0:K] = X[row0+r, cols[q]] · W[q, 0:K]` over the `q` with `use[q]`, for `rows` rows
 * (one GEMM on gathered operands; the other columns are zero on these rows).
 */
function updateRows(
  X: Float64Array, N: number, row0: number, rows: number, cols: readonly number[], use: readonly boolean[],
  W: Float64Array, K: number, out: Float64Array, ldo: number, o0: number,
): void {
  const qs: number[] = [];
  for (let q = 0; q < cols.length; q++) if (use[q]) qs.push(q);
  const kk = qs.length;
  if (rows === 0 || kk === 0) return;
  const A = scratch("dc.A", rows * kk);
  for (let r = 0; r < rows; r++) {
    const src = (row0 + r) * N;
    for (let j = 0; j < kk; j++) A[r * kk + j] = X[src + cols[qs[j]!]!]!;
  }
  const B = scratch("dc.B", kk * K);
  for (let j = 0; j < kk; j++) B.set(W.subarray(qs[j]! * K, qs[j]! * K + K), j * K);
  const C = gemm({ data: A, rows, cols: kk }, { data: B, rows: kk, cols: K }, scratch("dc.C", rows * K));
  for (let r = 0; r < rows; r++) out.set(C.subarray(r * K, r * K + K), (o0 + r) * ldo);
}

/** Roots of the secular equation, each with `d_j − σ_i` and `d_j + σ_i` (row i, K×K). */
interface SecularRoots {
  readonly sigma: Float64Array;
  readonly diff: Float64Array;
  readonly sum: Float64Array;
}

/**
 * Solves `1 + Σ z_j² / (d_j² − σ²) = 0` for its K roots, `0 = d_0 < d_1 < … < d_{K−1}`, all z_j ≠ 0.
 * Root i lies in `(d_i, d_{i+1})` (the last in `(d_{K−1}, √(d_{K−1}² + ‖z‖²))`). Each is found as
 * `τ = σ² − d_o²` relative to the nearer pole `d_o`, so `d_j − σ = ((d_j − d_o)(d_j + d_o) − τ) / (d_j + σ)`
 * keeps full relative accuracy — what makes the recomputed vectors orthogonal.
 */
function solveSecular(d: Float64Array, z: Float64Array): SecularRoots {
  const K = d.length;
  const sigma = new Float64Array(K);
  const diff = scratch("dc.diff", K * K, true);
  const sum = scratch("dc.sum", K * K, true);
  const delta = new Float64Array(K);
  const z2 = Float64Array.from(z, (x) => x * x);
  let znorm2 = 0;
  for (let j = 0; j < K; j++) znorm2 += z2[j]!;
  const g = (tau: number): number => {
    let s = 1;
    for (let j = 0; j < K; j++) s += z2[j]! / (delta[j]! - tau);
    return s;
  };
  for (let i = 0; i < K; i++) {
    let o = i;
    let lo: number;
    let hi: number;
    for (let j = 0; j < K; j++) delta[j] = (d[j]! - d[i]!) * (d[j]! + d[i]!);
    if (i < K - 1) {
      const mid = delta[i + 1]! / 2;
      if (g(mid) >= 0) {
        lo = 0;
        hi = mid;
      } else {
        o = i + 1;
        for (let j = 0; j < K; j++) delta[j] = (d[j]! - d[o]!) * (d[j]! + d[o]!);
        lo = -mid;
        hi = 0;
      }
    } else {
      lo = 0;
      hi = znorm2;
    }
    const tau = findRoot(delta, z2, i, lo, hi);
    const dO = d[o]!;
    const s = Math.sqrt(dO * dO + tau);
    sigma[i] = s;
    for (let j = 0; j < K; j++) {
      diff[i * K + j] = (delta[j]! - tau) / (d[j]! + s);
      sum[i * K + j] = d[j]! + s;
    }
  }
  return { sigma, diff, sum };
}

/**
 * The root τ of `g(τ) = 1 + Σ z_j² / (δ_j − τ)` in `(lo, hi)`, poles `δ_i` below and `δ_{i+1}` above:
 * a rational model with both nearest poles (value and slope of each side matched), safeguarded by
 * bisection inside the bracket.
 */
function findRoot(delta: Float64Array, z2: Float64Array, i: number, lo: number, hi: number): number {
  const K = delta.length;
  let tau = (lo + hi) / 2;
  for (let iter = 0; iter < 200; iter++) {
    let psi = 0;
    let dpsi = 0;
    let phi = 0;
    let dphi = 0;
    for (let j = 0; j <= i; j++) {
      const r = 1 / (delta[j]! - tau);
      const t = z2[j]! * r;
      psi += t;
      dpsi += t * r;
    }
    for (let j = i + 1; j < K; j++) {
      const r = 1 / (delta[j]! - tau);
      const t = z2[j]! * r;
      phi += t;
      dphi += t * r;
    }
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
    } else {
      const d2 = delta[i + 1]! - tau;
      const s1 = d1 * d1 * dpsi;
      const s2 = d2 * d2 * dphi;
      const c = w - d1 * dpsi - d2 * dphi;
      const a = c * (d1 + d2) + s1 + s2;
      const b = c * d1 * d2 + s1 * d2 + s2 * d1;
      eta = NaN;
      if (c === 0) eta = b / a;
      else {
        const disc = a * a - 4 * b * c;
        if (disc >= 0) {
          const q = a + (a >= 0 ? 1 : -1) * Math.sqrt(disc);
          const x1 = q / (2 * c);
          const x2 = q !== 0 ? (2 * b) / q : NaN;
          eta = x1 > d1 && x1 < d2 ? x1 : x2;
        }
      }
    }
    let next = tau + eta;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - tau) <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi)) || hi - lo <= 4 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) return next;
    tau = next;
  }
  throw new NotConvergedError("SVD: the secular equation of a divide-and-conquer merge did not converge", "check the input for extreme scaling");
}

/**
 * Singular vectors of the arrow matrix `M = [z; 0 diag(d_1…)]` from its roots (columns of the
 * row-major K×K `um`, `vm`), with z replaced by the Löwner recomputation
 * `ẑ_j² = (σ_{K−1}² − d_j²) Π_{i<j} (σ_i² − d_j²)/(d_i² − d_j²) Π_{j≤i<K−1} (σ_i² − d_j²)/(d_{i+1}² − d_j²)`,
 * for which the computed roots are exact; then `v_i ∝ ẑ_j/(d_j² − σ_i²)`, `u_i ∝ (−1, d_j ẑ_j/(d_j² − σ_i²))`.
 */
function secularVectors(d: Float64Array, z: Float64Array, { diff, sum }: SecularRoots): { um: Float64Array; vm: Float64Array } {
  const K = d.length;
  const zh = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    const dj = d[j]!;
    let prod = -diff[(K - 1) * K + j]! * sum[(K - 1) * K + j]!;
    for (let i = 0; i < j; i++) prod *= (diff[i * K + j]! * sum[i * K + j]!) / ((dj - d[i]!) * (dj + d[i]!));
    for (let i = j; i < K - 1; i++) prod *= (diff[i * K + j]! * sum[i * K + j]!) / ((dj - d[i + 1]!) * (dj + d[i + 1]!));
    zh[j] = (z[j]! >= 0 ? 1 : -1) * Math.sqrt(Math.abs(prod));
  }
  const um = scratch("dc.um", K * K, true);
  const vm = scratch("dc.vm", K * K, true);
  const v = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let nv = 0;
    let nu = 1;
    for (let j = 0; j < K; j++) {
      const x = zh[j]! / (diff[i * K + j]! * sum[i * K + j]!);
      v[j] = x;
      nv += x * x;
      if (j > 0) nu += (d[j]! * x) ** 2;
    }
    const sv = 1 / Math.sqrt(nv);
    const su = 1 / Math.sqrt(nu);
    um[i] = -su;
    vm[i] = v[0]! * sv;
    for (let j = 1; j < K; j++) {
      um[j * K + i] = d[j]! * v[j]! * su;
      vm[j * K + i] = v[j]! * sv;
    }
  }
  return { um, vm };
}
