/**
 * numpy `.npy` files: format versions 1–3, both byte orders, C and Fortran order. Floats f2/f4/f8,
 * integers and bool are read (integers and bool converted to float64, f2 to float32; 64-bit integers
 * beyond ±2^53, which float64 would round, are refused); f4/f8 are written.
 * Every field is validated before the data is touched.
 * @module
 */
import { FileFormatError } from "../errors.js";
import { exactInt64 } from "./int64.js";
import { DenseTensor } from "../tensor/dense.js";
import { allocate, type DType } from "../tensor/dtype.js";
import { contiguousStrides, MAX_ELEMENTS, shapeSizeBig } from "../tensor/shape.js";
import { halfToNumber } from "./half.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** What a `.npy` header says. @category I/O */
export interface NpyHeader {
  /** numpy dtype string as stored, e.g. `"<f8"`. */
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Format version `[major, minor]`. */
  readonly version: readonly [number, number];
  /** Byte offset of the data. */
  readonly dataOffset: number;
}

interface Kind {
  readonly char: string;
  readonly bytes: number;
  readonly little: boolean;
}

/**
 * Reads the header of a `.npy` file without converting the data.
 * @throws {@link FileFormatError} when the header is malformed or the data size disagrees with it.
 * @category I/O
 */
export function readNpyHeader(bytes: Uint8Array, name = "<npy>"): NpyHeader {
  const fail = (problem: string): never => {
    throw new FileFormatError(name, problem);
  };
  if (bytes.length < 10) fail(`file has ${bytes.length} bytes, fewer than a .npy header needs`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) fail("does not start with the .npy magic string \\x93NUMPY");
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${minor} (1, 2 and 3 are supported)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else {
    if (bytes.length < 12) fail("file ends inside the header length");
    headerLen = view.getUint32(8, true);
    start = 12;
  }
  if (start + headerLen > bytes.length) fail(`header claims ${headerLen} bytes but the file ends after ${bytes.length - start}`);
  const raw = bytes.subarray(start, start + headerLen);
  let text = "";
  if (major !== 3) text = latin1(raw);
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      fail("header is not valid UTF-8 (required by format version 3)");
    }
  }
  const dict = parsePyDict(text, fail);
  const descr = dict.get("descr");
  const fortran = dict.get("fortran_order");
  const shapeV = dict.get("shape");
  if (typeof descr !== "string") fail("header has no string 'descr'");
  if (typeof fortran !== "boolean") fail("header has no boolean 'fortran_order'");
  if (!Array.isArray(shapeV)) fail("header has no tuple 'shape'");
  for (const k of dict.keys()) if (k !== "descr" && k !== "fortran_order" && k !== "shape") fail(`header has an unknown key '${k}'`);
  const shape = shapeV as number[];
  const kind = parseDescr(descr as string, fail);
  const count = shapeSizeBig(shape);
  const need = count * BigInt(kind.bytes);
  const have = BigInt(bytes.length - start - headerLen);
  if (need !== have) {
    fail(
      need > have
        ? `shape [${shape.join(", ")}] of ${descr as string} needs ${need} data bytes but the file has ${have} (truncated or lying header)`
        : `the file has ${have - need} bytes of trailing data after the ${need} bytes the header describes`,
    );
  }
  if (count > BigInt(MAX_ELEMENTS)) fail(`shape [${shape.join(", ")}] has more elements than one tensor can hold`);
  return { descr: descr as string, fortranOrder: fortran as boolean, shape, version: [major, minor], dataOffset: start + headerLen };
}

/**
 * Reads a `.npy` file into a tensor. The dtype follows the file's: f4 and f2 give float32, f8
 * float64, and integers (int8…int64, uint8…uint64) and bool give float64 — numpy would keep them
 * integers, but multilinear computes in floats. Integer values beyond ±2^53 are refused rather than rounded.
 * @param name - file name used in error messages.
 * @throws {@link FileFormatError} for a truncated, malformed or unsupported file, or a 64-bit integer beyond ±2^53.
 * @example
 * ```ts
 * import { readNpy, writeNpy, tensor } from "multilinear";
 * readNpy(writeNpy(tensor([[1, 2], [3, 4]]))).toArray(); // => [[1, 2], [3, 4]]
 * ```
 * @category I/O
 */
export function readNpy(bytes: Uint8Array, name = "<npy>"): DenseTensor {
  const h = readNpyHeader(bytes, name);
  const kind = parseDescr(h.descr, (p) => {
    throw new FileFormatError(name, p);
  });
  const n = Number(shapeSizeBig(h.shape));
  const dtype: DType = kind.char === "f" && kind.bytes <= 4 ? "float32" : "float64";
  const out = allocate(dtype, n);
  const view = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset, n * kind.bytes);
  decode(view, kind, n, out, name);
  if (!h.fortranOrder || h.shape.length < 2) return new DenseTensor(out, h.shape);
  // Fortran order: the first axis varies fastest.
  const rev = [...h.shape].reverse();
  const t = new DenseTensor(out, rev, contiguousStrides(rev));
  return t.permute([...Array(h.shape.length).keys()].reverse()).contiguous();
}

