/**
 * MTTKRP (a tensor unfolding times the Khatri–Rao product of the other factors) on typed arrays, for
 * CP-ALS on the CPU. One GEMM contracts a run of X's leading or trailing modes with their factors —
 * X is read as it lies, with no unfolding copy and no Khatri–Rao product of all the other modes — and
 * short loops contract the modes left in that rank-batched partial. A sweep over modes 0…D−1 needs two
 * GEMMs, not D: the partial with the trailing modes contracted serves every mode before them (Phan,
 * Tichavský & Cichocki, "Fast alternating LS algorithms for high order CANDECOMP/PARAFAC tensor
 * factorizations", 2013); a last mode of at least R entries then takes one GEMM over the Khatri–Rao
 * product of all the other factors (X read row-major), otherwise the partial with the leading modes
 * contracted serves the modes after them. On the WebAssembly kernels X sits in a pinned block of
 * kernel memory for the whole fit, where the GEMMs read it in place.
 * @module
 */
import { ResidentF64 } from "../../kernels/level2.js";
import type { CpuBackend } from "../../tensor/backends/cpu/backend.js";
import type { Loan } from "../../tensor/backends/cpu/work-arrays.js";
import { DenseTensor } from "../../tensor/dense.js";

/** X contracted with factors over some of its modes: axes `dims` then a rank axis, C order. */
export interface RankedPartial {
  readonly data: Float64Array;
  readonly dims: readonly number[];
  readonly rank: number;
}

/** Which end of X a GEMM contracts: modes `0…count−1` or `D−count…D−1`. */
export interface EdgeModes {
  readonly side: "leading" | "trailing";
  readonly count: number;
}

/**
 * Rows of the Khatri–Rao product of `n_k × R` row-major factors, the first factor varying slowest
 * (TensorLy's order, matching C-order axes of X).
 */
export function khatriRaoRows(factors: readonly Float64Array[], rank: number): Float64Array {
  let out = factors[0]!;
  for (const f of factors.slice(1)) out = khatriRaoPair(out, f, rank, new Float64Array((out.length / rank) * f.length));
  return out;
}

/** The Khatri–Rao product of two `n × R` row-major factors (the first varying slowest), into `out`. */
function khatriRaoPair(a: Float64Array, b: Float64Array, rank: number, out: Float64Array): Float64Array {
  const rowsA = a.length / rank;
  const rowsB = b.length / rank;
  let o = 0;
  for (let i = 0; i < rowsA; i++) {
    const ai = i * rank;
    for (let j = 0; j < rowsB; j++) {
      const bj = j * rank;
      for (let r = 0; r < rank; r++) out[o + r] = a[ai + r]! * b[bj + r]!;
      o += rank;
    }
  }
  return out;
}

/**
 * Contracts the modes `edge` names of the C-contiguous float64 tensor `x` with their factors (one per
 * mode of `x`; the others are not read), as one GEMM on `backend` that reads `x` as it lies.
 */
export function contractEdge(
  x: DenseTensor<"float64">,
  factors: readonly Float64Array[],
  rank: number,
  edge: EdgeModes,
  backend: CpuBackend,
  out?: Float64Array,
): RankedPartial {
  const D = x.ndim;
  const modes = edge.side === "leading" ? [...Array(edge.count).keys()] : [...Array(edge.count).keys()].map((k) => D - edge.count + k);
  const kept = x.shape.filter((_, k) => !modes.includes(k));
  const inner = modes.reduce((p, k) => p * x.shape[k]!, 1);
  const outer = x.size / inner;
  const kr = new DenseTensor<"float64">(
    khatriRaoRows(
      modes.map((k) => factors[k]!),
      rank,
    ),
    [1, inner, rank],
  );
  // X is `outer × inner` row-major when the trailing modes are contracted; its transpose when the leading are.
  const strides = edge.side === "trailing" ? [outer * inner, inner, 1] : [outer * inner, 1, outer];
  const xv = new DenseTensor<"float64">(x.data, [1, outer, inner], strides, x.offset);
  // The result goes straight into `out` when given (a buffer the caller reuses across sweeps).
  const res = backend.batchedMatmul(xv, kr, out?.subarray(0, outer * rank));
  return { data: res.data, dims: kept, rank };
}

/**
 * `M[i, r] = Σ P[…, i, …, r] · Π_{a ≠ keep} U_a[i_a, r]`: contracts every axis of `p` but `keep` with
 * its factor (`factors[a]` for axis a, `dims[a] × R` row-major; `factors[keep]` is not read), largest
 * axis first so the partial shrinks fastest. Returns `dims[keep] × R`, row-major.
 */
