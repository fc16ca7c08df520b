/**
 * The reference CPU backend in plain TypeScript: permutes and diagonals are views, a permuted
 * operand is packed straight into the GEMM panels, and sums walk memory once.
 * @module
 */
import { InvalidShapeError } from "../../errors.js";
import { DenseTensor } from "../dense.js";
import { allocate, type DType } from "../dtype.js";
import { MAX_ELEMENTS } from "../shape.js";
import type { Backend } from "./backend.js";
import { gemm, GemmWorkspace } from "./cpu/gemm.js";
import { sumAxes } from "./cpu/reduce.js";

/** Below this many multiply-adds per batch entry, one fused loop handles all batches. */
const TINY = 64;

/** The CPU backend. Each instance owns its GEMM workspaces; it is not shared between threads. */
export class CpuBackend implements Backend<DenseTensor> {
  readonly name = "cpu";
  readonly limits = { maxLoop: Number.MAX_SAFE_INTEGER, maxElements: MAX_ELEMENTS };
  private readonly ws = new GemmWorkspace();

  upload(x: DenseTensor): DenseTensor {
    return x;
  }

  download(x: DenseTensor): DenseTensor {
    return x.contiguous();
  }

  reshape(x: DenseTensor, shape: readonly number[]): DenseTensor {
    return x.reshape(shape);
  }

  permute(x: DenseTensor, axes: readonly number[]): DenseTensor {
    return x.permute(axes);
  }

  diagonal(x: DenseTensor, axisA: number, axisB: number): DenseTensor {
    return x.diagonal(axisA, axisB);
  }

  sumAxes(x: DenseTensor, axes: readonly number[]): DenseTensor {
    return sumAxes(x, axes);
  }

  batchedMatmul<D extends DType>(a: DenseTensor<D>, b: DenseTensor<D>): DenseTensor<D> {
    if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
      throw new InvalidShapeError(
        `batchedMatmul needs [B,M,K]·[B,K,N], got [${a.shape.join(", ")}]·[${b.shape.join(", ")}]`,
        "reshape the operands to three axes with matching batch and inner sizes",
      );
    }
    const [B, M, K] = a.shape as [number, number, number];
    const N = b.shape[2]!;
    const out = allocate(a.dtype, B * M * N);
    const [sab, sam, sak] = a.strides as [number, number, number];
    const [sbb, sbk, sbn] = b.strides as [number, number, number];
    if (M * N * K <= TINY && B > 1) {
      tinyBatched(B, M, N, K, a, b, out);
    } else {
      for (let i = 0; i < B; i++) {
        gemm(
          M,
          N,
          K,
          { data: a.data, offset: a.offset + i * sab, rowStride: sam, colStride: sak },
          { data: b.data, offset: b.offset + i * sbb, rowStride: sbk, colStride: sbn },
          out,
          i * M * N,
          N,
          this.ws,
        );
      }
    }
    return new DenseTensor(out, [B, M, N]);
  }
}

function tinyBatched(B: number, M: number, N: number, K: number, a: DenseTensor, b: DenseTensor, out: Float32Array | Float64Array): void {
  const ad = a.data;
  const bd = b.data;
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk, sbn] = b.strides as [number, number, number];
  let o = 0;
  for (let bi = 0; bi < B; bi++) {
    const a0 = a.offset + bi * sab;
    const b0 = b.offset + bi * sbb;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += ad[a0 + i * sam + p * sak]! * bd[b0 + p * sbk + j * sbn]!;
        out[o++] = s;
      }
    }
  }
}
