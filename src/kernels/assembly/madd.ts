// Multiply-add: a fused f32x4/f64x2 multiply-add where the build enables relaxed SIMD (engines with
// FMA hardware use it), else a multiply and an add.

// @ts-ignore: decorator
@inline
export function madd32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<f32>(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline
export function madd64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<f64>(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}
