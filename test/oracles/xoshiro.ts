/**
 * xoshiro128** seeded by four outputs of a Weyl sequence passed through murmur3's 32-bit finalizer
 * (the seeding src/tensor/random.ts documents), written with BigInt arithmetic from the published
 * reference, independent of the Math.imul implementation under test.
 */
const MASK = 0xffffffffn;

const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & MASK;

/** The state the generator starts from for `seed` (an integer). */
export function seedState(seed: number): bigint[] {
  const low = BigInt(Math.trunc(seed)) & MASK;
  const high = BigInt.asUintN(32, BigInt(Math.trunc(seed / 4294967296)));
  let x = low ^ high;
  const out: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9n) & MASK;
    let z = x;
    z = mul(z ^ (z >> 16n), 0x85ebca6bn);
    z = mul(z ^ (z >> 13n), 0xc2b2ae35n);
    out.push(z ^ (z >> 16n));
  }
  if (!out.some((s) => s !== 0n)) out[0] = 1n;
  return out;
}

/** The first `n` 32-bit outputs of xoshiro128** from `state` (which is advanced). */
export function xoshiro128ss(state: bigint[], n: number): number[] {
  let [s0, s1, s2, s3] = state as [bigint, bigint, bigint, bigint];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Number(mul(rotl(mul(s1, 5n), 7n), 9n)));
    const t = (s1 << 9n) & MASK;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11n);
  }
  state.splice(0, 4, s0, s1, s2, s3);
  return out;
}
