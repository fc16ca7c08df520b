// Reductions: acc (float64, zeroed by the caller) += x over a strided walk. The axes come in loop
// order (outermost first); S_DSTR holds the accumulator strides (0 along summed axes).

import { S_DST, S_DSTR, S_IDX, S_NDIM, S_SHAPE, S_SRC, S_SSTR, geti, getu, slot } from "./control";

/** Accumulates a float32 (`shift` = 2) or float64 (`shift` = 3) strided view into float64 sums. */
export function sumStrided(shift: i32): void {
  const nd = geti(S_NDIM);
  const last = nd - 1;
  const n = geti(S_SHAPE + last);
  const sIn = <usize>geti(S_SSTR + last);
  const sOut = <usize>geti(S_DSTR + last);
  for (let i = 0; i < nd; i++) store<i32>(slot(S_IDX + i), 0);
  let ps = getu(S_SRC);
  let pd = getu(S_DST);
  while (true) {
    if (sOut == 0) {
      store<f64>(pd, load<f64>(pd) + (shift == 2 ? sumLineF32(ps, sIn, n) : sumLineF64(ps, sIn, n)));
    } else if (shift == 2) {
      addLineF32(ps, sIn, pd, sOut, n);
    } else {
      addLineF64(ps, sIn, pd, sOut, n);
    }
    let ax = last - 1;
    while (ax >= 0) {
      const ia = slot(S_IDX + ax);
      const iv = load<i32>(ia) + 1;
      const ss = <usize>geti(S_SSTR + ax) << shift;
      const ds = <usize>geti(S_DSTR + ax) << 3;
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

function sumLineF32(p: usize, s: usize, n: i32): f64 {
  let i = 0;
  let total: f64 = 0;
  if (s == 1) {
    let a0 = f64x2.splat(0);
    let a1 = a0;
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(p + (<usize>i << 2));
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
    }
    const t = f64x2.add(a0, a1);
    total = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  }
  const s4 = s << 2;
  for (; i < n; i++) total += <f64>load<f32>(p + <usize>i * s4);
  return total;
}

function sumLineF64(p: usize, s: usize, n: i32): f64 {
  let i = 0;
  let total: f64 = 0;
  if (s == 1) {
    let a0 = f64x2.splat(0);
    let a1 = a0;
    for (; i + 4 <= n; i += 4) {
      const q = p + (<usize>i << 3);
      a0 = f64x2.add(a0, v128.load(q));
      a1 = f64x2.add(a1, v128.load(q, 16));
    }
    const t = f64x2.add(a0, a1);
    total = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  }
  const s8 = s << 3;
  for (; i < n; i++) total += load<f64>(p + <usize>i * s8);
  return total;
}

function addLineF32(p: usize, s: usize, q: usize, t: usize, n: i32): void {
  let i = 0;
  if (s == 1 && t == 1) {
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(p + (<usize>i << 2));
      const d = q + (<usize>i << 3);
      v128.store(d, f64x2.add(v128.load(d), f64x2.promote_low_f32x4(v)));
      v128.store(d, f64x2.add(v128.load(d, 16), f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1))), 16);
    }
  }
  const s4 = s << 2;
  const t8 = t << 3;
  for (; i < n; i++) {
    const d = q + <usize>i * t8;
    store<f64>(d, load<f64>(d) + <f64>load<f32>(p + <usize>i * s4));
  }
}

function addLineF64(p: usize, s: usize, q: usize, t: usize, n: i32): void {
  let i = 0;
  if (s == 1 && t == 1) {
    for (; i + 2 <= n; i += 2) {
      const d = q + (<usize>i << 3);
      v128.store(d, f64x2.add(v128.load(d), v128.load(p + (<usize>i << 3))));
    }
  }
  const s8 = s << 3;
  const t8 = t << 3;
  for (; i < n; i++) {
    const d = q + <usize>i * t8;
    store<f64>(d, load<f64>(d) + load<f64>(p + <usize>i * s8));
  }
}

/** Rounds `n` float64 values at `src` to float32 at `dst`. */
export function demoteF64(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const v = f32x4.demote_f64x2_zero(v128.load(src + (<usize>i << 3)));
    store<i64>(dst + (<usize>i << 2), i64x2.extract_lane(v, 0));
  }
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(src + (<usize>i << 3)));
}
