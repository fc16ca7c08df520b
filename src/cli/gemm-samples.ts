/**
 * The sampled check of a GEMM result that the `bench gemm` and `gpu bench` commands run before timing.
 * @module
 */

/** One sampled entry of `C = A·B`: its position, the float64 dot product and `Σ_k |a_ik·b_kj|`. */
export interface GemmSample {
  readonly i: number;
  readonly j: number;
  readonly dot: number;
  readonly mag: number;
}

/** 64 entries of `C = A·B` (row-major n×n), spread over the matrix, with their float64 dot products. */
export function gemmSamples(a: ArrayLike<number>, b: ArrayLike<number>, n: number): GemmSample[] {
  const samples: GemmSample[] = [];
  for (let s = 0; s < 64; s++) {
    const i = (s * 7919) % n;
    const j = (s * 104729 + 13) % n;
    let dot = 0;
    let mag = 0;
    for (let k = 0; k < n; k++) {
      const p = a[i * n + k]! * b[k * n + j]!;
      dot += p;
      mag += Math.abs(p);
    }
    samples.push({ i, j, dot, mag });
  }
  return samples;
}
