// float64 GEMM: 4×4 register tile (8 accumulators of f64x2), same register budget.

import {
  G_A, G_ABS, G_ACC, G_ACS, G_ARS, G_B, G_BBS, G_BCS, G_BRS, G_C, G_DIRECT, G_DIRECTB, G_K, G_KC,
  G_LDC, G_M, G_MC, G_N, G_NC, G_PACK, G_PACKSTRIDE, G_TM, G_TN, geti, getu,
} from "./control";
import { madd64 } from "./madd";

const MR64: i32 = 4;
export const NR64: i32 = 4;

export function gemmTaskF64(t: i32, id: i32): void {
  const M = geti(G_M);
  const N = geti(G_N);
  const K = geti(G_K);
  const MC = geti(G_MC);
  const NC = geti(G_NC);
  const KC = geti(G_KC);
  const TN = geti(G_TN);
  const per = geti(G_TM) * TN;
  const bi = t / per;
  const r = t - bi * per;
  const tm = r / TN;
  const tn = r - tm * TN;
  const ic = tm * MC;
  const jc = tn * NC;
  const mc = min<i32>(MC, M - ic);
  const nc = min<i32>(NC, N - jc);
  const ap = getu(G_PACK) + <usize>id * getu(G_PACKSTRIDE);
  const bp = ap + (<usize>(MC * KC) << 3);
  const tile = bp + (<usize>(KC * NC) << 3);
  const ars = <usize>geti(G_ARS);
  const acs = <usize>geti(G_ACS);
  const brs = <usize>geti(G_BRS);
  const bcs = <usize>geti(G_BCS);
  const a = getu(G_A) + ((<usize>bi * <usize>geti(G_ABS)) << 3);
  const b = getu(G_B) + ((<usize>bi * <usize>geti(G_BBS)) << 3);
  const ldcw = <usize>geti(G_LDC);
  const ldc = ldcw << 3;
  const c = getu(G_C) + ((<usize>bi * <usize>M * ldcw + <usize>ic * ldcw + <usize>jc) << 3);
  const acc = geti(G_ACC) != 0;
  const direct = geti(G_DIRECT) != 0;
  const directB = geti(G_DIRECTB) != 0;
  for (let pc = 0; pc < K; pc += KC) {
    const kc = min<i32>(KC, K - pc);
    const first = pc == 0 && !acc;
    if (!directB) packBF64(b, brs, bcs, pc, kc, jc, nc, bp);
    if (!direct) packAF64(a, ars, acs, ic, mc, pc, kc, ap);
    for (let jr = 0; jr < nc; jr += NR64) {
      const nr = min<i32>(NR64, nc - jr);
      let pb = bp + (<usize>(jr * kc) << 3);
      if (directB) {
        // B's columns jc+jr… from row pc, read in place (unit column stride, rows `brs` words apart),
        // except a partial micro-panel, packed alone for the edge path.
        const src = b + ((<usize>pc * brs + <usize>(jc + jr)) << 3);
        if (nr == NR64) {
          for (let ir = 0; ir < mc; ir += MR64) {
            const mr = min<i32>(MR64, mc - ir);
            const pa = ap + (<usize>(ir * kc) << 3);
            const pcc = c + <usize>ir * ldc + (<usize>jr << 3);
            if (mr == MR64) kernelF64(kc, pa, 8, 32, src, brs << 3, pcc, ldc, first);
            else {
              packBF64(b, brs, bcs, pc, kc, jc + jr, nr, bp);
              edgeF64(kc, pa, bp, pcc, ldc, first, mr, nr, tile);
            }
          }
          continue;
        }
        packBF64(b, brs, bcs, pc, kc, jc + jr, nr, bp);
        pb = bp;
      }
      for (let ir = 0; ir < mc; ir += MR64) {
        const mr = min<i32>(MR64, mc - ir);
        const pcc = c + <usize>ir * ldc + (<usize>jr << 3);
        if (direct) {
          // A's rows ic+ir… from column pc, read in place: rows `ars` words apart, k steps `acs` words.
          const pa = a + ((<usize>(ic + ir) * ars + <usize>pc * acs) << 3);
          if (mr == MR64 && nr == NR64) {
            kernelF64(kc, pa, ars << 3, acs << 3, pb, 32, pcc, ldc, first);
          } else if (mr == MR64 && nr == 2) {
            kernelF64Direct4x2(kc, pa, ars << 3, acs << 3, pb, pcc, ldc, first);
          } else {
            // Other partial tiles: pack this one micro-panel and take the packed edge path.
            packAF64(a, ars, acs, ic + ir, mr, pc, kc, ap);
            edgeF64(kc, ap, pb, pcc, ldc, first, mr, nr, tile);
          }
        } else {
          const pa = ap + (<usize>(ir * kc) << 3);
          if (mr == MR64 && nr == NR64) {
            kernelF64(kc, pa, 8, 32, pb, 32, pcc, ldc, first);
          } else {
            edgeF64(kc, pa, pb, pcc, ldc, first, mr, nr, tile);
          }
        }
      }
    }
  }
}

