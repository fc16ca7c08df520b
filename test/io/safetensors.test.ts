/**
 * .safetensors: files built byte by byte from the format description (scripts/golden_io.py), round
 * trips, and corrupted files.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  DenseTensor,
  FileFormatError,
  InvalidArgumentError,
  readSafetensors,
  readSafetensorsHeader,
  tensor,
  writeSafetensors,
  zeros,
  type SafetensorsDType,
} from "../../src/index.js";
import { ioBytes, ioManifest, jsonNumber } from "../helpers/io-fixtures.js";
import { decodeBf16, decodeHalf } from "../oracles/half.js";

const manifest = ioManifest();

function expectSameValues(actual: ArrayLike<number>, expected: readonly number[], context: string): void {
  expect(actual.length, context).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${context}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

describe("readSafetensors reads files built from the format description", () => {
  test.each(manifest.safetensors.map((f) => [f.file, f] as const))("%s", (file, f) => {
    const bytes = ioBytes(file);
    // 64-bit integers beyond ±2^53 would be rounded by float64: the file is refused instead of read.
    if (f.tensors.some((t) => (t.dtype === "I64" || t.dtype === "U64") && t.values.map(jsonNumber).some((v) => Math.abs(v) > 2 ** 53))) {
      expect(() => readSafetensors(bytes, file)).toThrow(/beyond 2\^53/);
      return;
    }
    const st = readSafetensors(bytes, file);
    expect(st.metadata).toEqual(f.metadata);
    expect([...st.tensors.keys()].sort()).toEqual(f.tensors.map((t) => t.name).sort());
    for (const t of f.tensors) {
      const x = st.tensors.get(t.name)!;
      expect(st.dtypes.get(t.name)).toBe(t.dtype);
      expect(x.shape).toEqual(t.shape);
      // Floats stay float32/float64 (F16 and BF16 widen to float32); integers and bool become float64.
      expect(x.dtype, t.name).toBe(t.dtype === "F32" || t.dtype === "F16" || t.dtype === "BF16" ? "float32" : "float64");
      expectSameValues(x.toTypedArray(), t.values.map(jsonNumber), `${file}:${t.name}`);
    }
  });

  test("the fixtures cover every dtype of the format", () => {
    const seen = new Set(manifest.safetensors.flatMap((f) => f.tensors.map((t) => t.dtype)));
    for (const d of ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL"])
      expect(seen.has(d), d).toBe(true);
  });

  test("the header alone lists entries and offsets", () => {
    const h = readSafetensorsHeader(ioBytes("reversed.safetensors"));
    // Stored in reverse name order: the first entry in the data section is the last name.
    const first = h.entries.find((e) => e.begin === 0)!;
    expect(first.name).toBe("d_bf16");
    expect(h.entries.map((e) => e.end - e.begin).reduce((a, b) => a + b, 0)).toBe(ioBytes("reversed.safetensors").length - h.dataOffset);
  });

  test("a file inside a larger buffer at an odd offset", () => {
    const bytes = writeSafetensors({
      a_f64: tensor([
        [1.5, -2],
        [3, 4],
      ]),
      b_i64: { tensor: tensor([7, -9]), dtype: "I64" },
    });
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 3);
    const st = readSafetensors(big.subarray(3, 3 + bytes.length));
    expect(st.tensors.get("a_f64")!.toTypedArray()).toEqual(readSafetensors(bytes).tensors.get("a_f64")!.toTypedArray());
  });
});

describe("writeSafetensors → readSafetensors round trips", () => {
  const nameArb = fc.string({ minLength: 1, maxLength: 6, unit: "grapheme" }).filter((s) => s !== "__metadata__");
  const shapeArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });
  /** Values each dtype holds exactly, so the round trip must be exact. */
  const exact: Record<SafetensorsDType, fc.Arbitrary<number>> = {
    F64: fc.double({ noNaN: true }),
    F32: fc.float({ noNaN: true }).map((x) => x),
    F16: fc
      .integer({ min: 0, max: 0xffff })
      .map(decodeHalf)
      .filter((x) => !Number.isNaN(x)),
    BF16: fc
      .integer({ min: 0, max: 0xffff })
      .map(decodeBf16)
      .filter((x) => !Number.isNaN(x)),
    I64: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    I32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    I16: fc.integer({ min: -32768, max: 32767 }),
    I8: fc.integer({ min: -128, max: 127 }),
    U64: fc.integer({ min: 0, max: 2 ** 53 - 1 }),
    U32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    U16: fc.integer({ min: 0, max: 65535 }),
    U8: fc.integer({ min: 0, max: 255 }),
    BOOL: fc.constantFrom(0, 1),
  };
  const dtypes = Object.keys(exact) as SafetensorsDType[];
  const entryArb = fc
    .tuple(fc.constantFrom(...dtypes), shapeArb)
    .chain(([dtype, shape]) =>
      fc
        .array(exact[dtype], { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
        .map((values) => ({ dtype, shape, values })),
    );

  test("named tensors of every dtype and string metadata survive exactly", () => {
    fc.assert(
      fc.property(
        fc.dictionary(nameArb, entryArb, { maxKeys: 5 }),
        fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        (entries, metadata) => {
          const input = Object.fromEntries(
            Object.entries(entries).map(([name, e]) => {
              const data = e.dtype === "F32" ? Float32Array.from(e.values) : Float64Array.from(e.values);
              return [name, { tensor: new DenseTensor(data, e.shape), dtype: e.dtype }];
            }),
          );
          const st = readSafetensors(writeSafetensors(input, metadata));
          expect(st.metadata).toEqual(Object.keys(metadata).length > 0 ? metadata : {});
          expect([...st.tensors.keys()].sort()).toEqual(Object.keys(entries).sort());
          for (const [name, e] of Object.entries(entries)) {
            expect(st.dtypes.get(name)).toBe(e.dtype);
            expect(st.tensors.get(name)!.shape).toEqual(e.shape);
            expectSameValues(st.tensors.get(name)!.toTypedArray(), e.values, `${name} ${e.dtype}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test("plain tensors are stored as F32/F64 by their dtype; views are written in C order", () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const st = readSafetensors(writeSafetensors({ t: a.transpose(), f: zeros([2], { dtype: "float32" }) }));
    expect(st.dtypes.get("t")).toBe("F64");
    expect(st.dtypes.get("f")).toBe("F32");
    expect(st.tensors.get("t")!.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  test("the header is 8-byte aligned JSON padded with spaces, entries back to back in name order", () => {
    const bytes = writeSafetensors({ b: tensor([1]), a: tensor([2, 3]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: number[] }>;
    expect(json.a!.data_offsets).toEqual([0, 16]);
    expect(json.b!.data_offsets).toEqual([16, 24]);
  });

  test("refuses values an integer dtype cannot hold and the reserved name", () => {
    expect(() => writeSafetensors({ x: { tensor: tensor([1.5]), dtype: "I32" } })).toThrow(InvalidArgumentError);
    expect(() => writeSafetensors({ __metadata__: tensor([1]) })).toThrow(InvalidArgumentError);
  });
});

/** Builds a safetensors file from a header object (or raw header text) and a data section. */
function st(header: unknown, data: number | Uint8Array, headerLength?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + text.length + body.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(body, 8 + text.length);
  return out;
}

describe("corrupted .safetensors files are rejected with FileFormatError", () => {
  const f32 = (shape: number[], begin: number, end: number): unknown => ({ dtype: "F32", shape, data_offsets: [begin, end] });
  const valid = ioBytes("mixed.safetensors");
  const cases: [string, () => Uint8Array, RegExp][] = [
    ["fewer than 8 bytes", () => new Uint8Array(5), /file has 5 bytes, fewer than the 8-byte header length/],
    [
      "truncated data",
      () => valid.subarray(0, valid.length - 3),
      /ends at byte \d+ but the data section has \d+ bytes \(truncated file\?\)/,
    ],
    ["truncated header", () => valid.subarray(0, 40), /header length \d+ exceeds the 32 bytes that follow/],
    ["huge header length", () => st({}, 0, 2n ** 63n), /header length 9223372036854775808 exceeds/],
    ["bad JSON", () => st('{"a": ', 0), /header is not valid UTF-8 JSON/],
    [
      "invalid UTF-8",
      () => st(new TextDecoder("latin1").decode(new Uint8Array([0x7b, 0xff, 0x7d])), 0),
      /header is not valid UTF-8 JSON|not a JSON object/,
    ],
    ["header is an array", () => st([1, 2], 0), /header is not a JSON object/],
    ["entry is not an object", () => st({ a: 3 }, 0), /entry 'a' is not an object/],
    ["unknown dtype", () => st({ a: { dtype: "F128", shape: [1], data_offsets: [0, 16] } }, 16), /tensor 'a' has unknown dtype "F128"/],
    ["missing dtype", () => st({ a: { shape: [1], data_offsets: [0, 4] } }, 4), /unknown dtype undefined/],
    ["negative shape", () => st({ a: f32([-1], 0, 4) }, 4), /invalid shape \[-1\]/],
    ["fractional shape", () => st({ a: f32([1.5], 0, 4) }, 4), /invalid shape \[1\.5\]/],
    ["shape not an array", () => st({ a: { dtype: "F32", shape: 4, data_offsets: [0, 16] } }, 16), /invalid shape 4/],
    ["offsets not a pair", () => st({ a: { dtype: "F32", shape: [1], data_offsets: [0] } }, 4), /invalid data_offsets \[0\]/],
    ["offsets backwards", () => st({ a: f32([0], 4, 0) }, 4), /run backwards/],
    [
      "lying shape (bigger than its bytes)",
      () => st({ a: f32([4], 0, 8) }, 8),
      /tensor 'a' of F32\[4\] needs 16 bytes but its data_offsets span 8/,
    ],
    [
      "huge declared shape",
      () => st({ a: { dtype: "F64", shape: [1e9, 1e9, 1e9], data_offsets: [0, 8] } }, 8),
      /needs 8000000000000000000000000000 bytes but its data_offsets span 8/,
    ],
    ["offsets past the end", () => st({ a: f32([4], 0, 16) }, 8), /ends at byte 16 but the data section has 8 bytes/],
    [
      "overlapping offsets",
      () => st({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12),
      /tensor 'b' overlaps the previous tensor \(bytes 4\.\.12\)/,
    ],
    ["identical offsets", () => st({ a: f32([1], 0, 4), b: f32([1], 0, 4) }, 4), /overlaps/],
    ["a hole between tensors", () => st({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, 12), /hole at bytes 4\.\.8 before tensor 'b'/],
    ["a hole at the start", () => st({ a: f32([1], 4, 8) }, 8), /hole at bytes 0\.\.4/],
    ["trailing garbage", () => st({ a: f32([1], 0, 4) }, 9), /5 bytes after the last tensor \(trailing data\)/],
    ["data but no tensors", () => st({}, 4), /4 bytes after the last tensor/],
    ["metadata not an object", () => st({ __metadata__: "x" }, 0), /__metadata__ is not an object/],
    ["metadata value not a string", () => st({ __metadata__: { n: 1 } }, 0), /__metadata__ value 'n' is not a string/],
  ];

  test.each(cases)("%s", (_, make, message) => {
    let error: unknown;
    try {
      readSafetensors(make(), "bad.safetensors");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FileFormatError);
    const e = error as FileFormatError;
    expect(e.code).toBe("file-format");
    expect(e.what).toMatch(/^bad\.safetensors: /);
    expect(e.what).toMatch(message);
  });

  test("an empty tensor may sit anywhere, even at the end", () => {
    const x = readSafetensors(st({ a: f32([1], 0, 4), z: f32([0, 3], 4, 4) }, 4));
    expect(x.tensors.get("z")!.shape).toEqual([0, 3]);
  });
});
