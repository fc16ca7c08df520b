/**
 * Seeded random numbers. The generator (xoshiro128**, seeded by splitmix32) uses only 32-bit
 * integer arithmetic, so the same seed gives the same numbers in every JavaScript engine.
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** A seeded stream of random numbers. @category Tensor */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  /** @param seed - any integer (only its low 32 bits and the bits above matter, both are mixed in). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new InvalidArgumentError(`seed ${seed} is not a finite number`, "pass an integer seed");
    let x = (Math.trunc(seed) >>> 0) ^ Math.trunc(seed / 4294967296);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller; pairs are used in turn). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/**
 * A fresh seed for callers that gave none (numpy's and PyTorch's unseeded behaviour): different on
 * every call. Pass a seed wherever results must be reproducible.
 */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
