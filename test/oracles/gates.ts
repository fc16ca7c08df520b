/**
 * Gate activations by bisection in float64, independent of src: α-entmax for α = 1.5 and 2
 * (sparsemax) solves Σ_j [(α−1)x_j − τ]₊^{1/(α−1)} = 1 for τ; softmax directly.
 */
function bisectTau(z: readonly number[], power: number): number {
  let lo = Math.max(...z) - 1;
  let hi = Math.max(...z);
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    let f = 0;
    for (const v of z) if (v > mid) f += (v - mid) ** power;
    if (f >= 1) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Row-wise α-entmax over the last axis of a row-major [rows, d] array. */
export function oracleEntmax(x: ArrayLike<number>, d: number, alpha: 1.5 | 2): Float64Array {
  const out = new Float64Array(x.length);
  const power = 1 / (alpha - 1);
  for (let r = 0; r < x.length / d; r++) {
    const z = Array.from({ length: d }, (_, j) => (alpha - 1) * x[r * d + j]!);
    const tau = bisectTau(z, power);
    for (let j = 0; j < d; j++) out[r * d + j] = Math.max(z[j]! - tau, 0) ** power;
  }
  return out;
}

/** Row-wise softmax. */
export function oracleSoftmax(x: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let m = -Infinity;
    for (let j = 0; j < d; j++) m = Math.max(m, x[r * d + j]!);
    let s = 0;
    for (let j = 0; j < d; j++) s += Math.exp(x[r * d + j]! - m);
    for (let j = 0; j < d; j++) out[r * d + j] = Math.exp(x[r * d + j]! - m) / s;
  }
  return out;
}

/**
 * GELU x·Φ(x): erf from its Taylor series for |x/√2| < 2, else erfc(a) = (2/√π)∫_a^{a+12} e^{-t²} dt
 * by composite Simpson (the tail beyond is below 1e-60 of the integral).
 */
export function oracleGelu(x: number): number {
  const u = x / Math.SQRT2;
  if (Math.abs(u) < 2) {
    let term = u;
    let sum = u;
    for (let n = 1; n < 200; n++) {
      term *= (-u * u) / n;
      sum += term / (2 * n + 1);
    }
    return 0.5 * x * (1 + (2 / Math.sqrt(Math.PI)) * sum);
  }
  const a = Math.abs(u);
  const steps = 6000;
  const h = 12 / steps;
  let acc = 0;
  for (let k = 0; k <= steps; k++) {
    const w = k === 0 || k === steps ? 1 : k % 2 === 1 ? 4 : 2;
    acc += w * Math.exp(-((a + k * h) ** 2));
  }
  const erfc = ((2 / Math.sqrt(Math.PI)) * acc * h) / 3;
  // 1 + erf(u) is erfc(|u|) for u < 0 and 2 − erfc(|u|) for u > 0.
  return u < 0 ? 0.5 * x * erfc : 0.5 * x * (2 - erfc);
}
