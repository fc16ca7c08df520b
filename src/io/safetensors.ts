/**
 * `.safetensors` files. Every header field is validated (length, JSON, dtype, shape, offsets in
 * bounds, non-overlapping, covering the data exactly) before any tensor is built.
 * @module
 */
import { FileFormatError, InvalidArgumentError } from "../errors.js";
import { exactInt64 } from "./int64.js";
import { DenseTensor } from "../tensor/dense.js";
import { allocate, type DType } from "../tensor/dtype.js";
import { MAX_ELEMENTS, shapeSize, shapeSizeBig } from "../tensor/shape.js";
import { bf16ToNumber, halfToNumber, numberToBf16, numberToHalf } from "./half.js";

/** Element types of the safetensors format that this library reads. @category I/O */
export type SafetensorsDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";

const ITEM: Readonly<Record<SafetensorsDType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** Largest header this reader accepts (the format's own limit is 100 MB). */
const MAX_HEADER = 100_000_000;

/** One header entry. @category I/O */
export interface SafetensorsEntryInfo {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Byte range in the data section. */
  readonly begin: number;
  readonly end: number;
}

/** The header of a safetensors file. @category I/O */
export interface SafetensorsHeader {
  readonly entries: readonly SafetensorsEntryInfo[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Absolute byte offset of the data section. */
  readonly dataOffset: number;
}

/** A decoded file: tensors (floats stay F32/F64; F16/BF16 become float32; integers and bool float64). @category I/O */
export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, DenseTensor>;
  /** Stored dtype of each tensor. */
  readonly dtypes: ReadonlyMap<string, SafetensorsDType>;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Reads and validates the header only.
 * @throws {@link FileFormatError} naming what is wrong.
 * @category I/O
 */
export function readSafetensorsHeader(bytes: Uint8Array, name = "<safetensors>"): SafetensorsHeader {
  const fail = (problem: string): never => {
    throw new FileFormatError(name, problem);
  };
  if (bytes.length < 8) fail(`file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) fail(`header length ${n} exceeds the ${bytes.length - 8} bytes that follow`);
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} exceeds the 100 MB limit`);
  const headerLen = Number(n);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("header is not a JSON object");
  const dataOffset = 8 + headerLen;
  const dataLen = bytes.length - dataOffset;
  const entries: SafetensorsEntryInfo[] = [];
  let metadata: Record<string, string> = {};
  for (const [key, v] of Object.entries(json as Record<string, unknown>)) {
    if (key === "__metadata__") {
      if (typeof v !== "object" || v === null || Array.isArray(v)) fail("__metadata__ is not an object");
      for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof mv !== "string") fail(`__metadata__ value '${mk}' is not a string`);
      }
      metadata = v as Record<string, string>;
      continue;
    }
    if (typeof v !== "object" || v === null) return fail(`entry '${key}' is not an object`);
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e.dtype !== "string" || !(e.dtype in ITEM)) fail(`tensor '${key}' has unknown dtype ${JSON.stringify(e.dtype)}`);
    const dtype = e.dtype as SafetensorsDType;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      fail(`tensor '${key}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      fail(`tensor '${key}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (begin > end) fail(`tensor '${key}' has data_offsets [${begin}, ${end}] that run backwards`);
    if (end > dataLen) fail(`tensor '${key}' ends at byte ${end} but the data section has ${dataLen} bytes (truncated file?)`);
    const count = shapeSizeBig(shape);
    const need = count * BigInt(ITEM[dtype]);
    if (need !== BigInt(end - begin)) {
      fail(`tensor '${key}' of ${dtype}[${shape.join(", ")}] needs ${need} bytes but its data_offsets span ${end - begin}`);
    }
    if (count > BigInt(MAX_ELEMENTS)) fail(`tensor '${key}' has more elements than one tensor can hold`);
    entries.push({ name: key, dtype, shape, begin, end });
  }
  // The data section must be covered exactly, without overlaps or holes.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin < pos) fail(`tensor '${e.name}' overlaps the previous tensor (bytes ${e.begin}..${e.end})`);
    if (e.begin > pos) fail(`the data section has a hole at bytes ${pos}..${e.begin} before tensor '${e.name}'`);
    pos = e.end;
  }
  if (pos !== dataLen) fail(`the data section has ${dataLen - pos} bytes after the last tensor (trailing data)`);
  return { entries, metadata, dataOffset };
}

/**
 * Reads a safetensors file.
 * @throws {@link FileFormatError} for a truncated, malformed or lying file.
 * @example
 * ```ts
 * import { readSafetensors, writeSafetensors, tensor } from "multilinear";
 * const bytes = writeSafetensors({ w: tensor([[1, 2], [3, 4]]) }, { note: "hi" });
 * const f = readSafetensors(bytes);
 * f.tensors.get("w")?.toArray(); // => [[1, 2], [3, 4]]
 * f.metadata.note; // => "hi"
 * ```
 * @category I/O
 */
export function readSafetensors(bytes: Uint8Array, name = "<safetensors>"): SafetensorsFile {
  const h = readSafetensorsHeader(bytes, name);
  const tensors = new Map<string, DenseTensor>();
  const dtypes = new Map<string, SafetensorsDType>();
  for (const e of h.entries) {
    const n = shapeSize(e.shape);
    const view = new DataView(bytes.buffer, bytes.byteOffset + h.dataOffset + e.begin, e.end - e.begin);
    const target: DType =
      e.dtype === "F64" || e.dtype.startsWith("I") || e.dtype.startsWith("U") || e.dtype === "BOOL" ? "float64" : "float32";
    const out = allocate(target, n);
    decode(view, e.dtype, n, out, name);
    tensors.set(e.name, new DenseTensor(out, e.shape));
    dtypes.set(e.name, e.dtype);
  }
  return { tensors, dtypes, metadata: h.metadata };
}

