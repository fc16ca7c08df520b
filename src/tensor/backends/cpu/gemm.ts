/**
 * Plain-TypeScript GEMM: cache blocking, packed panels converted to float64, and a 4×4
 * register-tiled micro-kernel. Inputs may be arbitrarily strided (a permute is fused into packing).
 * @module
 */
import type { FloatArray } from "../../dtype.js";

/** A strided matrix operand: element (i, j) is `data[offset + i*rowStride + j*colStride]`. */
export interface MatrixView {
  readonly data: FloatArray;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** Lines per packed panel (the micro-kernel's 4×4 tile: MR = NR = PANEL). */
const PANEL = 4;
const MR = PANEL;
const NR = PANEL;
const KC = 256;
const MC = 64;
const NC = 1024;
/** Below this many multiply-adds a direct loop beats packing. */
const SMALL = 32 * 32 * 32;

/** Reusable packing buffers; one per backend instance, grown on demand. */
export class GemmWorkspace {
  ap = new Float64Array(MC * KC);
  bp = new Float64Array(KC * NC);
  tile = new Float64Array(MR * NR);
}

/**
 * `C[M×N] += A[M×K] · B[K×N]`, where C is contiguous with row stride `ldc` starting at `cOff`.
 * Sums over k in increasing order in float64 for every output element.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: FloatArray,
  cOff: number,
  ldc: number,
  ws: GemmWorkspace,
): void {
  if (m === 0 || n === 0 || k === 0) return;
  if (m * n * k <= SMALL || m < 2 || n < 2) {
    gemmDirect(m, n, k, a, b, c, cOff, ldc);
    return;
  }
  const { ap, bp } = ws;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b, pc, kc, jc, nc, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, ic, mc, pc, kc, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            kernel4x4(kc, ap, ir * kc, bp, jr * kc, c, cOff + (ic + ir) * ldc + jc + jr, ldc, mr, nr, ws.tile);
          }
        }
      }
    }
  }
}

function gemmDirect(m: number, n: number, k: number, a: MatrixView, b: MatrixView, c: FloatArray, cOff: number, ldc: number): void {
  const ad = a.data;
  const bd = b.data;
  for (let i = 0; i < m; i++) {
    const ai = a.offset + i * a.rowStride;
    const ci = cOff + i * ldc;
    for (let j = 0; j < n; j++) {
      let s = 0;
      let pa = ai;
      let pb = b.offset + j * b.colStride;
      for (let p = 0; p < k; p++) {
        s += ad[pa]! * bd[pb]!;
        pa += a.colStride;
        pb += b.rowStride;
      }
      c[ci + j] = c[ci + j]! + s;
    }
  }
}

/** Packs rows [i0, i0+mc) × cols [p0, p0+kc) of A into MR-row panels, k-major, zero-padded. */
function packA(a: MatrixView, i0: number, mc: number, p0: number, kc: number, ap: Float64Array): void {
  packPanels(a.data, a.offset + i0 * a.rowStride + p0 * a.colStride, a.rowStride, a.colStride, mc, kc, ap);
}

/** Packs rows [p0, p0+kc) × cols [j0, j0+nc) of B into NR-column panels, k-major, zero-padded. */
function packB(b: MatrixView, p0: number, kc: number, j0: number, nc: number, bp: Float64Array): void {
  packPanels(b.data, b.offset + p0 * b.rowStride + j0 * b.colStride, b.colStride, b.rowStride, nc, kc, bp);
}

/**
 * Packs `count` lines of `kc` elements of `d` (line `l`, element `kk` at `base + l*across + kk*along`)
 * into PANEL-line panels, k-major (the PANEL elements of one `kk` adjacent), the last panel zero-padded.
 */
function packPanels(d: FloatArray, base0: number, across: number, along: number, count: number, kc: number, out: Float64Array): void {
  let q = 0;
  for (let l0 = 0; l0 < count; l0 += PANEL) {
    const width = Math.min(PANEL, count - l0);
    const base = base0 + l0 * across;
    if (width === PANEL) {
      let p = base;
      for (let kk = 0; kk < kc; kk++) {
        out[q] = d[p]!;
        out[q + 1] = d[p + across]!;
        out[q + 2] = d[p + 2 * across]!;
        out[q + 3] = d[p + 3 * across]!;
        q += PANEL;
        p += along;
      }
    } else {
      for (let kk = 0; kk < kc; kk++) {
        for (let l = 0; l < PANEL; l++) out[q++] = l < width ? d[base + l * across + kk * along]! : 0;
      }
    }
  }
}

function kernel4x4(
  kc: number,
  ap: Float64Array,
  pa: number,
  bp: Float64Array,
  pb: number,
  c: FloatArray,
  pc: number,
  ldc: number,
  mr: number,
  nr: number,
  tile: Float64Array,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let kk = 0; kk < kc; kk++) {
    const a0 = ap[pa]!,
      a1 = ap[pa + 1]!,
      a2 = ap[pa + 2]!,
      a3 = ap[pa + 3]!;
    const b0 = bp[pb]!,
      b1 = bp[pb + 1]!,
      b2 = bp[pb + 2]!,
      b3 = bp[pb + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    pa += MR;
    pb += NR;
  }
  if (mr === MR && nr === NR) {
    c[pc] = c[pc]! + c00;
    c[pc + 1] = c[pc + 1]! + c01;
    c[pc + 2] = c[pc + 2]! + c02;
    c[pc + 3] = c[pc + 3]! + c03;
    pc += ldc;
    c[pc] = c[pc]! + c10;
    c[pc + 1] = c[pc + 1]! + c11;
    c[pc + 2] = c[pc + 2]! + c12;
    c[pc + 3] = c[pc + 3]! + c13;
    pc += ldc;
    c[pc] = c[pc]! + c20;
    c[pc + 1] = c[pc + 1]! + c21;
    c[pc + 2] = c[pc + 2]! + c22;
    c[pc + 3] = c[pc + 3]! + c23;
    pc += ldc;
    c[pc] = c[pc]! + c30;
    c[pc + 1] = c[pc + 1]! + c31;
    c[pc + 2] = c[pc + 2]! + c32;
    c[pc + 3] = c[pc + 3]! + c33;
    return;
  }
  tile[0] = c00;
  tile[1] = c01;
  tile[2] = c02;
  tile[3] = c03;
  tile[4] = c10;
  tile[5] = c11;
  tile[6] = c12;
  tile[7] = c13;
  tile[8] = c20;
  tile[9] = c21;
  tile[10] = c22;
  tile[11] = c23;
  tile[12] = c30;
  tile[13] = c31;
  tile[14] = c32;
  tile[15] = c33;
  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) c[pc + r * ldc + j] = c[pc + r * ldc + j]! + tile[r * NR + j]!;
}
