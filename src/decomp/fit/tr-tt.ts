/**
 * Tensor-ring and tensor-train decompositions (TensorLy's conventions, see docs/guides/decompositions.md#tr-conventions): TR-SVD,
 * TR-ALS, TT-SVD (with maximum ranks and/or a tolerance, Oseledets' δ-truncation) and TT rounding.
 * @module
 */
import { InvalidArgumentError, NotConvergedError } from "../../errors.js";
import { checkOptionKeys } from "../../option-keys.js";
import { DenseTensor } from "../../tensor/dense.js";
import { einsum } from "../../tensor/api/einsum.js";
import { getSymbol } from "../../tensor/einsum/labels.js";
import { Rng } from "../../tensor/random.js";
import { shapeSize } from "../../tensor/shape.js";
import { frobenius, linalgBackend, matmul, type LinalgOptions } from "../../linalg/matrix.js";
import type { CpuBackend } from "../../tensor/backends/cpu/backend.js";
import { qr } from "../../linalg/qr.js";
import { lstsq } from "../../linalg/solve.js";
import { svd } from "../../linalg/svd.js";
import { ringRanks, trainRanks } from "../rank-lists.js";
import { TRTensor, TTTensor } from "../tr.js";
import { checkData, positiveInt, type FitReport, type ProgressCallback } from "./common.js";

/** `diag(s) · Vᵀ` as a row-major matrix. */
function scaleRows(s: Float64Array, vt: DenseTensor): DenseTensor {
  const [k, n] = vt.shape as [number, number];
  const out = Float64Array.from(vt.toTypedArray());
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! * s[i]!;
  return new DenseTensor(out, [k, n]);
}

/**
 * TR-SVD (TensorLy's `tensor_ring`, mode 0): sequential truncated SVDs, the first one with `R_0·R_1`
 * components split into the ring's two boundary ranks.
 * @param ranks - D ring ranks, TensorLy's D+1 form, or one number for all.
 * @throws {@link ConfigError} for bad ranks; {@link InvalidArgumentError} when `R_0·R_1` exceeds the first unfolding.
 * @example
 * ```ts
 * import { trSvd, TRTensor, randn } from "multilinear";
 * const planted = new TRTensor([randn([2, 8, 3], { seed: 1 }), randn([3, 5, 2], { seed: 2 }), randn([2, 6, 2], { seed: 3 })]);
 * const { tr, relError } = trSvd(planted.toDense(), [2, 3, 12]);
 * [tr.ranks, relError < 1e-12]; // => [[2, 3, 12, 2], true]
 * ```
 * @category Decompositions
 */
export function trSvd(x: DenseTensor, ranks: number | readonly number[], options: LinalgOptions = {}): { tr: TRTensor; relError: number } {
  checkData(x);
  const backend = linalgBackend(options);
  const X = x.astype("float64");
  const shape = X.shape;
  const D = shape.length;
  const rank = ringRanks(ranks, D);
  const rows = shape[0]!;
  const cols = X.size / rows;
  if (rank[0]! * rank[1]! > Math.min(rows, cols)) {
    throw new InvalidArgumentError(
      `R_0·R_1 = ${rank[0]! * rank[1]!} exceeds the first unfolding's smaller side min(${rows}, ${cols})`,
      "lower R_0 or R_1 (TensorLy's tensor_ring has the same limit)",
    );
  }
  const cores: DenseTensor[] = [];
  let { u, s, vt } = svd(X.reshape([rows, cols]), { rank: rank[0]! * rank[1]!, flipSigns: true, backend });
  cores.push(u.reshape([rows, rank[0]!, rank[1]!]).permute([1, 0, 2]).contiguous());
  // (R_0, R_1, rest) → (R_1, rest, R_0): the R_0 index travels at the end.
  let m = scaleRows(s, vt).reshape([rank[0]!, rank[1]!, cols]).permute([1, 2, 0]).contiguous();
  for (let k = 1; k < D - 1; k++) {
    const nRow = rank[k]! * shape[k]!;
    const mat = m.reshape([nRow, -1]);
    const r = Math.min(nRow, mat.shape[1]!, rank[k + 1]!);
    ({ u, s, vt } = svd(mat, { rank: r, flipSigns: true, backend }));
    rank[k + 1] = r;
    cores.push(u.reshape([rank[k]!, shape[k]!, r]).contiguous());
    m = scaleRows(s, vt);
  }
  cores.push(m.reshape([rank[D - 1]!, shape[D - 1]!, rank[0]!]).contiguous());
  const tr = new TRTensor(cores.map((c) => c.astype(x.dtype)));
  return { tr, relError: relativeError(X, tr.toDense()) };
}

/** Options of {@link trAls}. @category Decompositions */
export interface TRAlsOptions extends LinalgOptions {
  /** Starting cores (e.g. from {@link trSvd}); default random U[0, 1) cores. */
  readonly init?: TRTensor;
  readonly maxIter?: number;
  /** Stop when the error decreases by less than this (default 1e-6, TensorLy's). */
  readonly tol?: number;
  readonly seed?: number;
  readonly requireConvergence?: boolean;
  readonly onIteration?: ProgressCallback;
}

