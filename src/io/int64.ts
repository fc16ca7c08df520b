/**
 * 64-bit integers read from files become float64, which holds every integer up to 2^53 exactly.
 * Larger values would be rounded, so they are refused instead.
 * @module
 */
import { FileFormatError } from "../errors.js";

const LIMIT = 2n ** 53n;

/**
 * The exact float64 value of a 64-bit integer read from `file`.
 * @throws {@link FileFormatError} when |value| exceeds 2^53 (float64 would round it).
 */
export function exactInt64(value: bigint, index: number, file: string, dtype: string): number {
  if (value > LIMIT || value < -LIMIT) {
    throw new FileFormatError(
      file,
      `${dtype} element ${index} is ${value}, beyond 2^53: float64 (which multilinear computes in) cannot hold it exactly`,
      "keep the values within ±2^53 (9007199254740992), or convert the array to float64 before saving if rounding is acceptable",
    );
  }
  return Number(value);
}
