// float32 GEMM: 4×8 register tile (8 accumulators of f32x4), packed panels, blocked in M, N, K.
// V8 on x64 keeps one of the 16 xmm registers as scratch; 8 accumulators + 2 B vectors + the A
// splat + a product temporary fit, 12 accumulators (6×8) spill and run ~30% slower.

import {
  G_A, G_ABS, G_ACC, G_ACS, G_ARS, G_B, G_BBS, G_BCS, G_BRS, G_C, G_K, G_KC, G_LDC, G_M, G_MC, G_N,
  G_NC, G_PACK, G_PACKSTRIDE, G_TM, G_TN, geti, getu,
} from "./control";
import { madd32 } from "./madd";

const MR32: i32 = 4;
export const NR32: i32 = 8;

export function gemmTaskF32(t: i32, id: i32): void {
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
  const bp = ap + (<usize>(MC * KC) << 2);
  const tile = bp + (<usize>(KC * NC) << 2);
  const ars = <usize>geti(G_ARS);
  const acs = <usize>geti(G_ACS);
  const brs = <usize>geti(G_BRS);
  const bcs = <usize>geti(G_BCS);
  const a = getu(G_A) + ((<usize>bi * <usize>geti(G_ABS)) << 2);
  const b = getu(G_B) + ((<usize>bi * <usize>geti(G_BBS)) << 2);
  const ldcw = <usize>geti(G_LDC);
  const ldc = ldcw << 2;
  const c = getu(G_C) + ((<usize>bi * <usize>M * ldcw + <usize>ic * ldcw + <usize>jc) << 2);
  const acc = geti(G_ACC) != 0;
  for (let pc = 0; pc < K; pc += KC) {
    const kc = min<i32>(KC, K - pc);
    const first = pc == 0 && !acc;
    packBF32(b, brs, bcs, pc, kc, jc, nc, bp);
    packAF32(a, ars, acs, ic, mc, pc, kc, ap);
    for (let jr = 0; jr < nc; jr += NR32) {
      const nr = min<i32>(NR32, nc - jr);
      const pb = bp + (<usize>(jr * kc) << 2);
      for (let ir = 0; ir < mc; ir += MR32) {
        const mr = min<i32>(MR32, mc - ir);
        const pa = ap + (<usize>(ir * kc) << 2);
        const pcc = c + <usize>ir * ldc + (<usize>jr << 2);
        if (mr == MR32 && nr == NR32) {
          kernelF32(kc, pa, pb, pcc, ldc, first);
        } else {
          edgeF32(kc, pa, pb, pcc, ldc, first, mr, nr, tile);
        }
      }
    }
  }
}

/** Packs rows [i0, i0+mc) × cols [p0, p0+kc) of A into MR32-row panels, k-major, zero-padded. */
function packAF32(a: usize, rs: usize, cs: usize, i0: i32, mc: i32, p0: i32, kc: i32, ap: usize): void {
  let q = ap;
  const rs4 = rs << 2;
  const cs4 = cs << 2;
  for (let ir = 0; ir < mc; ir += MR32) {
    const mr = min<i32>(MR32, mc - ir);
    let p = a + ((<usize>(i0 + ir) * rs + <usize>p0 * cs) << 2);
    if (mr == MR32) {
      for (let k = 0; k < kc; k++) {
        store<f32>(q, load<f32>(p));
        store<f32>(q, load<f32>(p + rs4), 4);
        store<f32>(q, load<f32>(p + 2 * rs4), 8);
        store<f32>(q, load<f32>(p + 3 * rs4), 12);
        q += 16;
        p += cs4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let rr = 0; rr < MR32; rr++) {
          store<f32>(q, rr < mr ? load<f32>(p + <usize>rr * rs4) : <f32>0);
          q += 4;
        }
        p += cs4;
      }
    }
  }
}

/** Packs rows [p0, p0+kc) × cols [j0, j0+nc) of B into 8-column panels, k-major, zero-padded. */
function packBF32(b: usize, rs: usize, cs: usize, p0: i32, kc: i32, j0: i32, nc: i32, bp: usize): void {
  let q = bp;
  const rs4 = rs << 2;
  const cs4 = cs << 2;
  for (let jr = 0; jr < nc; jr += NR32) {
    const nr = min<i32>(NR32, nc - jr);
    let p = b + ((<usize>p0 * rs + <usize>(j0 + jr) * cs) << 2);
    if (nr == NR32 && cs == 1) {
      for (let k = 0; k < kc; k++) {
        v128.store(q, v128.load(p));
        v128.store(q, v128.load(p, 16), 16);
        q += 32;
        p += rs4;
      }
    } else if (nr == NR32) {
      for (let k = 0; k < kc; k++) {
        store<f32>(q, load<f32>(p));
        store<f32>(q, load<f32>(p + cs4), 4);
        store<f32>(q, load<f32>(p + 2 * cs4), 8);
        store<f32>(q, load<f32>(p + 3 * cs4), 12);
        store<f32>(q, load<f32>(p + 4 * cs4), 16);
        store<f32>(q, load<f32>(p + 5 * cs4), 20);
        store<f32>(q, load<f32>(p + 6 * cs4), 24);
        store<f32>(q, load<f32>(p + 7 * cs4), 28);
        q += 32;
        p += rs4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let cc = 0; cc < NR32; cc++) {
          store<f32>(q, cc < nr ? load<f32>(p + <usize>cc * cs4) : <f32>0);
          q += 4;
        }
        p += rs4;
      }
    }
  }
}

/** A partial tile: run the full kernel on a scratch MR×NR tile and copy the valid part. */
function edgeF32(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool, mr: i32, nr: i32, tile: usize): void {
  for (let r = 0; r < MR32; r++) {
    for (let j = 0; j < NR32; j++) {
      const v: f32 = !first && r < mr && j < nr ? load<f32>(c + <usize>r * ldc + (<usize>j << 2)) : <f32>0;
      store<f32>(tile + (<usize>(r * NR32 + j) << 2), v);
    }
  }
  kernelF32(kc, pa, pb, tile, NR32 << 2, false);
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      store<f32>(c + <usize>r * ldc + (<usize>j << 2), load<f32>(tile + (<usize>(r * NR32 + j) << 2)));
    }
  }
}

// @ts-ignore: decorator
@inline
export function kernelF32(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  if (first) {
    c00 = f32x4.splat(0); c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00; c31 = c00;
  } else {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c1); c11 = v128.load(c1, 16);
    c20 = v128.load(c2); c21 = v128.load(c2, 16);
    c30 = v128.load(c3); c31 = v128.load(c3, 16);
  }
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd32(a, b0, c00);
    c01 = madd32(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd32(a, b0, c10);
    c11 = madd32(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd32(a, b0, c20);
    c21 = madd32(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd32(a, b0, c30);
    c31 = madd32(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c1, c10); v128.store(c1, c11, 16);
  v128.store(c2, c20); v128.store(c2, c21, 16);
  v128.store(c3, c30); v128.store(c3, c31, 16);
}
