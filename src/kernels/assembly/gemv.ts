// Float64 matrix–vector products on row-major blocks (the level-2 half of the SVD's blocked
// bidiagonalisation). Called directly on the calling thread; addresses in bytes, strides in elements.

import { madd32, madd64 } from "./madd";

/** `y[c] += Σ_{r<rows} x[r·incx] · A[r·lda + c]` for `c < cols` (y = y + Aᵀx). */
export function gemvT64(a: usize, lda: i32, rows: i32, cols: i32, x: usize, incx: i32, y: usize): void {
  const ldb = <usize>lda << 3;
  const incb = <usize>incx << 3;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = a + <usize>r * ldb;
    const a1 = a0 + ldb;
    const a2 = a1 + ldb;
    const a3 = a2 + ldb;
    const s0 = load<f64>(x + <usize>r * incb);
    const s1 = load<f64>(x + <usize>(r + 1) * incb);
    const s2 = load<f64>(x + <usize>(r + 2) * incb);
    const s3 = load<f64>(x + <usize>(r + 3) * incb);
    const x0 = f64x2.splat(s0);
    const x1 = f64x2.splat(s1);
    const x2 = f64x2.splat(s2);
    const x3 = f64x2.splat(s3);
    let c = 0;
    for (; c + 2 <= cols; c += 2) {
      const o = <usize>c << 3;
      let acc = v128.load(y + o);
      acc = madd64(x0, v128.load(a0 + o), acc);
      acc = madd64(x1, v128.load(a1 + o), acc);
      acc = madd64(x2, v128.load(a2 + o), acc);
      acc = madd64(x3, v128.load(a3 + o), acc);
      v128.store(y + o, acc);
    }
    if (c < cols) {
      const o = <usize>c << 3;
      store<f64>(y + o, load<f64>(y + o) + s0 * load<f64>(a0 + o) + s1 * load<f64>(a1 + o) + s2 * load<f64>(a2 + o) + s3 * load<f64>(a3 + o));
    }
  }
  for (; r < rows; r++) {
    const a0 = a + <usize>r * ldb;
    const s0 = load<f64>(x + <usize>r * incb);
    const x0 = f64x2.splat(s0);
    let c = 0;
    for (; c + 2 <= cols; c += 2) {
      const o = <usize>c << 3;
      v128.store(y + o, madd64(x0, v128.load(a0 + o), v128.load(y + o)));
    }
    if (c < cols) {
      const o = <usize>c << 3;
      store<f64>(y + o, load<f64>(y + o) + s0 * load<f64>(a0 + o));
    }
  }
}

/** `y[r] = Σ_{c<cols} A[r·lda + c] · x[c]` for `r < rows` (y = Ax). */
export function gemvN64(a: usize, lda: i32, rows: i32, cols: i32, x: usize, y: usize): void {
  const ldb = <usize>lda << 3;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = a + <usize>r * ldb;
    const a1 = a0 + ldb;
    const a2 = a1 + ldb;
    const a3 = a2 + ldb;
    let c0 = f64x2.splat(0);
    let c1 = f64x2.splat(0);
    let c2 = f64x2.splat(0);
    let c3 = f64x2.splat(0);
    let c = 0;
    for (; c + 2 <= cols; c += 2) {
      const o = <usize>c << 3;
      const xv = v128.load(x + o);
      c0 = madd64(v128.load(a0 + o), xv, c0);
      c1 = madd64(v128.load(a1 + o), xv, c1);
      c2 = madd64(v128.load(a2 + o), xv, c2);
      c3 = madd64(v128.load(a3 + o), xv, c3);
    }
    let t0 = f64x2.extract_lane(c0, 0) + f64x2.extract_lane(c0, 1);
    let t1 = f64x2.extract_lane(c1, 0) + f64x2.extract_lane(c1, 1);
    let t2 = f64x2.extract_lane(c2, 0) + f64x2.extract_lane(c2, 1);
    let t3 = f64x2.extract_lane(c3, 0) + f64x2.extract_lane(c3, 1);
    if (c < cols) {
      const o = <usize>c << 3;
      const xs = load<f64>(x + o);
      t0 += load<f64>(a0 + o) * xs;
      t1 += load<f64>(a1 + o) * xs;
      t2 += load<f64>(a2 + o) * xs;
      t3 += load<f64>(a3 + o) * xs;
    }
    const yo = y + (<usize>r << 3);
    store<f64>(yo, t0);
    store<f64>(yo, t1, 8);
    store<f64>(yo, t2, 16);
    store<f64>(yo, t3, 24);
  }
  for (; r < rows; r++) {
    const a0 = a + <usize>r * ldb;
    let c0 = f64x2.splat(0);
    let c = 0;
    for (; c + 2 <= cols; c += 2) {
      const o = <usize>c << 3;
      c0 = madd64(v128.load(a0 + o), v128.load(x + o), c0);
    }
    let t0 = f64x2.extract_lane(c0, 0) + f64x2.extract_lane(c0, 1);
    if (c < cols) t0 += load<f64>(a0 + (<usize>c << 3)) * load<f64>(x + (<usize>c << 3));
    store<f64>(y + (<usize>r << 3), t0);
  }
}

