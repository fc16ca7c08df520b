/**
 * Householder reflectors on strided vectors: `H = I − β v vᵀ` with `v[0] = 1`.
 * @module
 */

/**
 * Computes the reflector that maps `x` (n entries from `x[off]` with stride `st`) to `∓‖x‖e₁`.
 * Overwrites x with v (v[0] = 1 implied, stored as 1) and returns β and the new first entry α.
 */
export function makeReflector(x: Float64Array, off: number, st: number, n: number): { beta: number; alpha: number } {
  let scale = 0;
  for (let i = 1; i < n; i++) scale = Math.max(scale, Math.abs(x[off + i * st]!));
  const x0 = x[off]!;
  if (scale === 0) {
    // Already a multiple of e₁: no reflection needed.
    return { beta: 0, alpha: x0 };
  }
  let sigma = 0;
  for (let i = 1; i < n; i++) {
    const v = x[off + i * st]! / scale;
    sigma += v * v;
  }
  sigma *= scale * scale;
  const norm = Math.sqrt(x0 * x0 + sigma);
  const alpha = x0 <= 0 ? norm : -norm;
  const v0 = x0 - alpha;
  const beta = -v0 / alpha; // = 2 v0² / (σ + v0²) with v normalised to v0 = 1
  for (let i = 1; i < n; i++) x[off + i * st] = x[off + i * st]! / v0;
  x[off] = 1;
  return { beta, alpha };
}
