/**
 * Blocked Householder bidiagonalisation `A = Q_L · B · Q_Rᵀ` of a row-major `m×n` matrix, `m ≥ n`
 * (the panel/trailing-update split of LAPACK's dgebrd/dlabrd): each panel of {@link PANEL} columns is
 * reduced with matrix–vector products while building `X`, `Y`, so that the trailing matrix is updated
 * by one GEMM, `A ← A − [V X]·[Yᵀ; U]`. The reflectors are then applied to other matrices in
 * compact-WY form, again as GEMMs.
 * @module
 */
import { makeReflector } from "./householder.js";
import { gemm, gemmAdd, type GemmOperand } from "./dense-gemm.js";
import type { CpuBackend } from "../tensor/backends/cpu/backend.js";
import { HeapF64, ResidentF64, type Level2F64 } from "../kernels/level2.js";

/** Columns per panel of the reduction. */
const PANEL = 32;
/** Reflectors per compact-WY block when applying them (larger blocks: fewer, fatter GEMMs). */
const WY_BLOCK = 64;

/** An upper bidiagonal `B` and the reflectors that produced it (stored in the reduced matrix). */
export interface Bidiagonal {
  /** `n` diagonal entries. */
  readonly d: Float64Array;
  /** `n − 1` superdiagonal entries. */
  readonly e: Float64Array;
  /** β of the left reflectors `H_k = I − β v vᵀ`, v in column k from row k (v_k = 1). */
  readonly tauq: Float64Array;
  /** β of the right reflectors `G_k`, u in row k from column k+1 (u_{k+1} = 1). */
  readonly taup: Float64Array;
}

/**
 * Reduces `A` (row-major `m×n`, `m ≥ n`, overwritten by the reflectors) to upper bidiagonal form,
 * the GEMMs (and work arrays) on `backend`.
 */
export function bidiagonalize(A: Float64Array, m: number, n: number, backend: CpuBackend): Bidiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const tauq = new Float64Array(n);
  const taup = new Float64Array(n);
  // The working matrix, X, Y and the panel's vectors share one block of work memory: pinned in kernel
  // memory when the WebAssembly kernels run (the matrix–vector products then run there on SIMD),
  // else an ordinary array with the same products as TypeScript loops.
  const at = residentLayout(m, n);
  const rt = n >= RESIDENT_MIN ? backend.runtime : undefined;
  const ws: Level2F64 = (rt && ResidentF64.open(rt, at.words)) || new HeapF64(at.words);
  try {
    let v = residentViews(ws, at, m, n);
    const scratch = trailingScratch(backend, m, n);
    v.A.set(A);
    for (let b = 0; b < n; b += PANEL) {
      const nb = Math.min(PANEL, n - b);
      v.X.fill(0);
      v.Y.fill(0);
      reducePanel(ws, at, v, m, n, b, nb, d, e, tauq, taup);
      if (b + nb < n) {
        updateTrailing(backend, v.A, m, n, b, nb, v.X, v.Y, scratch, () => {
          if (ws.moved) v = residentViews(ws, at, m, n);
        });
      }
    }
    A.set((ws.moved ? residentViews(ws, at, m, n) : v).A);
  } finally {
    ws.close();
  }
  return { d, e, tauq, taup };
}

/** Below this many columns the work block stays in JavaScript memory (the kernel calls cost more). */
const RESIDENT_MIN = 48;

/** Word offsets in the resident block (the matrix is at 0). */
interface ResidentLayout {
  readonly X: number;
  readonly Y: number;
  readonly y: number;
  readonly s: number;
  readonly t1: number;
  readonly t2: number;
  readonly tmp: number;
  readonly words: number;
}

/** Views of the resident block. */
interface ResidentViews {
  readonly A: Float64Array;
  readonly X: Float64Array;
  readonly Y: Float64Array;
  readonly y: Float64Array;
  readonly s: Float64Array;
  readonly t1: Float64Array;
  readonly t2: Float64Array;
  readonly tmp: Float64Array;
}

