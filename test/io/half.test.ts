/**
 * float16 / bfloat16 conversion against numpy's rounding and an independent decoder.
 */
import { describe, expect, test } from "vitest";
import { bf16ToNumber, halfToNumber, numberToBf16, numberToHalf } from "../../src/io/half.js";
import { ioManifest, jsonNumber } from "../helpers/io-fixtures.js";
import { decodeBf16, decodeHalf } from "../oracles/half.js";

describe("float16", () => {
  test("decodes all 65536 bit patterns like the format definition", () => {
    for (let b = 0; b < 0x10000; b++) {
      const want = decodeHalf(b);
      const got = halfToNumber(b);
      if (!Object.is(got, want) && !(Number.isNaN(got) && Number.isNaN(want))) expect.fail(`bits 0x${b.toString(16)}: ${got} vs ${want}`);
    }
  });

  test("encoding a decoded value gives the same bits back (NaN aside)", () => {
    for (let b = 0; b < 0x10000; b++) {
      const x = decodeHalf(b);
      if (Number.isNaN(x)) expect(Number.isNaN(decodeHalf(numberToHalf(x)))).toBe(true);
      else if (numberToHalf(x) !== b) expect.fail(`bits 0x${b.toString(16)} (${x}) encode to 0x${numberToHalf(x).toString(16)}`);
    }
  });

  test("rounds like numpy's astype(float16): ties to even, overflow to infinity, subnormals", () => {
    const cases = ioManifest().halfRounding;
    expect(cases.length).toBeGreaterThan(20);
    for (const { value, bits } of cases) expect(numberToHalf(jsonNumber(value)), String(value)).toBe(bits);
  });

  test("rounds every midpoint between neighbours to the even one", () => {
    for (let b = 0; b < 0x7bff; b++) {
      const lo = decodeHalf(b);
      const hi = decodeHalf(b + 1);
      const mid = (lo + hi) / 2;
      const even = b % 2 === 0 ? b : b + 1;
      if (numberToHalf(mid) !== even) expect.fail(`midpoint of 0x${b.toString(16)} and next: got 0x${numberToHalf(mid).toString(16)}`);
      if (numberToHalf(-mid) !== (even | 0x8000)) expect.fail(`negative midpoint of 0x${b.toString(16)}`);
    }
  });
});

describe("bfloat16", () => {
  test("decodes all 65536 bit patterns like the format definition", () => {
    for (let b = 0; b < 0x10000; b++) {
      const want = decodeBf16(b);
      const got = bf16ToNumber(b);
      if (!Object.is(got, want) && !(Number.isNaN(got) && Number.isNaN(want))) expect.fail(`bits 0x${b.toString(16)}: ${got} vs ${want}`);
    }
  });

  test("encoding a decoded value gives the same bits back; midpoints round to even", () => {
    for (let b = 0; b < 0x10000; b++) {
      const x = decodeBf16(b);
      if (Number.isNaN(x)) continue;
      if (numberToBf16(x) !== b) expect.fail(`bits 0x${b.toString(16)} (${x}) encode to 0x${numberToBf16(x).toString(16)}`);
    }
    for (let b = 0; b < 0x7f7f; b += 7) {
      const mid = (decodeBf16(b) + decodeBf16(b + 1)) / 2;
      expect(numberToBf16(mid)).toBe(b % 2 === 0 ? b : b + 1);
    }
    expect(Number.isNaN(bf16ToNumber(numberToBf16(Number.NaN)))).toBe(true);
  });
});
