// AssemblyScript source of the WebAssembly SIMD128 kernels (compiled by scripts/build-kernels.mjs).
//
// Memory layout (all addresses in bytes, strides in elements):
//   [0, 1024)        unused
//   [1024, 2048)     control block: i32 slots, see the SLOT_* constants (mirrored in src/kernels/layout.ts)
//   [65536, ...)     arena managed from JavaScript: per-thread packing buffers, operands, results
//
// A job is described in the control block; `runJob(id)` takes tasks from a shared counter until none
// are left, so the main thread and any number of workers can run the same job. Every output element
// is owned by exactly one task and is a sequential sum over k in increasing order, so the result
// does not depend on how tasks are spread over threads.

const CTRL: usize = 1024;

const SLOT_GEN: i32 = 0;
const SLOT_STOP: i32 = 1;
const SLOT_DONE: i32 = 2;
const SLOT_NEXT: i32 = 3;
const SLOT_KIND: i32 = 4;
const SLOT_NTHREADS: i32 = 5;
const SLOT_NTASKS: i32 = 6;

const KIND_GEMM_F32: i32 = 1;
const KIND_GEMM_F64: i32 = 2;

// GEMM parameters.
const G_BATCH: i32 = 16;
const G_M: i32 = 17;
const G_N: i32 = 18;
const G_K: i32 = 19;
const G_A: i32 = 20;
const G_ABS: i32 = 21;
const G_ARS: i32 = 22;
const G_ACS: i32 = 23;
const G_B: i32 = 24;
const G_BBS: i32 = 25;
const G_BRS: i32 = 26;
const G_BCS: i32 = 27;
const G_C: i32 = 28;
const G_MC: i32 = 29;
const G_NC: i32 = 30;
const G_KC: i32 = 31;
const G_TM: i32 = 32;
const G_TN: i32 = 33;
const G_PACK: i32 = 34;
const G_PACKSTRIDE: i32 = 35;
const G_ACC: i32 = 36; // nonzero: C += A·B (C's contents are kept), else C = A·B
const G_DIRECT: i32 = 37; // float64 only, nonzero: the micro-kernels read A where it lies (no A panels)
const G_LDC: i32 = 38; // elements between rows of C (≥ N); batch b's C starts at C + b·M·LDC
const G_DIRECTB: i32 = 39; // float64 only, nonzero: the micro-kernels read B's rows where they lie (no B panels)

// Strided copy / reduction parameters.
const S_NDIM: i32 = 16;
const S_SRC: i32 = 17;
const S_DST: i32 = 18;
const S_SHAPE: i32 = 24; // 8 slots
const S_SSTR: i32 = 32; // 8 slots: source strides
const S_DSTR: i32 = 40; // 8 slots: destination strides
const S_IDX: i32 = 48; // 8 slots: odometer scratch

@inline function slot(i: i32): usize {
  return CTRL + (<usize>i << 2);
}
@inline function geti(i: i32): i32 {
  return load<i32>(slot(i));
}
@inline function getu(i: i32): usize {
  return <usize>load<u32>(slot(i));
}

// ---------------------------------------------------------------------------------------------
// Job dispatch and the worker loop

/** Runs tasks of the current job until none are left. Thread `id` uses packing buffer `id`. */
export function runJob(id: i32): void {
  const kind = geti(SLOT_KIND);
  const n = geti(SLOT_NTASKS);
  while (true) {
    const t = atomic.add<i32>(slot(SLOT_NEXT), 1);
    if (t >= n) break;
    if (kind == KIND_GEMM_F32) gemmTaskF32(t, id);
    else if (kind == KIND_GEMM_F64) gemmTaskF64(t, id);
  }
}

/**
 * Body of a worker thread: sleeps until the generation counter moves past `seen`, runs its share of
 * the job (when its id is below the job's thread count), reports done, and sleeps again. Returns
 * when the stop flag is set.
 */