function residentLayout(m: number, n: number): ResidentLayout {
  const X = m * n;
  const Y = X + m * PANEL;
  const y = Y + n * PANEL;
  const s = y + n;
  const t1 = s + m;
  const t2 = t1 + PANEL;
  const tmp = t2 + PANEL;
  return { X, Y, y, s, t1, t2, tmp, words: tmp + Math.max(m, n, PANEL) };
}

function residentViews(ws: Level2F64, at: ResidentLayout, m: number, n: number): ResidentViews {
  return {
    A: ws.view(0, m * n),
    X: ws.view(at.X, m * PANEL),
    Y: ws.view(at.Y, n * PANEL),
    y: ws.view(at.y, n),
    s: ws.view(at.s, m),
    t1: ws.view(at.t1, PANEL),
    t2: ws.view(at.t2, PANEL),
    tmp: ws.view(at.tmp, Math.max(m, n, PANEL)),
  };
}

/**
 * Reduces columns and rows `b…b+nb−1`, leaving the trailing matrix stale but X, Y describing it.
 * `A`, `X`, `Y` and the vectors are views of `ws` at the word offsets of `at`; every matrix–vector
 * product runs through `ws`.
 */
function reducePanel(
  ws: Level2F64,
  at: ResidentLayout,
  v: ResidentViews,
  m: number,
  n: number,
  b: number,
  nb: number,
  d: Float64Array,
  e: Float64Array,
  tauq: Float64Array,
  taup: Float64Array,
): void {
  const P = PANEL;
  const { A, X, Y, y, s, t1, t2, tmp } = v;
  for (let j = 0; j < nb; j++) {
    const i = b + j;
    // Column i, rows i…m−1, catches up: −= V·Y[i,:]ᵀ + X·U[:, i].
    if (j > 0) {
      for (let l = 0; l < j; l++) {
        t1[l] = Y[i * P + l]!;
        t2[l] = A[(b + l) * n + i]!;
      }
      ws.gemvN(i * n + b, n, m - i, j, at.t1, at.tmp);
      for (let r = i; r < m; r++) A[r * n + i] = A[r * n + i]! - tmp[r - i]!;
      ws.gemvN(at.X + i * P, P, m - i, j, at.t2, at.tmp);
      for (let r = i; r < m; r++) A[r * n + i] = A[r * n + i]! - tmp[r - i]!;
    }
    const left = makeReflector(A, i * n + i, n, m - i);
    tauq[i] = left.beta;
    d[i] = left.alpha;
    A[i * n + i] = 1;
    if (i >= n - 1) continue;
    const beta = left.beta;
    const nc = n - i - 1;
    // Y[i+1:, j] = β (A[i:, i+1:]ᵀ v − Y·(Vᵀ v) − Uᵀ·(Xᵀ v)), v = A[i:, i] (stride n).
    if (beta !== 0) {
      y.fill(0, 0, nc);
      t1.fill(0, 0, j);
      t2.fill(0, 0, j);
      ws.gemvT(i * n + i + 1, n, m - i, nc, i * n + i, n, at.y);
      ws.gemvT(i * n + b, n, m - i, j, i * n + i, n, at.t1);
      ws.gemvT(at.X + i * P, P, m - i, j, i * n + i, n, at.t2);
      for (let l = 0; l < j; l++) tmp[l] = -t2[l]!;
      ws.gemvT(b * n + i + 1, n, j, nc, at.tmp, 1, at.y);
      ws.gemvN(at.Y + (i + 1) * P, P, nc, j, at.t1, at.tmp);
      for (let c = 0; c < nc; c++) Y[(i + 1 + c) * P + j] = beta * (y[c]! - tmp[c]!);
    }
    // Row i, columns i+1…n−1, catches up: −= Y·V[i,:]ᵀ + Uᵀ·X[i,:]ᵀ.
    const ri = i * n;
    ws.gemvN(at.Y + (i + 1) * P, P, nc, j + 1, ri + b, at.tmp);
    for (let c = 0; c < nc; c++) A[ri + i + 1 + c] = A[ri + i + 1 + c]! - tmp[c]!;
    for (let l = 0; l < j; l++) t2[l] = -X[i * P + l]!;
    ws.gemvT(b * n + i + 1, n, j, nc, at.t2, 1, ri + i + 1);
    const right = makeReflector(A, ri + i + 1, 1, nc);
    taup[i] = right.beta;
    e[i] = right.alpha;
    A[ri + i + 1] = 1;
    const tau = right.beta;
    if (tau === 0) continue;
    // X[i+1:, j] = τ (A[i+1:, i+1:] u − V·(Yᵀ u) − X·(U u)), u = A[i, i+1:].
    t1.fill(0, 0, j + 1);
    ws.gemvT(at.Y + (i + 1) * P, P, nc, j + 1, ri + i + 1, 1, at.t1);
    ws.gemvN(b * n + i + 1, n, j, nc, ri + i + 1, at.t2);
    const rows = m - i - 1;
    ws.gemvN((i + 1) * n + i + 1, n, rows, nc, ri + i + 1, at.s);
    ws.gemvN((i + 1) * n + b, n, rows, j + 1, at.t1, at.tmp);
    for (let r = 0; r < rows; r++) s[r] = s[r]! - tmp[r]!;
    ws.gemvN(at.X + (i + 1) * P, P, rows, j, at.t2, at.tmp);
    for (let r = 0; r < rows; r++) X[(i + 1 + r) * P + j] = tau * (s[r]! - tmp[r]!);
  }
}

