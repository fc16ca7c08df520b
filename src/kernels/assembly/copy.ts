// Strided copy (permute / diagonal materialization) into a contiguous destination.
//
// Parameters: S_NDIM axes (1..8) with S_SHAPE sizes and S_SSTR source strides; the destination is
// C-contiguous over the same shape. `pAxis` is the axis with the smallest source stride: when it is
// not the last axis, the (pAxis, last) plane is copied in square blocks so both sides stay in cache.

import { S_DST, S_DSTR, S_IDX, S_NDIM, S_SHAPE, S_SRC, S_SSTR, geti, getu, slot } from "./control";

const BLOCK: i32 = 32;

/** Copies a strided float32 (`shift` = 2) or float64 (`shift` = 3) view into contiguous memory. */
export function copyStrided(shift: i32, pAxis: i32): void {
  const nd = geti(S_NDIM);
  const src = getu(S_SRC);
  const dst = getu(S_DST);
  const last = nd - 1;
  const nL = geti(S_SHAPE + last);
  const sL = <usize>geti(S_SSTR + last);
  const dL = <usize>geti(S_DSTR + last);
  const nP = geti(S_SHAPE + pAxis);
  const sP = <usize>geti(S_SSTR + pAxis);
  const dP = <usize>geti(S_DSTR + pAxis);
  for (let i = 0; i < nd; i++) store<i32>(slot(S_IDX + i), 0);
  let ps = src;
  let pd = dst;
  while (true) {
    if (pAxis == last) {
      copyLine(shift, ps, sL, pd, nL);
    } else if (shift == 2 && sP == 1) {
      transposePlaneF32(ps, sL, pd, dP, nP, nL);
    } else if (shift == 3 && sP == 1) {
      transposePlaneF64(ps, sL, pd, dP, nP, nL);
    } else {
      copyPlane(shift, ps, sP, sL, pd, dP, nP, nL);
    }
    // Odometer over every axis except `last` and `pAxis`.
    let ax = last - 1;
    while (ax >= 0) {
      if (ax == pAxis) {
        ax--;
        continue;
      }
      const ia = slot(S_IDX + ax);
      const iv = load<i32>(ia) + 1;
      const ss = <usize>geti(S_SSTR + ax) << shift;
      const ds = <usize>geti(S_DSTR + ax) << shift;
      if (iv < geti(S_SHAPE + ax)) {
        store<i32>(ia, iv);
        ps += ss;
        pd += ds;
        break;
      }
      store<i32>(ia, 0);
      ps -= <usize>(iv - 1) * ss;
      pd -= <usize>(iv - 1) * ds;
      ax--;
    }
    if (ax < 0) return;
  }
}

function copyLine(shift: i32, ps: usize, s: usize, pd: usize, n: i32): void {
  if (s == 1) {
    memory.copy(pd, ps, <usize>n << shift);
    return;
  }
  const ss = s << shift;
  if (shift == 2) {
    for (let i = 0; i < n; i++) {
      store<f32>(pd, load<f32>(ps));
      pd += 4;
      ps += ss;
    }
  } else {
    for (let i = 0; i < n; i++) {
      store<f64>(pd, load<f64>(ps));
      pd += 8;
      ps += ss;
    }
  }
}

/** dst[i*dP + j] = src[i*sP + j*sL] for i < nP, j < nL, in BLOCK×BLOCK tiles. */
function copyPlane(shift: i32, ps: usize, sP: usize, sL: usize, pd: usize, dP: usize, nP: i32, nL: i32): void {
  const sP_ = sP << shift;
  const sL_ = sL << shift;
  const dP_ = dP << shift;
  const e = <usize>1 << shift;
  for (let i0 = 0; i0 < nP; i0 += BLOCK) {
    const i1 = min<i32>(nP, i0 + BLOCK);
    for (let j0 = 0; j0 < nL; j0 += BLOCK) {
      const j1 = min<i32>(nL, j0 + BLOCK);
      for (let i = i0; i < i1; i++) {
        let s = ps + <usize>i * sP_ + <usize>j0 * sL_;
        let d = pd + <usize>i * dP_ + <usize>j0 * e;
        if (shift == 2) {
          for (let j = j0; j < j1; j++) {
            store<f32>(d, load<f32>(s));
            d += 4;
            s += sL_;
          }
        } else {
          for (let j = j0; j < j1; j++) {
            store<f64>(d, load<f64>(s));
            d += 8;
            s += sL_;
          }
        }
      }
    }
  }
}

