#!/usr/bin/env python3
"""Files written by numpy (and safetensors files built byte by byte) for the I/O tests.

Writes test/fixtures/io/manifest.json plus the files under test/fixtures/io/. Each manifest entry
gives the values the reader must produce (C order, as float64; NaN/Infinity/-0 spelled as strings).
Python is never needed at test time: run this script only to regenerate the fixtures.

    python3 scripts/golden_io.py

.npy: format versions 1, 2 and 3 (numpy writes 2/3 only when it must, so they are forced with
numpy.lib.format.write_array(version=...)), both byte orders, C and Fortran order, f2/f4/f8, all
integer widths, bool, 0-d and empty arrays.
.safetensors: F64/F32/F16/BF16/I64/I32/I16/I8/U64/U32/U16/U8/BOOL in one file, with metadata and a
space-padded header, built from the format description (8-byte little-endian header length, JSON
header, data section), not by the library under test.
"""
import json
import math
import os
import shutil
import struct

import numpy as np
from numpy.lib import format as npformat

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "io")


def encode_value(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0 and math.copysign(1.0, v) < 0:
        return "-0"
    return v


def values_of(a):
    return [encode_value(v) for v in np.asarray(a).astype(np.float64).ravel(order="C")]


def write_npy(name, array, version=None):
    path = os.path.join(ROOT, name)
    with open(path, "wb") as f:
        if version is None:
            npformat.write_array(f, array, allow_pickle=False)
        else:
            npformat.write_array(f, array, version=version, allow_pickle=False)
    with open(path, "rb") as f:
        major, minor = f.read(8)[6:8]
    return {
        "file": name,
        "version": [major, minor],
        "descr": array.dtype.str,
        "fortran": bool(array.flags.f_contiguous and not array.flags.c_contiguous),
        "shape": list(array.shape),
        "values": values_of(array),
    }


def npy_fixtures(rng):
    out = []
    base = rng.standard_normal((3, 4))
    out.append(write_npy("v1_f8.npy", base))
    out.append(write_npy("v2_f8.npy", base, version=(2, 0)))
    out.append(write_npy("v3_f4.npy", base.astype("<f4"), version=(3, 0)))
    out.append(write_npy("v2_be_i4.npy", (base * 100).astype(">i4"), version=(2, 0)))
    out.append(write_npy("be_f8.npy", base.astype(">f8")))
    out.append(write_npy("le_f4.npy", base.astype("<f4")))
    out.append(write_npy("be_f4.npy", base.astype(">f4")))
    cube = rng.standard_normal((3, 4, 2))
    out.append(write_npy("fortran_f8.npy", np.asfortranarray(cube)))
    out.append(write_npy("fortran_be_f4.npy", np.asfortranarray(cube.astype(">f4"))))
    out.append(write_npy("fortran_v3_i2.npy", np.asfortranarray((cube * 1000).astype("<i2")), version=(3, 0)))
    half = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6.0e-8, 1.0 / 3.0, np.inf, -np.inf, np.nan, 1e-5, 0.1])
    out.append(write_npy("le_f2.npy", half.astype("<f2")))
    out.append(write_npy("be_f2.npy", half.astype(">f2").reshape(3, 4)))
    out.append(write_npy("i1.npy", np.array([-128, -1, 0, 1, 127], dtype="|i1")))
    out.append(write_npy("u1.npy", np.array([0, 1, 200, 255], dtype="|u1")))
    out.append(write_npy("le_i2.npy", np.array([-32768, -2, 0, 32767], dtype="<i2")))
    out.append(write_npy("be_u2.npy", np.array([0, 1, 65535, 258], dtype=">u2")))
    out.append(write_npy("be_i4.npy", np.array([[-2147483648, 7], [2147483647, -7]], dtype=">i4")))
    out.append(write_npy("le_u4.npy", np.array([0, 4294967295, 65536], dtype="<u4")))
    out.append(write_npy("le_i8.npy", np.array([-(2**62), -1, 0, 2**53 + 1, 2**63 - 1], dtype="<i8")))
    out.append(write_npy("be_i8.npy", np.array([[-5, 5], [2**40, -(2**40)]], dtype=">i8")))
    out.append(write_npy("le_u8.npy", np.array([0, 2**64 - 1, 2**53], dtype="<u8")))
    out.append(write_npy("bool.npy", np.array([[True, False, True], [False, False, True]])))
    out.append(write_npy("scalar_f8.npy", np.array(3.25)))
    out.append(write_npy("empty_f8.npy", np.zeros((0, 3))))
    out.append(write_npy("empty_3d_f4.npy", np.zeros((2, 0, 3), dtype="<f4")))
    out.append(write_npy("vector_f8.npy", np.arange(7.0)))
    return out