/** Buffers the trailing updates of one reduction reuse (sized for the first, the largest). */
interface TrailingScratch {
  readonly L: Float64Array;
  readonly R: Float64Array;
}

function trailingScratch(backend: CpuBackend, m: number, n: number): TrailingScratch {
  const work = backend.workArrays;
  return { L: work.take("bd.L", m * 2 * PANEL), R: work.take("bd.R", 2 * PANEL * n) };
}

/**
 * `A[b+nb:, b+nb:] −= [V X]·[Yᵀ; U]` as one GEMM that adds `−[V X]·[Yᵀ; U]` into A's trailing block
 * where it lies (in place in kernel memory when A is pinned there).
 */
function updateTrailing(
  backend: CpuBackend,
  A: Float64Array,
  m: number,
  n: number,
  b: number,
  nb: number,
  X: Float64Array,
  Y: Float64Array,
  scratch: TrailingScratch,
  // For a matrix in kernel memory: re-takes its views after the GEMM (which may have grown, and so detached, that memory).
  after?: () => void,
): void {
  const P = PANEL;
  const r0 = b + nb;
  const mr = m - r0;
  const nc = n - r0;
  const k2 = 2 * nb;
  // The operands are copies (of columns left of the block and rows above it), so the block can be
  // written while they are read.
  const L = scratch.L.subarray(0, mr * k2);
  for (let r = 0; r < mr; r++) {
    const src = (r0 + r) * n + b;
    for (let l = 0; l < nb; l++) {
      L[r * k2 + l] = -A[src + l]!;
      L[r * k2 + nb + l] = -X[(r0 + r) * P + l]!;
    }
  }
  const R = scratch.R.subarray(0, k2 * nc);
  for (let c = 0; c < nc; c++) {
    for (let l = 0; l < nb; l++) R[l * nc + c] = Y[(r0 + c) * P + l]!;
  }
  for (let l = 0; l < nb; l++) R.set(A.subarray((b + l) * n + r0, (b + l) * n + n), (nb + l) * nc);
  gemmAdd(backend, { data: L, rows: mr, cols: k2 }, { data: R, rows: k2, cols: nc }, A.subarray(r0 * n + r0), n);
  after?.();
}

/**
 * Work memory for applying reflectors to a `rows×cols` matrix (row-major from word 0): pinned kernel
 * memory when the GEMMs run on the WebAssembly kernels — they then read and update it in place —
 * else an ordinary array. {@link Level2F64.close} it when done.
 */
export function reflectorWork(backend: CpuBackend, rows: number, cols: number): Level2F64 {
  const rt = rows >= RESIDENT_MIN ? backend.runtime : undefined;
  return (rt && ResidentF64.open(rt, rows * cols)) || new HeapF64(rows * cols);
}

