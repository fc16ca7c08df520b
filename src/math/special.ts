/**
 * Special functions in full double precision: erf, erfc and the exact (erf-based) GELU.
 * @module
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;

/**
 * The error function, accurate to a few ulp: a positive-term series for |x| < 2.5 and the
 * continued fraction of erfc beyond (erfc switches to it from 1.5, where `1 − erf` would cancel).
 * @example
 * ```ts
 * import { erf } from "multilinear";
 * Math.abs(erf(1) - 0.8427007929497149) < 1e-15; // => true
 * ```
 * @category μMoE
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 2.5) return x < 0 ? -erfSeries(a) : erfSeries(a);
  const r = 1 - erfcFraction(a);
  return x < 0 ? -r : r;
}

/** The complementary error function `1 − erf(x)`, without cancellation for large x. @category μMoE */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 1.5) return 1 - erfSeries(x);
  return erfcFraction(x);
}

/** erf(x) = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)); every term is positive. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 1.5 by the Laplace continued fraction, evaluated with the modified Lentz method. */
function erfcFraction(x: number): number {
  if (x > 27) return 0;
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : d;
    c = x + an / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

/**
 * GELU in its exact form `0.5·x·(1 + erf(x/√2))` (PyTorch's default `nn.GELU()`).
 * @example
 * ```ts
 * import { gelu } from "multilinear";
 * gelu(0); // => 0
 * Math.abs(gelu(1) - 0.8413447460685429) < 1e-15; // => true
 * ```
 * @category μMoE
 */
export function gelu(x: number): number {
  // For negative x, 1 + erf(x/√2) = erfc(|x|/√2) avoids cancellation.
  return x >= 0 ? 0.5 * x * (1 + erf(x * Math.SQRT1_2)) : 0.5 * x * erfc(-x * Math.SQRT1_2);
}