/** float32 plane with a unit source stride along the rows: 4×4 in-register transposes. */
function transposePlaneF32(ps: usize, sL: usize, pd: usize, dP: usize, nP: i32, nL: i32): void {
  const sL4 = sL << 2;
  const dP4 = dP << 2;
  const nP4 = nP & ~3;
  const nL4 = nL & ~3;
  for (let i0 = 0; i0 < nP4; i0 += BLOCK) {
    const i1 = min<i32>(nP4, i0 + BLOCK);
    for (let j0 = 0; j0 < nL4; j0 += BLOCK) {
      const j1 = min<i32>(nL4, j0 + BLOCK);
      for (let i = i0; i < i1; i += 4) {
        for (let j = j0; j < j1; j += 4) {
          const s = ps + (<usize>i << 2) + <usize>j * sL4;
          const r0 = v128.load(s);
          const r1 = v128.load(s + sL4);
          const r2 = v128.load(s + 2 * sL4);
          const r3 = v128.load(s + 3 * sL4);
          const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5);
          const t1 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7);
          const t2 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5);
          const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7);
          const d = pd + <usize>i * dP4 + (<usize>j << 2);
          v128.store(d, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5));
          v128.store(d + dP4, v128.shuffle<i32>(t0, t2, 2, 3, 6, 7));
          v128.store(d + 2 * dP4, v128.shuffle<i32>(t1, t3, 0, 1, 4, 5));
          v128.store(d + 3 * dP4, v128.shuffle<i32>(t1, t3, 2, 3, 6, 7));
        }
      }
    }
  }
  // Ragged right and bottom edges.
  for (let i = 0; i < nP; i++) {
    const jStart = i < nP4 ? nL4 : 0;
    for (let j = jStart; j < nL; j++) {
      store<f32>(pd + <usize>i * dP4 + (<usize>j << 2), load<f32>(ps + (<usize>i << 2) + <usize>j * sL4));
    }
  }
}

/** float64 plane with a unit source stride along the rows: 2×2 in-register transposes. */
function transposePlaneF64(ps: usize, sL: usize, pd: usize, dP: usize, nP: i32, nL: i32): void {
  const sL8 = sL << 3;
  const dP8 = dP << 3;
  const nP2 = nP & ~1;
  const nL2 = nL & ~1;
  for (let i0 = 0; i0 < nP2; i0 += BLOCK) {
    const i1 = min<i32>(nP2, i0 + BLOCK);
    for (let j0 = 0; j0 < nL2; j0 += BLOCK) {
      const j1 = min<i32>(nL2, j0 + BLOCK);
      for (let i = i0; i < i1; i += 2) {
        for (let j = j0; j < j1; j += 2) {
          const s = ps + (<usize>i << 3) + <usize>j * sL8;
          const r0 = v128.load(s);
          const r1 = v128.load(s + sL8);
          const d = pd + <usize>i * dP8 + (<usize>j << 3);
          v128.store(d, v128.shuffle<i64>(r0, r1, 0, 2));
          v128.store(d + dP8, v128.shuffle<i64>(r0, r1, 1, 3));
        }
      }
    }
  }
  for (let i = 0; i < nP; i++) {
    const jStart = i < nP2 ? nL2 : 0;
    for (let j = jStart; j < nL; j++) {
      store<f64>(pd + <usize>i * dP8 + (<usize>j << 3), load<f64>(ps + (<usize>i << 3) + <usize>j * sL8));
    }
  }
}