/**
 * `M ← H_0 ⋯ H_{c−1} · M` for the left reflectors of {@link bidiagonalize} (`M` row-major `n×cols`
 * at word 0 of `work`, `n` the number of columns reduced), i.e. `Q_L · M`.
 */
export function applyLeftReflectors(
  backend: CpuBackend,
  A: Float64Array,
  n: number,
  tauq: Float64Array,
  work: Level2F64,
  cols: number,
): void {
  applyReflectors(backend, A, n, "left", tauq, work, cols);
}

/** `M ← G_0 ⋯ G_{n−2} · M` for the right reflectors of {@link bidiagonalize}, i.e. `Q_R · M`. */
export function applyRightReflectors(
  backend: CpuBackend,
  A: Float64Array,
  n: number,
  taup: Float64Array,
  work: Level2F64,
  cols: number,
): void {
  applyReflectors(backend, A, n, "right", taup, work, cols);
}

/**
 * Applies the reflectors of one side of {@link bidiagonalize} (n×n `A`) to the `n×cols` matrix M (at
 * word 0 of `work`) from the left, blocks of {@link WY_BLOCK} at once in compact-WY form
 * `H_b ⋯ H_{b+kb−1} = I − V T Vᵀ` (LAPACK's dlarft/dlarfb), last block first. Left reflector k is
 * column k of A below the diagonal, right reflector k row k right of the superdiagonal (each with an
 * implicit 1 before), so the block's V is copied from rows of A either way: as V (ns × kb) for the
 * left side, as Vᵀ (kb × ns) for the right, and the GEMMs read it transposed where needed. Each
 * block's two big GEMMs read M and add into it where it lies (in place when `work` is pinned kernel
 * memory).
 */
function applyReflectors(
  backend: CpuBackend,
  A: Float64Array,
  n: number,
  side: "left" | "right",
  betas: Float64Array,
  work: Level2F64,
  cols: number,
): void {
  const count = side === "left" ? n : n - 1;
  // Row where reflector k's 1 sits (its entries below/after it come from A).
  const shift = side === "left" ? 0 : 1;
  // Scratch for every block, sized for the largest.
  const scratch = backend.workArrays;
  const bufV = scratch.take("wy.V", n * WY_BLOCK);
  const bufW = scratch.take("wy.W", WY_BLOCK * cols);
  const bufVT = scratch.take("wy.VT", n * WY_BLOCK);
  const bufG = scratch.take("wy.G", WY_BLOCK * WY_BLOCK);
  const bufT = scratch.take("wy.T", WY_BLOCK * WY_BLOCK);
  const bufCol = scratch.take("wy.g", WY_BLOCK);
  // Rows s0… of M, viewed afresh (a GEMM may have grown, and so detached, unshared kernel memory).
  const tail = (s0: number): Float64Array => work.view(s0 * cols, (n - s0) * cols);
  for (let b0 = Math.floor((count - 1) / WY_BLOCK) * WY_BLOCK; b0 >= 0; b0 -= WY_BLOCK) {
    const kb = Math.min(WY_BLOCK, count - b0);
    const s0 = b0 + shift;
    const ns = n - s0;
    if (ns <= 0) continue;
    const store = bufV.subarray(0, ns * kb);
    if (side === "left") leftBlock(A, n, betas, b0, kb, store);
    else rightBlock(A, n, betas, b0, kb, store);
    // V (ns × kb) and Vᵀ as GEMM operands over the copy.
    const V: GemmOperand = side === "left" ? { data: store, rows: ns, cols: kb } : { data: store, rows: ns, cols: kb, t: true };
    const Vt: GemmOperand = side === "left" ? { data: store, rows: kb, cols: ns, t: true } : { data: store, rows: kb, cols: ns };
    // −T (kb × kb, T upper triangular): T_jj = β_j, T[0:j, j] = −β_j · T[0:j, 0:j] · (V[:, 0:j]ᵀ v_j).
    // The inner products Vᵀv_j all come from one GEMM, G = VᵀV.
    const G = gemm(backend, Vt, V, bufG);
    const T = negatedT(G, betas, b0, kb, bufT, bufCol);
    // M[s0:, :] ← M[s0:, :] + V · ((V·(−T)ᵀ)ᵀ · M[s0:, :]): T meets the ns×kb V rather than the
    // kb×cols product Vᵀ·M, which is wider once the block is past the first rows.
    const VT = gemm(backend, V, { data: T, rows: kb, cols: kb, t: true }, bufVT);
    const W = gemm(backend, { data: VT, rows: kb, cols: ns, t: true }, { data: tail(s0), rows: ns, cols }, bufW);
    gemmAdd(backend, V, { data: W, rows: kb, cols }, tail(s0));
  }
}

