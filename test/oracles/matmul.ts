/** Naive batched matrix product, independent of src: float64 sums plus the sum of |products| for error bounds. */
export interface NaiveProduct {
  readonly value: Float64Array;
  readonly absSum: Float64Array;
}

/** `c[b,i,j] = Σ_k a(b,i,k) · b(b,k,j)` with element getters. */
export function naiveBatchedMatmul(
  a: (b: number, i: number, k: number) => number,
  b: (b: number, k: number, j: number) => number,
  B: number,
  M: number,
  K: number,
  N: number,
): NaiveProduct {
  const value = new Float64Array(B * M * N);
  const absSum = new Float64Array(B * M * N);
  for (let q = 0; q < B; q++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        let t = 0;
        for (let k = 0; k < K; k++) {
          const p = a(q, i, k) * b(q, k, j);
          s += p;
          t += Math.abs(p);
        }
        value[(q * M + i) * N + j] = s;
        absSum[(q * M + i) * N + j] = t;
      }
    }
  }
  return { value, absSum };
}
