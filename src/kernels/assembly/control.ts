// The control block: i32 slots from CTRL = 1024 through which JavaScript describes a job (their
// numbers are mirrored in src/kernels/layout.ts), and the accessors the kernels read them with.

const CTRL: usize = 1024;

export const SLOT_GEN: i32 = 0;
export const SLOT_STOP: i32 = 1;
export const SLOT_DONE: i32 = 2;
export const SLOT_NEXT: i32 = 3;
export const SLOT_KIND: i32 = 4;
export const SLOT_NTHREADS: i32 = 5;
export const SLOT_NTASKS: i32 = 6;

export const KIND_GEMM_F32: i32 = 1;
export const KIND_GEMM_F64: i32 = 2;

// GEMM parameters.
const G_BATCH: i32 = 16;
export const G_M: i32 = 17;
export const G_N: i32 = 18;
export const G_K: i32 = 19;
export const G_A: i32 = 20;
export const G_ABS: i32 = 21;
export const G_ARS: i32 = 22;
export const G_ACS: i32 = 23;
export const G_B: i32 = 24;
export const G_BBS: i32 = 25;
export const G_BRS: i32 = 26;
export const G_BCS: i32 = 27;
export const G_C: i32 = 28;
export const G_MC: i32 = 29;
export const G_NC: i32 = 30;
export const G_KC: i32 = 31;
export const G_TM: i32 = 32;
export const G_TN: i32 = 33;
export const G_PACK: i32 = 34;
export const G_PACKSTRIDE: i32 = 35;
export const G_ACC: i32 = 36; // nonzero: C += A·B (C's contents are kept), else C = A·B
export const G_DIRECT: i32 = 37; // float64 only, nonzero: the micro-kernels read A where it lies (no A panels)
export const G_LDC: i32 = 38; // elements between rows of C (≥ N); batch b's C starts at C + b·M·LDC
export const G_DIRECTB: i32 = 39; // float64 only, nonzero: the micro-kernels read B's rows where they lie (no B panels)

// Strided copy / reduction parameters.
export const S_NDIM: i32 = 16;
export const S_SRC: i32 = 17;
export const S_DST: i32 = 18;
export const S_SHAPE: i32 = 24; // 8 slots
export const S_SSTR: i32 = 32; // 8 slots: source strides
export const S_DSTR: i32 = 40; // 8 slots: destination strides
export const S_IDX: i32 = 48; // 8 slots: odometer scratch

@inline export function slot(i: i32): usize {
  return CTRL + (<usize>i << 2);
}
@inline export function geti(i: i32): i32 {
  return load<i32>(slot(i));
}
@inline export function getu(i: i32): usize {
  return <usize>load<u32>(slot(i));
}
