/**
 * Singular values by one-sided Jacobi (Hestenes): rotate column pairs of a copy of A until all are
 * mutually orthogonal; the column norms are then the singular values. Independent of src/ and
 * accurate to a few ulps of ‖A‖; slow (O(n³) per sweep), for tests only.
 */
export function jacobiSingularValues(a: ArrayLike<number>, m: number, n: number): number[] {
  // Work on the orientation with more rows than columns.
  const rows = Math.max(m, n);
  const cols = Math.min(m, n);
  const X = Array.from({ length: cols }, (_, j) => Float64Array.from({ length: rows }, (_, i) => (m >= n ? a[i * n + j]! : a[j * n + i]!)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        const xp = X[p]!;
        const xq = X[q]!;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < rows; i++) {
          alpha += xp[i]! * xp[i]!;
          beta += xq[i]! * xq[i]!;
          gamma += xp[i]! * xq[i]!;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-16 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < rows; i++) {
          const u = xp[i]!;
          const v = xq[i]!;
          xp[i] = c * u - s * v;
          xq[i] = s * u + c * v;
        }
      }
    }
    if (!rotated) break;
  }
  return X.map((x) => Math.hypot(...x)).sort((u, v) => v - u);
}
