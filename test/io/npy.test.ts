/**
 * .npy: files written by numpy (scripts/golden_io.py), round trips, and corrupted files.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { DenseTensor, FileFormatError, readNpy, readNpyHeader, tensor, writeNpy } from "../../src/index.js";
import { ioBytes, ioManifest, jsonNumber } from "../helpers/io-fixtures.js";

const manifest = ioManifest();

/** Element-wise identity, telling -0 from 0 and accepting NaN = NaN. */
function expectSameValues(actual: ArrayLike<number>, expected: readonly number[], context: string): void {
  expect(actual.length, context).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${context}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe("readNpy reads files written by numpy", () => {
  test("the fixture set covers versions 1-3, both byte orders, Fortran order and every dtype kind", () => {
    const all = manifest.npy;
    expect(new Set(all.map((f) => f.version[0]))).toEqual(new Set([1, 2, 3]));
    expect(all.some((f) => f.descr.startsWith(">"))).toBe(true);
    expect(all.some((f) => f.fortran)).toBe(true);
    for (const d of ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"])
      expect(
        all.some((f) => f.descr.endsWith(d)),
        d,
      ).toBe(true);
  });

  test.each(manifest.npy.map((f) => [f.file, f] as const))("%s", (file, f) => {
    const bytes = ioBytes(file);
    const h = readNpyHeader(bytes, file);
    expect(h.version).toEqual(f.version);
    expect(h.descr).toBe(f.descr);
    expect(h.fortranOrder).toBe(f.fortran);
    expect(h.shape).toEqual(f.shape);
    // 64-bit integers beyond ±2^53 would be rounded by float64: refused instead of read.
    if (/[iu]8$/.test(f.descr) && f.values.map(jsonNumber).some((v) => Math.abs(v) > 2 ** 53)) {
      expect(() => readNpy(bytes, file)).toThrow(FileFormatError);
      expect(() => readNpy(bytes, file)).toThrow(/beyond 2\^53/);
      return;
    }
    const x = readNpy(bytes, file);
    expect(x.shape).toEqual(f.shape);
    expect(x.dtype).toBe(/f[24]$/.test(f.descr) ? "float32" : "float64");
    expect(x.isContiguous).toBe(true);
    expectSameValues(x.toTypedArray(), f.values.map(jsonNumber), file);
  });

  test("writeNpy writes the same bytes as numpy for little-endian C-order f4/f8 arrays", () => {
    const same = manifest.npy.filter((f) => f.version[0] === 1 && !f.fortran && (f.descr === "<f8" || f.descr === "<f4"));
    expect(same.length).toBeGreaterThanOrEqual(4);
    for (const f of same) {
      const bytes = ioBytes(f.file);
      expect(Buffer.from(writeNpy(readNpy(bytes))).equals(Buffer.from(bytes)), f.file).toBe(true);
    }
  });
});

describe("writeNpy → readNpy round trips", () => {
  const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
  const valueArb = fc.oneof(
    fc.double(),
    fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, Number.MAX_VALUE),
  );

  test("any shape, float32 and float64, every value bit-exact (NaN, ±0, ±Infinity included)", () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.constantFrom("float32", "float64"),
        fc.array(valueArb, { minLength: 256, maxLength: 256 }),
        fc.boolean(),
        (shape, dtype, pool, transposed) => {
          const n = shape.reduce((a, b) => a * b, 1);
          const stored = transposed ? [...shape].reverse() : shape;
          const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
          for (let i = 0; i < n; i++) data[i] = pool[i % pool.length]!;
          // A transposed view is written in C order of its own (permuted) shape.
          const base = new DenseTensor(data, stored);
          const x = transposed ? base.transpose() : base;
          const y = readNpy(writeNpy(x));
          expect(y.dtype).toBe(dtype);
          expect(y.shape).toEqual(shape);
          expectSameValues(y.toTypedArray(), Array.from(x.toTypedArray()), `shape ${JSON.stringify(shape)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("a header too long for version 1 is written as version 2", () => {
    const shape = new Array<number>(25000).fill(1);
    const bytes = writeNpy(new DenseTensor(new Float64Array([7]), shape));
    const h = readNpyHeader(bytes);
    expect(h.version).toEqual([2, 0]);
    expect(h.dataOffset % 64).toBe(0);
    expect(readNpy(bytes).item()).toBe(7);
  });

  test("the header is numpy's: version 1, dict text, 64-byte aligned, ends in a newline", () => {
    const bytes = writeNpy(tensor([1, 2, 3]));
    const h = readNpyHeader(bytes);
    expect(h.version).toEqual([1, 0]);
    expect(h.dataOffset % 64).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(10, h.dataOffset));
    expect(text).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(3,\), \} *\n$/);
    expect(new TextDecoder().decode(writeNpy(tensor(5)).subarray(10, 80))).toContain("'shape': (), ");
  });
});

/** Builds a .npy file from header text and data bytes (independently of writeNpy). */
function npy(header: string, data: Uint8Array | number, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  const text = header + " ".repeat(total - pre - header.length - 1) + "\n";
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(total + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, text.length, true);
  else dv.setUint32(8, text.length, true);
  out.set(new TextEncoder().encode(text), pre);
  out.set(body, total);
  return out;
}

const dict = (descr: string, shape: string, fortran = "False"): string =>
  `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

describe("corrupted .npy files are rejected with FileFormatError", () => {
  const valid = ioBytes("v1_f8.npy");
  const cases: [string, () => Uint8Array, RegExp][] = [
    ["truncated data", () => valid.subarray(0, valid.length - 1), /needs 96 data bytes but the file has 95 \(truncated or lying header\)/],
    ["truncated inside the header", () => valid.subarray(0, 40), /header claims 118 bytes but the file ends after 30/],
    ["shorter than the preamble", () => valid.subarray(0, 7), /file has 7 bytes, fewer than a \.npy header needs/],
    ["empty", () => new Uint8Array(0), /file has 0 bytes/],
    ["bad magic", () => Uint8Array.from(valid, (b, i) => (i === 1 ? 0x4f : b)), /does not start with the \.npy magic string/],
    ["unsupported version", () => Uint8Array.from(valid, (b, i) => (i === 6 ? 4 : b)), /unsupported \.npy format version 4\.0/],
    ["version 2 cut inside the header length", () => npy(dict("<f8", "(1,)"), 8, 2).subarray(0, 11), /ends inside the header length/],
    ["lying header (shape bigger than the data)", () => npy(dict("<f8", "(4, 4)"), 96), /needs 128 data bytes but the file has 96/],
    ["trailing garbage", () => npy(dict("<f8", "(3,)"), 27), /3 bytes of trailing data after the 24 bytes/],
    [
      "huge declared shape",
      () => npy(dict("<f8", "(1000000, 1000000, 1000000)"), 8),
      /needs 8000000000000000000 data bytes but the file has 8/,
    ],
    ["shape entry beyond 2^53", () => npy(dict("<f8", "(123456789012345678901,)"), 8), /shape entry 123456789012345678901 is too large/],
    ["negative shape entry", () => npy(dict("<f8", "(-1,)"), 8), /expected a non-negative integer in the shape/],
    ["fractional shape entry", () => npy(dict("<f8", "(1.5,)"), 8), /expected ',' or '\)'/],
    ["shape as a list", () => npy(dict("<f8", "[3]"), 24), /unexpected value/],
    ["complex dtype", () => npy(dict("<c16", "(1,)"), 16), /unsupported dtype '<c16'/],
    ["object dtype", () => npy(dict("|O", "(1,)"), 8), /unsupported dtype '\|O'/],
    ["string dtype", () => npy(dict("<U5", "(1,)"), 20), /unsupported dtype '<U5'/],
    ["odd integer width", () => npy(dict("<i3", "(1,)"), 3), /unsupported dtype '<i3'/],
    ["long double", () => npy(dict("<f16", "(1,)"), 16), /unsupported dtype '<f16'/],
    ["structured dtype", () => npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", 8), /unexpected value/],
    [
      "missing closing brace",
      () => npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), ", 8),
      /expected a string|expected ',' or '}'/,
    ],
    ["text after the dict", () => npy(dict("<f8", "(1,)") + " x", 8), /text after the closing '}'/],
    ["unknown key", () => npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': True, }", 8), /unknown key 'extra'/],
    ["repeated key", () => npy("{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 8), /repeats key 'descr'/],
    ["missing shape", () => npy("{'descr': '<f8', 'fortran_order': False, }", 8), /no tuple 'shape'/],
    ["descr not a string", () => npy("{'descr': True, 'fortran_order': False, 'shape': (1,), }", 8), /no string 'descr'/],
    ["fortran_order not a boolean", () => npy("{'descr': '<f8', 'fortran_order': 'no', 'shape': (1,), }", 8), /no boolean 'fortran_order'/],
    ["unterminated string", () => npy("{'descr: <f8, 'fortran_order': False, 'shape': (1,), }", 8), /expected ':'|unterminated|expected/],
    [
      "header length past the end (v2)",
      () => {
        const b = npy(dict("<f8", "(1,)"), 8, 2);
        new DataView(b.buffer).setUint32(8, 0xffffffff, true);
        return b;
      },
      /header claims 4294967295 bytes/,
    ],
    [
      "invalid UTF-8 in a version 3 header",
      () => {
        const b = npy(dict("<f8", "(1,)"), 8, 3);
        b[14] = 0xff;
        return b;
      },
      /header is not valid UTF-8/,
    ],
  ];

  test.each(cases)("%s", (_, make, message) => {
    const bytes = make();
    let error: unknown;
    try {
      readNpy(bytes, "bad.npy");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FileFormatError);
    const e = error as FileFormatError;
    expect(e.code).toBe("file-format");
    expect(e.file).toBe("bad.npy");
    expect(e.what).toMatch(/^bad\.npy: /);
    expect(e.what).toMatch(message);
    expect(e.hint.length).toBeGreaterThan(10);
  });

  test("a Fortran-order header over an empty array is read as an empty tensor", () => {
    const x = readNpy(npy(dict("<f4", "(2, 0, 3)", "True"), 0));
    expect(x.shape).toEqual([2, 0, 3]);
    expect(x.dtype).toBe("float32");
  });

  test("a hand-written Fortran-order file is transposed into C order", () => {
    const data = new Uint8Array(new Float64Array([1, 2, 3, 4, 5, 6]).buffer);
    expect(readNpy(npy(dict("<f8", "(2, 3)", "True"), data)).toArray()).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
  });

  test("Python 2 long suffixes in the shape are accepted", () => {
    expect(readNpy(npy(dict("<f8", "(2L, 1L)"), 16)).shape).toEqual([2, 1]);
  });
});