/** A tensor to write, optionally stored as another dtype (e.g. `I64` for a counter). @category I/O */
export interface SafetensorsWriteEntry {
  readonly tensor: DenseTensor;
  readonly dtype: SafetensorsDType;
}

/**
 * Writes tensors (sorted by name, back to back) and string metadata as a safetensors file.
 * Plain tensors are stored as F32/F64 by their dtype; wrap one as `{ tensor, dtype }` to store another type.
 * @category I/O
 */
export function writeSafetensors(
  tensors: Readonly<Record<string, DenseTensor | SafetensorsWriteEntry>> | ReadonlyMap<string, DenseTensor | SafetensorsWriteEntry>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const items = (tensors instanceof Map ? [...tensors] : Object.entries(tensors)) as [string, DenseTensor | SafetensorsWriteEntry][];
  items.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let pos = 0;
  const plan = items.map(([key, v]) => {
    if (key === "__metadata__") throw new InvalidArgumentError("a tensor cannot be named __metadata__", "rename the tensor");
    const t = v instanceof DenseTensor ? v : v.tensor;
    const dtype: SafetensorsDType = v instanceof DenseTensor ? (v.dtype === "float32" ? "F32" : "F64") : v.dtype;
    const bytes = t.size * ITEM[dtype];
    header[key] = { dtype, shape: [...t.shape], data_offsets: [pos, pos + bytes] };
    const entry = { t, dtype, begin: pos };
    pos += bytes;
    return entry;
  });
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let head = enc.encode(json);
  const pad = (8 - (head.length % 8)) % 8;
  json += " ".repeat(pad);
  head = enc.encode(json);
  const out = new Uint8Array(8 + head.length + pos);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  const base = 8 + head.length;
  for (const { t, dtype, begin } of plan) encode(new DataView(out.buffer, base + begin), dtype, t.toTypedArray());
  return out;
}

function decode(v: DataView, dtype: SafetensorsDType, n: number, out: Float32Array | Float64Array, name: string): void {
  switch (dtype) {
    case "F64":
      for (let i = 0; i < n; i++) out[i] = v.getFloat64(i * 8, true);
      return;
    case "F32":
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(i * 4, true);
      return;
    case "F16":
      for (let i = 0; i < n; i++) out[i] = halfToNumber(v.getUint16(i * 2, true));
      return;
    case "BF16":
      for (let i = 0; i < n; i++) out[i] = bf16ToNumber(v.getUint16(i * 2, true));
      return;
    case "I64":
      for (let i = 0; i < n; i++) out[i] = exactInt64(v.getBigInt64(i * 8, true), i, name, "I64");
      return;
    case "I32":
      for (let i = 0; i < n; i++) out[i] = v.getInt32(i * 4, true);
      return;
    case "I16":
      for (let i = 0; i < n; i++) out[i] = v.getInt16(i * 2, true);
      return;
    case "I8":
      for (let i = 0; i < n; i++) out[i] = v.getInt8(i);
      return;
    case "U64":
      for (let i = 0; i < n; i++) out[i] = exactInt64(v.getBigUint64(i * 8, true), i, name, "U64");
      return;
    case "U32":
      for (let i = 0; i < n; i++) out[i] = v.getUint32(i * 4, true);
      return;
    case "U16":
      for (let i = 0; i < n; i++) out[i] = v.getUint16(i * 2, true);
      return;
    case "U8":
      for (let i = 0; i < n; i++) out[i] = v.getUint8(i);
      return;
    case "BOOL":
      for (let i = 0; i < n; i++) out[i] = v.getUint8(i) !== 0 ? 1 : 0;
      return;
  }
}

function encode(v: DataView, dtype: SafetensorsDType, x: Float32Array | Float64Array): void {
  const n = x.length;
  const int = (i: number): number => {
    const a = x[i]!;
    if (!Number.isInteger(a))
      throw new InvalidArgumentError(`value ${a} cannot be stored as ${dtype}`, "round the tensor or store it as F32/F64");
    return a;
  };
  switch (dtype) {
    case "F64":
      for (let i = 0; i < n; i++) v.setFloat64(i * 8, x[i]!, true);
      return;
    case "F32":
      for (let i = 0; i < n; i++) v.setFloat32(i * 4, x[i]!, true);
      return;
    case "F16":
      for (let i = 0; i < n; i++) v.setUint16(i * 2, numberToHalf(x[i]!), true);
      return;
    case "BF16":
      for (let i = 0; i < n; i++) v.setUint16(i * 2, numberToBf16(x[i]!), true);
      return;
    case "I64":
      for (let i = 0; i < n; i++) v.setBigInt64(i * 8, BigInt(int(i)), true);
      return;
    case "I32":
      for (let i = 0; i < n; i++) v.setInt32(i * 4, int(i), true);
      return;
    case "I16":
      for (let i = 0; i < n; i++) v.setInt16(i * 2, int(i), true);
      return;
    case "I8":
      for (let i = 0; i < n; i++) v.setInt8(i, int(i));
      return;
    case "U64":
      for (let i = 0; i < n; i++) v.setBigUint64(i * 8, BigInt(int(i)), true);
      return;
    case "U32":
      for (let i = 0; i < n; i++) v.setUint32(i * 4, int(i), true);
      return;
    case "U16":
      for (let i = 0; i < n; i++) v.setUint16(i * 2, int(i), true);
      return;
    case "U8":
      for (let i = 0; i < n; i++) v.setUint8(i, int(i));
      return;
    case "BOOL":
      for (let i = 0; i < n; i++) v.setUint8(i, x[i] !== 0 ? 1 : 0);
      return;
  }
}