export function workerLoop(id: i32, seen: i32): void {
  while (true) {
    let gen = atomic.load<i32>(slot(SLOT_GEN));
    while (gen == seen) {
      atomic.wait<i32>(slot(SLOT_GEN), seen, -1);
      gen = atomic.load<i32>(slot(SLOT_GEN));
    }
    seen = gen;
    if (atomic.load<i32>(slot(SLOT_STOP)) != 0) return;
    if (id < atomic.load<i32>(slot(SLOT_NTHREADS))) runJob(id);
    atomic.add<i32>(slot(SLOT_DONE), 1);
    atomic.notify(slot(SLOT_DONE), 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Multiply-add: a fused f32x4/f64x2 multiply-add where the build enables relaxed SIMD (engines with
// FMA hardware use it), else a multiply and an add.

// @ts-ignore: decorator
@inline
function madd32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<f32>(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline
function madd64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<f64>(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

// ---------------------------------------------------------------------------------------------
// float32 GEMM: 4×8 register tile (8 accumulators of f32x4), packed panels, blocked in M, N, K.
// V8 on x64 keeps one of the 16 xmm registers as scratch; 8 accumulators + 2 B vectors + the A
// splat + a product temporary fit, 12 accumulators (6×8) spill and run ~30% slower.

const MR32: i32 = 4;
const NR32: i32 = 8;

function gemmTaskF32(t: i32, id: i32): void {
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
function kernelF32(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
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

// ---------------------------------------------------------------------------------------------
// float64 GEMM: 4×4 register tile (8 accumulators of f64x2), same register budget.

const MR64: i32 = 4;
const NR64: i32 = 4;

function gemmTaskF64(t: i32, id: i32): void {
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
function kernelF64(kc: i32, pa: usize, rs8: usize, cs8: usize, pb: usize, bstep: usize, c: usize, ldc: usize, first: bool): void {
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

// ---------------------------------------------------------------------------------------------
// Ceiling probe: the micro-kernel alone on panels that stay in L1, so the benchmark can report the
// fraction of the reachable WebAssembly SIMD rate a GEMM attains.

/** Runs the float32 (`shift` = 2) or float64 (`shift` = 3) micro-kernel `reps` times over `kc` steps. */
export function kernelPeak(shift: i32, reps: i32, kc: i32, pa: usize, pb: usize, pc: usize): void {
  if (shift == 2) {
    for (let r = 0; r < reps; r++) kernelF32(kc, pa, pb, pc, NR32 << 2, false);
  } else {
    for (let r = 0; r < reps; r++) kernelF64(kc, pa, 8, 32, pb, 32, pc, NR64 << 3, false);
  }
}

// ---------------------------------------------------------------------------------------------
// Strided copy (permute / diagonal materialization) into a contiguous destination.
//
// Parameters: S_NDIM axes (1..8) with S_SHAPE sizes and S_SSTR source strides; the destination is
// C-contiguous over the same shape. `pAxis` is the axis with the smallest source stride: when it is
// not the last axis, the (pAxis, last) plane is copied in square blocks so both sides stay in cache.

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

// ---------------------------------------------------------------------------------------------
// Reductions: acc (float64, zeroed by the caller) += x over a strided walk. The axes come in loop
// order (outermost first); S_DSTR holds the accumulator strides (0 along summed axes).

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

// ---------------------------------------------------------------------------------------------
// Float64 matrix–vector products on row-major blocks (the level-2 half of the SVD's blocked
// bidiagonalisation). Called directly on the calling thread; addresses in bytes, strides in elements.

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

// ---------------------------------------------------------------------------------------------
// Passes of the secular-equation solver of the SVD's divide and conquer (src/linalg/bidiagonal-dc.ts
// holds the algorithm; these are its O(K) loops, two poles per f64x2). Poles j ≤ i are "below" the
// root, j > i "above"; sums are returned in `out` as [below, below slope, above, above slope, curvature].

/**
 * For δ = `delta`: `inv[j] = 1/(δ_j − τ)` for every j < K, and the sums of `t = z2_j·inv[j]`, `t·inv[j]`
 * (below and above i) and `t·inv[j]²` (all j) into out[0…4].
 */
export function secularSums(delta: usize, z2: usize, inv: usize, K: i32, i: i32, tau: f64, out: usize): void {
  const tv = f64x2.splat(tau);
  const one = f64x2.splat(1.0);
  let s = f64x2.splat(0);
  let ds = s;
  let curv = s;
  let j: i32 = 0;
  let psi: f64 = 0;
  let dpsi: f64 = 0;
  // Below: pairs wholly at or below i, then a single pole if one is left.
  for (; j + 1 <= i; j += 2) {
    const o = <usize>j << 3;
    const r = f64x2.div(one, f64x2.sub(v128.load(delta + o), tv));
    v128.store(inv + o, r);
    const t = f64x2.mul(v128.load(z2 + o), r);
    const tr = f64x2.mul(t, r);
    s = f64x2.add(s, t);
    ds = f64x2.add(ds, tr);
    curv = f64x2.add(curv, f64x2.mul(tr, r));
  }
  psi = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  dpsi = f64x2.extract_lane(ds, 0) + f64x2.extract_lane(ds, 1);
  let cv: f64 = 0;
  for (; j <= i && j < K; j++) {
    const o = <usize>j << 3;
    const r = 1.0 / (load<f64>(delta + o) - tau);
    store<f64>(inv + o, r);
    const t = load<f64>(z2 + o) * r;
    psi += t;
    dpsi += t * r;
    cv += t * r * r;
  }
  s = f64x2.splat(0);
  ds = s;
  for (; j + 1 < K; j += 2) {
    const o = <usize>j << 3;
    const r = f64x2.div(one, f64x2.sub(v128.load(delta + o), tv));
    v128.store(inv + o, r);
    const t = f64x2.mul(v128.load(z2 + o), r);
    const tr = f64x2.mul(t, r);
    s = f64x2.add(s, t);
    ds = f64x2.add(ds, tr);
    curv = f64x2.add(curv, f64x2.mul(tr, r));
  }
  let phi = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let dphi = f64x2.extract_lane(ds, 0) + f64x2.extract_lane(ds, 1);
  for (; j < K; j++) {
    const o = <usize>j << 3;
    const r = 1.0 / (load<f64>(delta + o) - tau);
    store<f64>(inv + o, r);
    const t = load<f64>(z2 + o) * r;
    phi += t;
    dphi += t * r;
    cv += t * r * r;
  }
  store<f64>(out, psi);
  store<f64>(out, dpsi, 8);
  store<f64>(out, phi, 16);
  store<f64>(out, dphi, 24);
  store<f64>(out, cv + f64x2.extract_lane(curv, 0) + f64x2.extract_lane(curv, 1), 32);
}

/**
 * The first evaluation of root i at τ = `mid` against δ = `lower`, writing `upper[j] = (d_j − dn)(d_j + dn)`
 * (the δ's relative to the next pole) on the way; sums into out[0…3] as {@link secularSums}.
 */
export function secularMid(d: usize, lower: usize, upper: usize, z2: usize, K: i32, i: i32, mid: f64, dn: f64, out: usize): void {
  const mv = f64x2.splat(mid);
  const nv = f64x2.splat(dn);
  const one = f64x2.splat(1.0);
  let s = f64x2.splat(0);
  let ds = s;
  let j: i32 = 0;
  for (; j + 1 <= i; j += 2) {
    const o = <usize>j << 3;
    const dj = v128.load(d + o);
    v128.store(upper + o, f64x2.mul(f64x2.sub(dj, nv), f64x2.add(dj, nv)));
    const r = f64x2.div(one, f64x2.sub(v128.load(lower + o), mv));
    const t = f64x2.mul(v128.load(z2 + o), r);
    s = f64x2.add(s, t);
    ds = f64x2.add(ds, f64x2.mul(t, r));
  }
  let psi = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let dpsi = f64x2.extract_lane(ds, 0) + f64x2.extract_lane(ds, 1);
  for (; j <= i && j < K; j++) {
    const o = <usize>j << 3;
    const dj = load<f64>(d + o);
    store<f64>(upper + o, (dj - dn) * (dj + dn));
    const r = 1.0 / (load<f64>(lower + o) - mid);
    const t = load<f64>(z2 + o) * r;
    psi += t;
    dpsi += t * r;
  }
  s = f64x2.splat(0);
  ds = s;
  for (; j + 1 < K; j += 2) {
    const o = <usize>j << 3;
    const dj = v128.load(d + o);
    v128.store(upper + o, f64x2.mul(f64x2.sub(dj, nv), f64x2.add(dj, nv)));
    const r = f64x2.div(one, f64x2.sub(v128.load(lower + o), mv));
    const t = f64x2.mul(v128.load(z2 + o), r);
    s = f64x2.add(s, t);
    ds = f64x2.add(ds, f64x2.mul(t, r));
  }
  let phi = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let dphi = f64x2.extract_lane(ds, 0) + f64x2.extract_lane(ds, 1);
  for (; j < K; j++) {
    const o = <usize>j << 3;
    const dj = load<f64>(d + o);
    store<f64>(upper + o, (dj - dn) * (dj + dn));
    const r = 1.0 / (load<f64>(lower + o) - mid);
    const t = load<f64>(z2 + o) * r;
    phi += t;
    dphi += t * r;
  }
  store<f64>(out, psi);
  store<f64>(out, dpsi, 8);
  store<f64>(out, phi, 16);
  store<f64>(out, dphi, 24);
}

/** `acc[j] *= upper[j]·inv[j]` for j ≤ i, `acc[j] *= lower[j]·inv[j]` above (the Löwner products). */
export function lownerUpdate(acc: usize, lower: usize, upper: usize, inv: usize, K: i32, i: i32): void {
  let j: i32 = 0;
  for (; j + 1 <= i; j += 2) {
    const o = <usize>j << 3;
    v128.store(acc + o, f64x2.mul(v128.load(acc + o), f64x2.mul(v128.load(upper + o), v128.load(inv + o))));
  }
  for (; j <= i && j < K; j++) {
    const o = <usize>j << 3;
    store<f64>(acc + o, load<f64>(acc + o) * (load<f64>(upper + o) * load<f64>(inv + o)));
  }
  for (; j + 1 < K; j += 2) {
    const o = <usize>j << 3;
    v128.store(acc + o, f64x2.mul(v128.load(acc + o), f64x2.mul(v128.load(lower + o), v128.load(inv + o))));
  }
  for (; j < K; j++) {
    const o = <usize>j << 3;
    store<f64>(acc + o, load<f64>(acc + o) * (load<f64>(lower + o) * load<f64>(inv + o)));
  }
}