// Float32 twins of the two products above (f32x4 lanes), for the GEMM's one-row (M = 1) and
// one-column (N = 1) cases, where a micro-tile of rows or columns would be mostly padding.

/** `y[c] += Σ_{r<rows} x[r·incx] · A[r·lda + c]` for `c < cols` (y = y + Aᵀx), float32. */
export function gemvT32(a: usize, lda: i32, rows: i32, cols: i32, x: usize, incx: i32, y: usize): void {
  const ldb = <usize>lda << 2;
  const incb = <usize>incx << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = a + <usize>r * ldb;
    const a1 = a0 + ldb;
    const a2 = a1 + ldb;
    const a3 = a2 + ldb;
    const s0 = load<f32>(x + <usize>r * incb);
    const s1 = load<f32>(x + <usize>(r + 1) * incb);
    const s2 = load<f32>(x + <usize>(r + 2) * incb);
    const s3 = load<f32>(x + <usize>(r + 3) * incb);
    const x0 = f32x4.splat(s0);
    const x1 = f32x4.splat(s1);
    const x2 = f32x4.splat(s2);
    const x3 = f32x4.splat(s3);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      let acc = v128.load(y + o);
      acc = madd32(x0, v128.load(a0 + o), acc);
      acc = madd32(x1, v128.load(a1 + o), acc);
      acc = madd32(x2, v128.load(a2 + o), acc);
      acc = madd32(x3, v128.load(a3 + o), acc);
      v128.store(y + o, acc);
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      store<f32>(y + o, load<f32>(y + o) + s0 * load<f32>(a0 + o) + s1 * load<f32>(a1 + o) + s2 * load<f32>(a2 + o) + s3 * load<f32>(a3 + o));
    }
  }
  for (; r < rows; r++) {
    const a0 = a + <usize>r * ldb;
    const s0 = load<f32>(x + <usize>r * incb);
    const x0 = f32x4.splat(s0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      v128.store(y + o, madd32(x0, v128.load(a0 + o), v128.load(y + o)));
    }
    for (; c < cols; c++) {
      const o = <usize>c << 2;
      store<f32>(y + o, load<f32>(y + o) + s0 * load<f32>(a0 + o));
    }
  }
}

/** `y[r] = Σ_{c<cols} A[r·lda + c] · x[c]` for `r < rows` (y = Ax), float32. */
export function gemvN32(a: usize, lda: i32, rows: i32, cols: i32, x: usize, y: usize): void {
  const ldb = <usize>lda << 2;
  for (let r = 0; r < rows; r++) {
    const a0 = a + <usize>r * ldb;
    let c0 = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2;
      c0 = madd32(v128.load(a0 + o), v128.load(x + o), c0);
    }
    let t0 = f32x4.extract_lane(c0, 0) + f32x4.extract_lane(c0, 1) + f32x4.extract_lane(c0, 2) + f32x4.extract_lane(c0, 3);
    for (; c < cols; c++) t0 += load<f32>(a0 + (<usize>c << 2)) * load<f32>(x + (<usize>c << 2));
    store<f32>(y + (<usize>r << 2), t0);
  }
}
