/**
 * IEEE 754 binary16 and bfloat16 decoding written from the format definitions, independent of src/io/half.ts.
 */

/** The value of float16 bits: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits. */
export function decodeHalf(bits: number): number {
  const negative = (bits & 0x8000) !== 0;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  let magnitude: number;
  if (exponent === 0x1f) magnitude = fraction === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  else if (exponent === 0)
    magnitude = fraction / 1024 / 16384; // subnormal: 0.fraction × 2^-14
  else magnitude = ((1024 + fraction) / 1024) * 2 ** (exponent - 15);
  return negative ? -magnitude : magnitude;
}

/** The value of bfloat16 bits: the upper half of a float32. */
export function decodeBf16(bits: number): number {
  const negative = (bits & 0x8000) !== 0;
  const exponent = (bits >>> 7) & 0xff;
  const fraction = bits & 0x7f;
  let magnitude: number;
  if (exponent === 0xff) magnitude = fraction === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  else if (exponent === 0) magnitude = (fraction / 128) * 2 ** -126;
  else magnitude = ((128 + fraction) / 128) * 2 ** (exponent - 127);
  return negative ? -magnitude : magnitude;
}
