/**
 * Singular values of a small dense matrix by one-sided Jacobi (Hestenes) rotations: the columns of
 * the smaller side are rotated pairwise until they are mutually orthogonal; their norms are then the
 * singular values. This is accurate to a few ulps relative to σ_max (it never forms `AᵀA`), which
 * is what a numerical-rank threshold like `1e-6·σ_max` needs. Cost: `O(sweeps · k² · m)` for an
 * `m × k` matrix with `k ≤ m` (typically 6–10 sweeps). Used by `rankProfile` until the decomposition
 * module's SVD is wired in.
 * @module
 */

/**
 * Singular values, largest first, of the `rows × cols` matrix whose element (i, j) is `at(i, j)`.
 * @internal
 */
export function jacobiSingularValues(rows: number, cols: number, at: (i: number, j: number) => number): Float64Array {
  // Work on k = min(rows, cols) columns of length m = max(rows, cols).
  const transpose = cols > rows;
  const k = transpose ? rows : cols;
  const m = transpose ? cols : rows;
  const col: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = transpose ? at(j, i) : at(i, j);
    col.push(c);
  }
  const eps = 2.220446049250313e-16;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      const cp = col[p]!;
      for (let q = p + 1; q < k; q++) {
        const cq = col[q]!;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = cp[i]!;
          const y = cq[i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = cp[i]!;
          const y = cq[i]!;
          cp[i] = c * x - s * y;
          cq[i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const sv = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (const v of col[j]!) s += v * v;
    sv[j] = Math.sqrt(s);
  }
  return sv.sort().reverse();
}