function packAF64(a: usize, rs: usize, cs: usize, i0: i32, mc: i32, p0: i32, kc: i32, ap: usize): void {
  let q = ap;
  const rs8 = rs << 3;
  const cs8 = cs << 3;
  for (let ir = 0; ir < mc; ir += MR64) {
    const mr = min<i32>(MR64, mc - ir);
    let p = a + ((<usize>(i0 + ir) * rs + <usize>p0 * cs) << 3);
    if (mr == MR64) {
      for (let k = 0; k < kc; k++) {
        store<f64>(q, load<f64>(p));
        store<f64>(q, load<f64>(p + rs8), 8);
        store<f64>(q, load<f64>(p + 2 * rs8), 16);
        store<f64>(q, load<f64>(p + 3 * rs8), 24);
        q += 32;
        p += cs8;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let rr = 0; rr < MR64; rr++) {
          store<f64>(q, rr < mr ? load<f64>(p + <usize>rr * rs8) : 0.0);
          q += 8;
        }
        p += cs8;
      }
    }
  }
}

function packBF64(b: usize, rs: usize, cs: usize, p0: i32, kc: i32, j0: i32, nc: i32, bp: usize): void {
  let q = bp;
  const rs8 = rs << 3;
  const cs8 = cs << 3;
  for (let jr = 0; jr < nc; jr += NR64) {
    const nr = min<i32>(NR64, nc - jr);
    let p = b + ((<usize>p0 * rs + <usize>(j0 + jr) * cs) << 3);
    if (nr == NR64 && cs == 1) {
      for (let k = 0; k < kc; k++) {
        v128.store(q, v128.load(p));
        v128.store(q, v128.load(p, 16), 16);
        q += 32;
        p += rs8;
      }
    } else if (nr == NR64) {
      for (let k = 0; k < kc; k++) {
        store<f64>(q, load<f64>(p));
        store<f64>(q, load<f64>(p + cs8), 8);
        store<f64>(q, load<f64>(p + 2 * cs8), 16);
        store<f64>(q, load<f64>(p + 3 * cs8), 24);
        q += 32;
        p += rs8;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let cc = 0; cc < NR64; cc++) {
          store<f64>(q, cc < nr ? load<f64>(p + <usize>cc * cs8) : 0.0);
          q += 8;
        }
        p += rs8;
      }
    }
  }
}

function edgeF64(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool, mr: i32, nr: i32, tile: usize): void {
  for (let r = 0; r < MR64; r++) {
    for (let j = 0; j < NR64; j++) {
      const v: f64 = !first && r < mr && j < nr ? load<f64>(c + <usize>r * ldc + (<usize>j << 3)) : 0.0;
      store<f64>(tile + (<usize>(r * NR64 + j) << 3), v);
    }
  }
  kernelF64(kc, pa, 8, 32, pb, 32, tile, NR64 << 3, false);
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      store<f64>(c + <usize>r * ldc + (<usize>j << 3), load<f64>(tile + (<usize>(r * NR64 + j) << 3)));
    }
  }
}

/**
 * The float64 micro-kernel: a 4×4 tile of C (+)= A × B. Row r of the tile's A is at `pa + r·rs8`
 * and steps `cs8` bytes per k (8 and 32 for a packed panel; A's strides when it is read where it
 * lies); B's row k is at `pb + k·bstep` (32 for a packed panel; B's row stride when read in place).
 * Inlined with constant steps, the packed case compiles to fixed load offsets.
 */
// @ts-ignore: decorator
@inline
export function kernelF64(kc: i32, pa: usize, rs8: usize, cs8: usize, pb: usize, bstep: usize, c: usize, ldc: usize, first: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  if (first) {
    c00 = f64x2.splat(0); c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00; c31 = c00;
  } else {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c1); c11 = v128.load(c1, 16);
    c20 = v128.load(c2); c21 = v128.load(c2, 16);
    c30 = v128.load(c3); c31 = v128.load(c3, 16);
  }
  const r2 = rs8 << 1;
  const r3 = r2 + rs8;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = madd64(a, b0, c00);
    c01 = madd64(a, b1, c01);
    a = v128.load64_splat(pa + rs8);
    c10 = madd64(a, b0, c10);
    c11 = madd64(a, b1, c11);
    a = v128.load64_splat(pa + r2);
    c20 = madd64(a, b0, c20);
    c21 = madd64(a, b1, c21);
    a = v128.load64_splat(pa + r3);
    c30 = madd64(a, b0, c30);
    c31 = madd64(a, b1, c31);
    pa += cs8;
    pb += bstep;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}

/** {@link kernelF64} with A read where it lies, for a tile two columns wide (B's packed panel is still four wide). */
function kernelF64Direct4x2(kc: i32, pa: usize, rs8: usize, cs8: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  let c0: v128, c1: v128, c2: v128, c3: v128;
  const p1 = c + ldc;
  const p2 = p1 + ldc;
  const p3 = p2 + ldc;
  if (first) {
    c0 = f64x2.splat(0); c1 = c0; c2 = c0; c3 = c0;
  } else {
    c0 = v128.load(c); c1 = v128.load(p1); c2 = v128.load(p2); c3 = v128.load(p3);
  }
  const r2 = rs8 << 1;
  const r3 = r2 + rs8;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    c0 = madd64(v128.load64_splat(pa), b0, c0);
    c1 = madd64(v128.load64_splat(pa + rs8), b0, c1);
    c2 = madd64(v128.load64_splat(pa + r2), b0, c2);
    c3 = madd64(v128.load64_splat(pa + r3), b0, c3);
    pa += cs8;
    pb += 32;
  }
  v128.store(c, c0); v128.store(p1, c1); v128.store(p2, c2); v128.store(p3, c3);
}