export function reduceRanked(p: RankedPartial, factors: readonly Float64Array[], keep: number): Float64Array {
  let data = p.data;
  const axes = p.dims.map((n, a) => ({ n, factor: factors[a]!, keep: a === keep }));
  while (axes.length > 1) {
    let at = -1;
    axes.forEach((ax, i) => {
      if (!ax.keep && (at < 0 || ax.n >= axes[at]!.n)) at = i;
    });
    data = contractAxis(
      data,
      axes.map((ax) => ax.n),
      at,
      axes[at]!.factor,
      p.rank,
    );
    axes.splice(at, 1);
  }
  // Never hand out the partial itself: its buffer is reused by the next sweep.
  return data === p.data ? data.slice() : data;
}

/**
 * `out[p, q, r] = Σ_t P[p, t, q, r] U[t, r]` for axis `at` of a partial with axes `dims` and rank R.
 * Each output is summed in four interleaved registers (t mod 4), not read back and written per t:
 * one accumulator would wait on the previous addition at every step.
 */
function contractAxis(data: Float64Array, dims: readonly number[], at: number, u: Float64Array, R: number): Float64Array {
  let pre = 1;
  for (let a = 0; a < at; a++) pre *= dims[a]!;
  const mid = dims[at]!;
  let post = R;
  for (let a = at + 1; a < dims.length; a++) post *= dims[a]!;
  const out = new Float64Array(pre * post);
  const s2 = 2 * post;
  const s3 = 3 * post;
  for (let p = 0; p < pre; p++) {
    for (let q = 0; q < post; q++) {
      let i = p * mid * post + q;
      let w = q % R;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let t = 0;
      for (; t + 3 < mid; t += 4) {
        a0 += data[i]! * u[w]!;
        a1 += data[i + post]! * u[w + R]!;
        a2 += data[i + s2]! * u[w + 2 * R]!;
        a3 += data[i + s3]! * u[w + 3 * R]!;
        i += 4 * post;
        w += 4 * R;
      }
      for (; t < mid; t++) {
        a0 += data[i]! * u[w]!;
        i += post;
        w += R;
      }
      out[p * post + q] = a0 + a1 + (a2 + a3);
    }
  }
  return out;
}

/**
 * How a sweep splits X's modes: the smallest run of trailing modes (not mode 0) with at least R
 * entries, so the partial that serves the modes before it is no larger than X; the same from the
 * leading end for the modes after, never past the trailing run.
 */
export function sweepSplit(shape: readonly number[], rank: number): { readonly trailing: number; readonly leading: number } {
  const D = shape.length;
  let trailing = 1;
  let size = shape[D - 1]!;
  while (size < rank && trailing < D - 1) size *= shape[D - 1 - trailing++]!;
  const maxLeading = D - trailing;
  let leading = 1;
  size = shape[0]!;
  while (size < rank && leading < maxLeading) size *= shape[leading++]!;
  return { trailing, leading };
}

/** Below this many entries X is not worth keeping in kernel memory. */
const RESIDENT_MIN = 1 << 16;

/**
 * The MTTKRPs of CP-ALS sweeps over modes 0, 1, …, D−1. Each partial is kept while the factors it
 * contracted are the same arrays, so callers must replace a factor array when it changes, never
 * write into it.
 */
export class MttkrpSweep {
  private readonly trailing: EdgeModes;
  private readonly leading: EdgeModes;
  private readonly lastByGemm: boolean;
  private readonly cache = new Map<EdgeModes, { readonly factors: readonly Float64Array[]; readonly dims: readonly number[] }>();
  /** Work buffers by name: a partial per edge, the last mode's Khatri–Rao product (`len` doubles each). */
  private readonly sizes = new Map<string, number>();
  private readonly buffers = new Map<string, Float64Array>();
  private readonly loans: Loan[] = [];
  /**
   * X followed by the work buffers in pinned kernel memory, when there is a kernel runtime: the GEMMs
   * read X and the Khatri–Rao product there and write the partials there, in place, and repeated
   * fits reuse memory that is already mapped.
   */
  private resident: ResidentF64 | undefined;
  private readonly offsets = new Map<string, number>();

