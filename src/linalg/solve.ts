/**
 * Solvers: Cholesky, least squares (via QR), pseudo-inverse (via SVD), and the symmetric
 * eigendecomposition (cyclic Jacobi: slow for large matrices but accurate to working precision).
 * @module
 */
import { InvalidArgumentError, InvalidShapeError, NotConvergedError } from "../errors.js";
import { DenseTensor } from "../tensor/dense.js";
import { qr } from "./qr.js";
import { svd } from "./svd.js";
import { checkFinite, dims, f64, linalgBackend, matmul, matmulTN, type LinalgOptions, type Matrix } from "./matrix.js";

/** The lower-triangular Cholesky factor of a symmetric positive definite matrix, or undefined when it is not (numerically) positive definite. @category Decompositions */
export function cholesky(a: Matrix): Matrix | undefined {
  const [n, n2] = dims(a);
  if (n !== n2) throw new InvalidShapeError(`Cholesky needs a square matrix, got ${n}×${n2}`, "pass a symmetric positive definite matrix");
  const A = f64(a);
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j]!;
    for (let k = 0; k < j; k++) s -= L[j * n + k]! * L[j * n + k]!;
    if (!(s > 0)) return undefined;
    const ljj = Math.sqrt(s);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j]!;
      for (let k = 0; k < j; k++) t -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = t / ljj;
    }
  }
  return new DenseTensor(L, [n, n]);
}

/** Solves `L Lᵀ X = B` given the Cholesky factor L (`B` is `n×k`). @category Decompositions */
export function choleskySolve(l: Matrix, b: Matrix): Matrix {
  const [n] = dims(l);
  const [nb, k] = dims(b, "right-hand side");
  if (nb !== n) throw new InvalidShapeError(`right-hand side has ${nb} rows, the system ${n}`, "pass B with as many rows as the matrix");
  const L = f64(l);
  const X = f64(b).slice();
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      let s = X[i * k + c]!;
      for (let j = 0; j < i; j++) s -= L[i * n + j]! * X[j * k + c]!;
      X[i * k + c] = s / L[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = X[i * k + c]!;
      for (let j = i + 1; j < n; j++) s -= L[j * n + i]! * X[j * k + c]!;
      X[i * k + c] = s / L[i * n + i]!;
    }
  }
  return new DenseTensor(X, [n, k]);
}

/**
 * Solves the symmetric system `A X = B`: Cholesky when A is positive definite, the pseudo-inverse otherwise.
 * @example
 * ```ts
 * import { solveSymmetric, tensor } from "multilinear";
 * solveSymmetric(tensor([[4, 2], [2, 3]]), tensor([[2], [1]])).toArray(); // => [[0.5], [0]]
 * ```
 * @category Decompositions
 */
export function solveSymmetric(a: Matrix, b: Matrix, options: LinalgOptions = {}): Matrix {
  checkFinite(a, "the system matrix");
  const l = cholesky(a);
  if (l) return choleskySolve(l, b);
  const backend = linalgBackend(options);
  return matmul(pinv(a, { backend }), b, backend);
}

/**
 * Least-squares solution of `A X ≈ B` (minimum norm when A is rank deficient).
 * @example
 * ```ts
 * import { lstsq, tensor } from "multilinear";
 * lstsq(tensor([[1, 0], [0, 1], [1, 1]]), tensor([[1], [2], [3]])).toArray().flat().map((v) => Math.round(v * 1e12) / 1e12); // => [1, 2]
 * ```
 * @category Decompositions
 */
export function lstsq(a: Matrix, b: Matrix, options: LinalgOptions = {}): Matrix {
  const backend = linalgBackend(options);
  const [m, n] = dims(a);
  const [mb] = dims(b, "right-hand side");
  if (mb !== m) throw new InvalidShapeError(`right-hand side has ${mb} rows but A has ${m}`, "pass B with as many rows as A");
  checkFinite(a, "A");
  checkFinite(b, "B");
  if (m >= n) {
    const { q, r } = qr(a);
    // Full column rank: back-substitute R X = Qᵀ B; otherwise fall back to the pseudo-inverse.
    const R = f64(r);
    let minDiag = Infinity;
    let maxDiag = 0;
    for (let i = 0; i < n; i++) {
      minDiag = Math.min(minDiag, Math.abs(R[i * n + i]!));
      maxDiag = Math.max(maxDiag, Math.abs(R[i * n + i]!));
    }
    if (minDiag > maxDiag * 1e-12 * Math.max(m, n)) {
      const qtb = matmulTN(q, b, backend);
      const k = qtb.shape[1]!;
      const X = f64(qtb).slice();
      for (let c = 0; c < k; c++) {
        for (let i = n - 1; i >= 0; i--) {
          let s = X[i * k + c]!;
          for (let j = i + 1; j < n; j++) s -= R[i * n + j]! * X[j * k + c]!;
          X[i * k + c] = s / R[i * n + i]!;
        }
      }
      return new DenseTensor(X, [n, k]);
    }
  }
  return matmul(pinv(a, { backend }), b, backend);
}