/**
 * TR-ALS (TensorLy's `tensor_ring_als`): random U[0,1) cores, then each core in turn solved by least
 * squares against the product of all the others.
 * @category Decompositions
 */
export function trAls(x: DenseTensor, ranks: number | readonly number[], options: TRAlsOptions = {}): { tr: TRTensor } & FitReport {
  checkOptionKeys(options, ["init", "maxIter", "tol", "seed", "requireConvergence", "onIteration", "backend"], "trAls options");
  checkData(x);
  const X = x.astype("float64");
  const shape = X.shape;
  const D = shape.length;
  const rank = ringRanks(ranks, D);
  const maxIter = positiveInt(options.maxIter ?? 100, "maxIter");
  const tol = options.tol ?? 1e-6;
  const rng = new Rng(options.seed ?? 0);
  const backend = linalgBackend(options);
  if (options.init?.ranks.some((r, k) => r !== rank[k])) {
    throw new InvalidArgumentError(
      `the initial ring has ranks [${options.init.ranks.join(", ")}] but [${rank.join(", ")}] were asked for`,
      "start from a ring with the same ranks",
    );
  }
  let cores = options.init
    ? options.init.cores.map((c) => c.astype("float64"))
    : shape.map((n, k) => {
        const d = new Float64Array(rank[k]! * n * rank[k + 1]!);
        for (let i = 0; i < d.length; i++) d[i] = rng.uniform();
        return new DenseTensor(d, [rank[k]!, n, rank[k + 1]!]);
      });
  const normX = frobenius(X);
  const errors: number[] = [];
  let converged = false;
  for (let it = 0; it < maxIter; it++) {
    let err = 0;
    for (let d = 0; d < D; d++) {
      const design = designMatrix(cores, d, backend);
      const others = [...Array(D).keys()].filter((k) => k !== d);
      const xUnf = X.permute([...others, d])
        .reshape([design.shape[0]!, shape[d]!])
        .contiguous();
      const S = lstsq(design, xUnf, { backend });
      cores = cores.map((c, k) =>
        k === d
          ? S.reshape([rank[d]!, rank[d + 1]!, shape[d]!])
              .permute([0, 2, 1])
              .contiguous()
          : c,
      );
      if (d === D - 1) {
        const res = matmul(design, S, backend).toTypedArray();
        const xu = xUnf.toTypedArray();
        let s = 0;
        for (let i = 0; i < res.length; i++) s += (res[i]! - xu[i]!) ** 2;
        err = Math.sqrt(s) / (normX || 1);
      }
    }
    errors.push(err);
    options.onIteration?.(it + 1, err);
    if (it >= 1 && errors[it - 1]! - err < tol) {
      converged = true;
      break;
    }
  }
  if (!converged && options.requireConvergence) {
    throw new NotConvergedError(
      `TR-ALS did not converge in ${maxIter} iterations (last relative error ${errors[errors.length - 1]})`,
      "raise maxIter, loosen tol, or change the ranks",
    );
  }
  return { tr: new TRTensor(cores.map((c) => c.astype(x.dtype))), errors, iterations: errors.length, converged };
}

/** Design matrix of core d: the product of all other cores, rows over the other modes (natural order), columns `(R_d, R_{d+1})`. */
function designMatrix(cores: readonly DenseTensor[], d: number, backend: CpuBackend): DenseTensor {
  const D = cores.length;
  const mode = (k: number): string => getSymbol(k);
  const bond = (k: number): string => getSymbol(D + (k % D));
  const terms: string[] = [];
  const ops: DenseTensor[] = [];
  for (let k = 0; k < D; k++) {
    if (k === d) continue;
    terms.push(`${bond(k)}${mode(k)}${bond(k + 1)}`);
    ops.push(cores[k]!);
  }
  const others = [...Array(D).keys()]
    .filter((k) => k !== d)
    .map(mode)
    .join("");
  const out = einsum(`${terms.join(",")}->${others}${bond(d)}${bond(d + 1)}`, ops, { backend });
  const rowCount = shapeSize(cores.filter((_, k) => k !== d).map((c) => c.shape[1]!));
  return out.reshape([rowCount, cores[d]!.shape[0]! * cores[d]!.shape[2]!]);
}

/** Options of {@link ttSvd}. @category Decompositions */
export interface TTSvdOptions extends LinalgOptions {
  /** Maximum ranks: D−1 inner ranks, the D+1 form, or one number. Default: no limit. */
  readonly ranks?: number | readonly number[];
  /** Relative accuracy ε: truncate so that ‖X − X̂‖ ≤ ε‖X‖ (Oseledets). Default 0 (ranks only). */
  readonly tol?: number;
}

/**
 * TT-SVD (Oseledets; TensorLy's `tensor_train` when only ranks are given): sequential truncated SVDs
 * with maximum ranks and/or the δ = ε‖X‖/√(D−1) truncation.
 * @example
 * ```ts
 * import { ttSvd, TTTensor, randn } from "multilinear";
 * const planted = new TTTensor([randn([1, 4, 2], { seed: 1 }), randn([2, 5, 3], { seed: 2 }), randn([3, 6, 1], { seed: 3 })]);
 * const { tt, relError } = ttSvd(planted.toDense(), { tol: 1e-12 });
 * [tt.ranks, relError < 1e-12]; // => [[1, 2, 3, 1], true]
 * ```
 * @category Decompositions
 */