  /** `x` must be C-contiguous float64. */
  constructor(
    private readonly x: DenseTensor<"float64">,
    private readonly rank: number,
    private readonly backend: CpuBackend,
  ) {
    const split = sweepSplit(x.shape, rank);
    const D = x.ndim;
    this.trailing = { side: "trailing", count: split.trailing };
    this.leading = { side: "leading", count: split.leading };
    this.lastByGemm = D > 1 && split.trailing === 1;
    const partialOf = (edge: EdgeModes): number => {
      const modes = edge.side === "leading" ? x.shape.slice(0, edge.count) : x.shape.slice(D - edge.count);
      return (x.size / modes.reduce((p, n) => p * n, 1)) * rank;
    };
    this.sizes.set("trailing", partialOf(this.trailing));
    if (!this.lastByGemm) this.sizes.set("leading", partialOf(this.leading));
    else this.sizes.set("kr", (x.size / x.shape[D - 1]!) * rank);
    const rt = backend.runtime;
    if (rt && x.size >= RESIDENT_MIN) {
      let words = x.size;
      for (const [name, len] of this.sizes) {
        words = Math.ceil(words / 8) * 8; // 64-byte aligned
        this.offsets.set(name, words);
        words += len;
      }
      this.resident = ResidentF64.open(rt, words);
      this.resident?.view(0, x.size).set(x.data.subarray(x.offset, x.offset + x.size));
    }
  }

  /** Returns the sweep's buffers to the pool; the sweep must not be used afterwards. */
  release(): void {
    for (const l of this.loans.splice(0)) l.release();
    this.resident?.close();
    this.resident = undefined;
    this.buffers.clear();
    this.cache.clear();
  }

  /**
   * The work buffer `name`: a view of the pinned block (taken afresh, since a GEMM may have grown and
   * so detached the kernel memory), else an array borrowed from the backend's work arrays on first use.
   */
  private bufferFor(name: string): Float64Array {
    const len = this.sizes.get(name)!;
    if (this.resident) return this.resident.view(this.offsets.get(name)!, len);
    let buf = this.buffers.get(name);
    if (!buf) {
      const loan = this.backend.workArrays.borrow(`mttkrp.${name}`, len);
      this.loans.push(loan);
      buf = loan.data;
      this.buffers.set(name, buf);
    }
    return buf;
  }

  /** X as the GEMMs should read it: its copy in kernel memory when there is one. */
  private source(): DenseTensor<"float64"> {
    return this.resident ? new DenseTensor<"float64">(this.resident.view(0, this.x.size), this.x.shape) : this.x;
  }

  /** The MTTKRP of `mode` for `factors` (`n_k × R` row-major each): `I_mode × R`, row-major. */
  mttkrp(factors: readonly Float64Array[], mode: number): Float64Array {
    const firstTrailing = this.x.ndim - this.trailing.count;
    // A last mode of R or more entries is the trailing run by itself; it is served by one GEMM over
    // the Khatri–Rao product of all the other factors, which reads X row-major (no partial to reduce).
    if (mode === this.x.ndim - 1 && this.lastByGemm) return this.lastMode(factors);
    // Modes before the trailing run come from the partial without it, the others from the one without the leading run.
    const edge = mode < firstTrailing ? this.trailing : this.leading;
    const contracted = edge === this.trailing ? factors.slice(firstTrailing) : factors.slice(0, edge.count);
    let hit = this.cache.get(edge);
    if (!hit || hit.factors.some((f, k) => f !== contracted[k])) {
      const { dims } = contractEdge(this.source(), factors, this.rank, edge, this.backend, this.bufferFor(edge.side));
      hit = { factors: contracted, dims };
      this.cache.set(edge, hit);
    }
    const partial: RankedPartial = { data: this.bufferFor(edge.side), dims: hit.dims, rank: this.rank };
    return edge === this.trailing
      ? reduceRanked(partial, factors.slice(0, firstTrailing), mode)
      : reduceRanked(partial, factors.slice(edge.count), mode - edge.count);
  }

  /** `X_(D−1) · KhatriRao(U_0, …, U_{D−2})` as `Xᵀ(n_last × outer) · KR(outer × R)`. */
  private lastMode(factors: readonly Float64Array[]): Float64Array {
    const D = this.x.ndim;
    const nLast = this.x.shape[D - 1]!;
    const outer = this.x.size / nLast;
    const R = this.rank;
    const kr = this.bufferFor("kr");
    khatriRaoInto(factors.slice(0, D - 1), R, kr);
    const x = this.source();
    const xt = new DenseTensor<"float64">(x.data, [1, nLast, outer], [outer * nLast, 1, nLast], x.offset);
    return this.backend.batchedMatmul(xt, new DenseTensor<"float64">(kr, [1, outer, R])).data;
  }
}

/** {@link khatriRaoRows}, written into `out`. */
function khatriRaoInto(factors: readonly Float64Array[], rank: number, out: Float64Array): void {
  if (factors.length === 1) out.set(factors[0]!);
  else khatriRaoPair(khatriRaoRows(factors.slice(0, -1), rank), factors[factors.length - 1]!, rank, out);
}