/**
 * V (ns × kb, rows s0 = b0 … n−1) of a block of left reflectors: row r holds `A[r, b0…b0+kb−1]`
 * where reflector b0+j has entries (r > b0+j), 1 on its diagonal, 0 above; zero columns for β = 0.
 */
function leftBlock(A: Float64Array, n: number, betas: Float64Array, b0: number, kb: number, V: Float64Array): void {
  const ns = n - b0;
  for (let q = 0; q < ns; q++) {
    const r = b0 + q;
    const src = r * n + b0;
    const row = q * kb;
    // Columns j < q are below their diagonal (copied), j = q is the diagonal, j > q above it.
    const below = Math.min(q, kb);
    for (let j = 0; j < below; j++) V[row + j] = A[src + j]!;
    if (q < kb) {
      V[row + q] = 1;
      V.fill(0, row + q + 1, row + kb);
    }
  }
  zeroColumns(V, ns, kb, betas, b0);
}

/**
 * Vᵀ (kb × ns, columns s0 = b0+1 … n−1) of a block of right reflectors: row j holds `A[b0+j, s0…]`
 * past reflector j's 1 (at column b0+j+1), zeros before it; zero rows for β = 0.
 */
function rightBlock(A: Float64Array, n: number, betas: Float64Array, b0: number, kb: number, Vt: Float64Array): void {
  const s0 = b0 + 1;
  const ns = n - s0;
  for (let j = 0; j < kb; j++) {
    const row = j * ns;
    if (betas[b0 + j] === 0) {
      Vt.fill(0, row, row + ns);
      continue;
    }
    // Reflector b0+j: 1 at column b0+j+1 (offset j in this block), entries after it.
    Vt.fill(0, row, row + j);
    Vt[row + j] = 1;
    const src = (b0 + j) * n + s0;
    for (let c = j + 1; c < ns; c++) Vt[row + c] = A[src + c]!;
  }
}

/** Zeroes the columns of V (ns × kb) whose reflector has β = 0 (it is the identity). */
function zeroColumns(V: Float64Array, ns: number, kb: number, betas: Float64Array, b0: number): void {
  for (let j = 0; j < kb; j++) {
    if (betas[b0 + j] !== 0) continue;
    for (let q = 0; q < ns; q++) V[q * kb + j] = 0;
  }
}

/**
 * `−T` of a compact-WY block from `G = VᵀV` (dlarft's recurrence, which −T satisfies as well, with
 * −β_j on the diagonal), row-major kb × kb in `T`; `g` is scratch for one column of G, read
 * contiguously.
 */
function negatedT(G: Float64Array, betas: Float64Array, b0: number, kb: number, T: Float64Array, g: Float64Array): Float64Array {
  T.fill(0, 0, kb * kb);
  for (let j = 0; j < kb; j++) {
    const beta = betas[b0 + j]!;
    T[j * kb + j] = -beta;
    if (beta === 0) continue;
    for (let c = 0; c < j; c++) g[c] = G[c * kb + j]!;
    for (let r = 0; r < j; r++) {
      const row = r * kb;
      let a0 = 0;
      let a1 = 0;
      let c = r;
      for (; c + 1 < j; c += 2) {
        a0 += T[row + c]! * g[c]!;
        a1 += T[row + c + 1]! * g[c + 1]!;
      }
      if (c < j) a0 += T[row + c]! * g[c]!;
      T[row + j] = -beta * (a0 + a1);
    }
  }
  return T.subarray(0, kb * kb);
}