# safetensors: the dtype names of the format and the numpy dtype that holds the same bytes.
SAFE = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "|i1",
    "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "|u1", "BOOL": "|b1",
}


def bf16_bytes(values):
    """bfloat16 bytes of values that bfloat16 represents exactly (the upper half of float32)."""
    f32 = np.asarray(values, dtype="<f4")
    bits = f32.view("<u4")
    assert np.all((bits & 0xFFFF) == 0), "bf16 fixture values must be exact"
    return (bits >> 16).astype("<u2").tobytes(), [encode_value(v) for v in f32]


def build_safetensors(name, tensors, metadata=None, pad=0):
    """tensors: list of (name, dtype, shape, raw bytes, values). Data in the given order, back to back."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    for tname, dtype, shape, raw, _ in tensors:
        header[tname] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode("utf-8") + b" " * pad
    with open(os.path.join(ROOT, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    return {
        "file": name,
        "metadata": metadata or {},
        "tensors": [{"name": t, "dtype": d, "shape": list(s), "values": v} for t, d, s, _, v in tensors],
    }


def safetensors_fixtures(rng):
    entries = []
    f64 = rng.standard_normal((2, 3))
    entries.append(("a_f64", "F64", (2, 3), f64.astype("<f8").tobytes(), values_of(f64)))
    f32 = rng.standard_normal((4,)).astype("<f4")
    entries.append(("b_f32", "F32", (4,), f32.tobytes(), values_of(f32)))
    f16 = np.array([[0.5, -1.0, 65504.0], [6.0e-8, np.inf, -0.0]], dtype="<f2")
    entries.append(("c_f16", "F16", (2, 3), f16.tobytes(), values_of(f16)))
    raw, vals = bf16_bytes([1.5, -2.0, 0.15625, 255.0 * 2.0**120, 1.0 / 1024, -0.0])
    entries.append(("d_bf16", "BF16", (6,), raw, vals))
    for dtype, values in [
        ("I64", [-(2**62), 2**53 + 1, -1, 0]),
        ("I32", [-2147483648, 2147483647]),
        ("I16", [-32768, 32767, 5]),
        ("I8", [-128, 127, 0]),
        ("U64", [2**64 - 1, 1]),
        ("U32", [4294967295, 0]),
        ("U16", [65535, 1]),
        ("U8", [255, 0, 17]),
        ("BOOL", [True, False, True]),
    ]:
        arr = np.array(values, dtype=SAFE[dtype])
        entries.append((f"e_{dtype.lower()}", dtype, arr.shape, arr.tobytes(), values_of(arr)))
    entries.append(("f_scalar", "F64", (), np.array(2.5, dtype="<f8").tobytes(), [2.5]))
    entries.append(("g_empty", "F32", (0, 4), b"", []))
    mixed = build_safetensors("mixed.safetensors", entries, {"format": "pt", "note": "numpy-built"}, pad=5)
    # Same tensors, stored in reverse order (offsets need not follow the name order).
    reversed_ = build_safetensors("reversed.safetensors", list(reversed(entries[:4])))
    empty = build_safetensors("no_tensors.safetensors", [], {"only": "metadata"})
    return [mixed, reversed_, empty]


def half_rounding():
    """float64 inputs and the float16 bits numpy rounds them to (round half to even, overflow, subnormals)."""
    xs = [0.0, -0.0, 1.0, 1.0 + 2.0**-11, 1.0 + 3 * 2.0**-11, 2049.0, 2051.0, 65504.0, 65519.99, 65520.0, 1e6, -1e6,
          2.0**-24, 2.0**-25, 2.0**-25 * 1.0001, 3 * 2.0**-25, 2.0**-14, 2.0**-14 - 2.0**-25, 0.1, -0.3, 1.0 / 3.0,
          5.9604644775390625e-08, 6.103515625e-05, float("inf"), float("-inf")]
    with np.errstate(over="ignore"):
        bits = np.array(xs, dtype=np.float64).astype("<f2").view("<u2")
    return [{"value": encode_value(x), "bits": int(b)} for x, b in zip(xs, bits)]


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    os.makedirs(ROOT)
    rng = np.random.default_rng(7)
    manifest = {
        "generator": "scripts/golden_io.py",
        "numpy": np.__version__,
        "npy": npy_fixtures(rng),
        "safetensors": safetensors_fixtures(rng),
        "halfRounding": half_rounding(),
    }
    with open(os.path.join(ROOT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"wrote {len(manifest['npy'])} .npy and {len(manifest['safetensors'])} .safetensors fixtures to {ROOT}")


if __name__ == "__main__":
    main()