/**
 * Writes a tensor as a version-1 `.npy` file (little-endian, C order; version 2 if the header is large).
 * @example
 * ```ts
 * import { writeNpy, tensor } from "multilinear";
 * writeNpy(tensor([1, 2, 3])).length; // => 152
 * ```
 * @category I/O
 */
export function writeNpy(x: DenseTensor): Uint8Array {
  const descr = x.dtype === "float32" ? "<f4" : "<f8";
  const shapeText = x.ndim === 1 ? `(${x.shape[0]},)` : `(${x.shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let pre = 10;
  if (header.length + 1 + pre > 65535) {
    version = 2;
    pre = 12;
  }
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header + " ".repeat(total - pre - header.length - 1) + "\n";
  const data = x.toTypedArray();
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, total);
  if (x.dtype === "float32") for (let i = 0; i < data.length; i++) body.setFloat32(i * 4, data[i]!, true);
  else for (let i = 0; i < data.length; i++) body.setFloat64(i * 8, data[i]!, true);
  return out;
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function parseDescr(descr: string, fail: (p: string) => never): Kind {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  if (!m) return fail(`unsupported dtype '${descr}' (floats, integers and bool are supported)`);
  const order = m[1]!;
  const char = m[2]!;
  const bytes = Number(m[3]);
  const ok =
    (char === "f" && (bytes === 2 || bytes === 4 || bytes === 8)) ||
    ((char === "i" || char === "u") && [1, 2, 4, 8].includes(bytes)) ||
    (char === "b" && bytes === 1);
  if (!ok) return fail(`unsupported dtype '${descr}'`);
  return { char, bytes, little: order !== ">" };
}

function decode(view: DataView, k: Kind, n: number, out: Float32Array | Float64Array, name: string): void {
  const le = k.little;
  const b = k.bytes;
  switch (k.char) {
    case "f":
      if (b === 8) for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, le);
      else if (b === 4) for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, le);
      else for (let i = 0; i < n; i++) out[i] = halfToNumber(view.getUint16(i * 2, le));
      return;
    case "b":
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i) !== 0 ? 1 : 0;
      return;
    case "i":
      if (b === 1) for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      else if (b === 2) for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, le);
      else if (b === 4) for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, le);
      else for (let i = 0; i < n; i++) out[i] = exactInt64(view.getBigInt64(i * 8, le), i, name, "int64");
      return;
    default:
      if (b === 1) for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
      else if (b === 2) for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, le);
      else if (b === 4) for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, le);
      else for (let i = 0; i < n; i++) out[i] = exactInt64(view.getBigUint64(i * 8, le), i, name, "uint64");
  }
}

type PyValue = string | boolean | number[];

/** Parses the Python dict literal of a .npy header (strings, True/False, tuples of ints). */
function parsePyDict(text: string, fail: (p: string) => never): Map<string, PyValue> {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const expect = (c: string): void => {
    ws();
    if (text[i] !== c) fail(`malformed header: expected '${c}' at character ${i} of ${JSON.stringify(text.trim())}`);
    i++;
  };
  const str = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') return fail(`malformed header: expected a string at character ${i}`);
    const end = text.indexOf(q, i + 1);
    if (end < 0) return fail("malformed header: unterminated string");
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') return str();
    if (text.startsWith("True", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("False", i)) {
      i += 5;
      return false;
    }
    if (c === "(") {
      i++;
      const items: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ")") {
          i++;
          return items;
        }
        const m = /^\d+L?/.exec(text.slice(i));
        if (!m) return fail(`malformed header: expected a non-negative integer in the shape at character ${i}`);
        const v = Number(m[0].replace("L", ""));
        if (!Number.isSafeInteger(v)) return fail(`shape entry ${m[0]} is too large`);
        items.push(v);
        i += m[0].length;
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== ")") return fail(`malformed header: expected ',' or ')' at character ${i}`);
      }
    }
    return fail(`malformed header: unexpected value at character ${i}`);
  };
  const out = new Map<string, PyValue>();
  expect("{");
  for (;;) {
    ws();
    if (text[i] === "}") {
      i++;
      break;
    }
    const k = str();
    expect(":");
    if (out.has(k)) fail(`header repeats key '${k}'`);
    out.set(k, value());
    ws();
    if (text[i] === ",") i++;
    else if (text[i] !== "}") fail(`malformed header: expected ',' or '}' at character ${i}`);
  }
  ws();
  if (i !== text.length) fail("malformed header: text after the closing '}'");
  return out;
}