/** Options of {@link pinv}. @category Decompositions */
export interface PinvOptions extends LinalgOptions {
  /** Singular values below `rcond · σ_max` count as zero (default `max(m, n) · ε`, numpy's choice). */
  readonly rcond?: number;
}

/**
 * Moore–Penrose pseudo-inverse via the SVD.
 * @example
 * ```ts
 * import { pinv, tensor } from "multilinear";
 * pinv(tensor([[2, 0], [0, 0]])).toArray(); // => [[0.5, 0], [0, 0]]
 * ```
 * @category Decompositions
 */
export function pinv(a: Matrix, options: PinvOptions = {}): Matrix {
  const [m, n] = dims(a);
  const backend = linalgBackend(options);
  const { u, s, vt } = svd(a, { backend });
  const cut = (options.rcond ?? Math.max(m, n) * 2 ** -52) * (s[0] ?? 0);
  const k = s.length;
  // pinv = V · diag(1/s) · Uᵀ
  const vs = vt.clone();
  for (let i = 0; i < k; i++) {
    const inv = s[i]! > cut ? 1 / s[i]! : 0;
    for (let c = 0; c < n; c++) vs.data[i * n + c] = vs.data[i * n + c]! * inv;
  }
  return matmulTN(vs, u.transpose().contiguous(), backend);
}

/** Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix. @category Decompositions */
export interface Eigh {
  readonly values: Float64Array;
  /** `n×n`, column i is the eigenvector of `values[i]`. */
  readonly vectors: Matrix;
}

/**
 * Symmetric eigendecomposition by cyclic Jacobi rotations (accurate to working precision).
 * @throws {@link InvalidArgumentError} when the matrix is not symmetric.
 * @example
 * ```ts
 * import { eigh, tensor } from "multilinear";
 * [...eigh(tensor([[2, 1], [1, 2]])).values].map((v) => Math.round(v * 1e12) / 1e12); // => [1, 3]
 * ```
 * @category Decompositions
 */
export function eigh(a: Matrix): Eigh {
  const [n, n2] = dims(a);
  if (n !== n2) throw new InvalidShapeError(`eigh needs a square matrix, got ${n}×${n2}`, "pass a symmetric matrix");
  checkFinite(a, "the matrix");
  const A = f64(a).slice();
  let scale = 0;
  for (const v of A) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(A[i * n + j]! - A[j * n + i]!) > 1e-10 * Math.max(scale, 1e-300)) {
        throw new InvalidArgumentError(
          `the matrix is not symmetric (entries (${i}, ${j}) and (${j}, ${i}) differ)`,
          "symmetrise it, e.g. (A + Aᵀ)/2",
        );
      }
    }
  }
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += A[i * n + j]! ** 2;
    if (off <= (2 ** -52 * scale) ** 2 * n * n || off === 0) {
      const order = [...Array(n).keys()].sort((x, y) => A[x * n + x]! - A[y * n + y]!);
      const values = Float64Array.from(order, (i) => A[i * n + i]!);
      const vectors = new Float64Array(n * n);
      order.forEach((src, dst) => {
        for (let r = 0; r < n; r++) vectors[r * n + dst] = V[r * n + src]!;
      });
      return { values, vectors: new DenseTensor(vectors, [n, n]) };
    }
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (apq === 0) continue;
        const app = A[p * n + p]!;
        const aqq = A[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!;
          const akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!;
          const aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!;
          const vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  throw new NotConvergedError("the Jacobi eigenvalue iteration did not converge in 100 sweeps", "check the matrix for extreme scaling");
}