export function ttSvd(x: DenseTensor, options: TTSvdOptions = {}): { tt: TTTensor; relError: number } {
  checkOptionKeys(options, ["ranks", "tol", "backend"], "ttSvd options");
  checkData(x);
  const X = x.astype("float64");
  const shape = X.shape;
  const D = shape.length;
  const maxRanks = options.ranks === undefined ? Array<number>(D + 1).fill(Infinity) : trainRanks(options.ranks, D);
  const tol = options.tol ?? 0;
  if (!(tol >= 0)) throw new InvalidArgumentError(`tol must be ≥ 0, got ${tol}`, "pass a relative accuracy such as 1e-6");
  const delta = (tol * frobenius(X)) / Math.sqrt(Math.max(D - 1, 1));
  const cores = ttSweep(X, maxRanks, delta, linalgBackend(options));
  const tt = new TTTensor(cores.map((c) => c.astype(x.dtype)));
  return { tt, relError: relativeError(X, tt.toDense()) };
}

function ttSweep(X: DenseTensor, maxRanks: readonly number[], delta: number, backend: CpuBackend): DenseTensor[] {
  const shape = X.shape;
  const D = shape.length;
  const cores: DenseTensor[] = [];
  let m: DenseTensor = X;
  let r = 1;
  for (let k = 0; k < D - 1; k++) {
    const mat = m.reshape([r * shape[k]!, -1]);
    const { u, s, vt } = svd(mat, { flipSigns: true, backend });
    const keep = truncation(s, delta, Math.min(maxRanks[k + 1]!, s.length));
    cores.push(u.slice(1, 0, keep).contiguous().reshape([r, shape[k]!, keep]));
    m = scaleRows(s.slice(0, keep), vt.slice(0, 0, keep).contiguous());
    r = keep;
  }
  cores.push(m.reshape([r, shape[D - 1]!, 1]).contiguous());
  return cores;
}

/** Smallest rank ≤ max whose discarded tail has Σσ² ≤ δ² (at least 1). */
function truncation(s: Float64Array, delta: number, max: number): number {
  let tail = 0;
  let keep = s.length;
  for (let i = s.length - 1; i >= 1; i--) {
    tail += s[i]! * s[i]!;
    if (tail > delta * delta) break;
    keep = i;
  }
  return Math.max(1, Math.min(keep, max));
}

/**
 * TT rounding (Oseledets): right-to-left orthogonalisation by QR, then left-to-right truncated SVDs, to
 * the smallest ranks within relative accuracy `tol` (and `ranks` when given).
 * @category Decompositions
 */
export function ttRound(tt: TTTensor, options: TTSvdOptions = {}): TTTensor {
  checkOptionKeys(options, ["ranks", "tol", "backend"], "ttRound options");
  const D = tt.cores.length;
  const tol = options.tol ?? 0;
  const maxRanks = options.ranks === undefined ? Array<number>(D + 1).fill(Infinity) : trainRanks(options.ranks, D);
  const backend = linalgBackend(options);
  let cores: DenseTensor[] = tt.cores.map((c) => c.astype("float64"));
  // Right-to-left: make cores 1…D−1 right-orthogonal (their reshaped rows orthonormal).
  for (let k = D - 1; k >= 1; k--) {
    const [ra, n, rb] = cores[k]!.shape as [number, number, number];
    const { q, r } = qr(
      cores[k]!.reshape([ra, n * rb])
        .transpose()
        .contiguous(),
    ); // Gᵀ = QR → G = Rᵀ Qᵀ
    const k2 = q.shape[1]!;
    cores[k] = q.transpose().contiguous().reshape([k2, n, rb]);
    cores[k - 1] = einsum("anb,cb->anc", [cores[k - 1]!, r], { backend });
  }
  const norm = frobenius(cores[0]!);
  const delta = (tol * norm) / Math.sqrt(Math.max(D - 1, 1));
  const out: DenseTensor[] = [];
  let carry = cores[0]!;
  for (let k = 0; k < D - 1; k++) {
    const [ra, n, rb] = carry.shape as [number, number, number];
    const { u, s, vt } = svd(carry.reshape([ra * n, rb]), { flipSigns: true, backend });
    const keep = truncation(s, delta, Math.min(maxRanks[k + 1]!, s.length));
    out.push(u.slice(1, 0, keep).contiguous().reshape([ra, n, keep]));
    const sv = scaleRows(s.slice(0, keep), vt.slice(0, 0, keep).contiguous());
    carry = einsum("ab,bnc->anc", [sv, cores[k + 1]!], { backend });
  }
  out.push(carry);
  cores = out;
  return new TTTensor(cores.map((c) => c.astype(tt.dtype)));
}

function relativeError(X: DenseTensor, Y: DenseTensor): number {
  const a = X.toTypedArray();
  const b = Y.toTypedArray();
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s) / (frobenius(X) || 1);
}
