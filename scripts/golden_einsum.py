#!/usr/bin/env python3
"""Golden einsum cases computed by numpy.einsum.

Writes test/fixtures/einsum/cases.json and, per case, operand and result .npy files under
test/fixtures/einsum/npy/. The vitest suite reads them with readNpy and compares einsum() with
numpy's result; the CLI tests run `multilinear contract` / `multilinear info` on the same files.
Python is never needed at test time: run this script only to regenerate the fixtures.

    python3 scripts/golden_einsum.py

Operands come in both byte orders, C and Fortran order, f4/f8, and a few integer and bool dtypes.
"""
import json
import os
import shutil

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "einsum")
NPY = os.path.join(ROOT, "npy")

# Each case: name, equation (or sublists), operand specs. An operand spec is a shape or a dict
# {"shape", "dtype" (numpy dtype string, byte order included), "fortran"}.
CASES = [
    # explicit and implicit output
    ("matmul", "ij,jk->ik", [(3, 4), (4, 5)]),
    ("matmul_implicit", "ij,jk", [(3, 4), (4, 5)]),
    ("transpose_implicit", "ba", [(2, 3)]),
    ("implicit_upper_first", "bA", [(2, 3)]),
    ("implicit_mixed_case", "Ba,aC", [(2, 3), (3, 4)]),
    ("implicit_sorted_z_b", "zA,Ab", [(2, 3), (3, 4)]),
    ("implicit_sorted_Z_A", "Zb,bA", [(2, 3), (3, 4)]),
    ("implicit_xY", "xY", [(2, 3)]),
    ("permute", "ijk->kij", [(2, 3, 4)]),
    ("sum_all", "ij->", [(3, 4)]),
    ("sum_axis", "ij->j", [(3, 4)]),
    ("vector_sum", "i->", [(5,)]),
    ("inner", "i,i", [(5,), (5,)]),
    ("outer", "i,j->ij", [(3,), (4,)]),
    ("outer3", "i,j,k", [(2,), (3,), (2,)]),
    ("spaces", " ij , jk -> ik ", [(2, 3), (3, 2)]),
    # repeated labels: diagonals and traces
    ("diagonal", "ii->i", [(4, 4)]),
    ("trace", "ii", [(4, 4)]),
    ("trace_explicit", "ii->", [(3, 3)]),
    ("iij_to_j", "iij->j", [(3, 3, 2)]),
    ("iji_to_j", "iji->j", [(3, 2, 3)]),
    ("iii_to_i", "iii->i", [(3, 3, 3)]),
    ("iijj", "iijj", [(2, 2, 3, 3)]),
    ("diag_then_contract", "ii,ij->j", [(3, 3), (3, 4)]),
    ("diag_kept", "iik,kj->ij", [(3, 3, 2), (2, 4)]),
    # hyperedges
    ("hadamard3", "ab,ab,ab->ab", [(2, 3), (2, 3), (2, 3)]),
    ("hyper_kept", "ab,bc,bd->bcd", [(2, 3), (3, 4), (3, 2)]),
    ("hyper_summed", "ij,ij,ij->", [(2, 3), (2, 3), (2, 3)]),
    ("hyper_vector", "i,i,i->i", [(4,), (4,), (4,)]),
    ("batch_matmul", "bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]),
    # ellipsis and broadcasting
    ("ellipsis_matmul", "...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 6)]),
    ("ellipsis_implicit", "...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("ellipsis_scalar", "...,...->...", [(2, 3), (3,)]),
    ("ellipsis_sum", "i...->...", [(3, 2, 2)]),
    ("ellipsis_diag", "...ii->...i", [(2, 3, 3)]),
    ("ellipsis_middle", "i...j,j->i...", [(2, 3, 4), (4,)]),
    ("ellipsis_inner_broadcast", "...i,...i", [(2, 1, 3), (4, 3)]),
    ("ellipsis_output_first", "ab...,b...->a...", [(2, 3, 4), (3, 1)]),
    ("ellipsis_empty", "...ij->...ji", [(2, 3)]),
    ("ellipsis_out_only", "ij->...ij", [(2, 3)]),
    ("ellipsis_trailing", "i...,i...", [(3, 2), (3, 2)]),
    # scalars (operands with no labels)
    ("scalars", ",->", [(), ()]),
    ("scalar_times_vector", ",i->i", [(), (3,)]),
    ("vector_times_scalar", "i,->i", [(3,), ()]),
    ("scalar_identity", "->", [()]),
    ("scalars_around", ",ij,->ij", [(), (2, 3), ()]),
    # size-1 and size-0 axes
    ("broadcast_named", "ij,jk->ik", [(2, 1), (3, 4)]),
    ("broadcast_both", "ij,ij->ij", [(2, 1), (1, 3)]),
    ("broadcast_summed", "i,i", [(1,), (4,)]),
    ("zero_contracted", "ij,jk->ik", [(2, 0), (0, 3)]),
    ("zero_kept", "ij,jk->ik", [(0, 3), (3, 2)]),
    ("zero_broadcast", "i,i->i", [(0,), (1,)]),
    # larger networks
    ("chain6", "ab,bc,cd,de,ef,fg->ag", [(2, 3), (3, 2), (2, 3), (3, 2), (2, 3), (3, 2)]),
    ("cp_mumoe", "bi,bn,nr,ir,or->bo", [(3, 4), (3, 2), (2, 3), (4, 3), (5, 3)]),
    ("dense_moe", "bi,bn,nio->bo", [(3, 4), (3, 2), (2, 4, 5)]),
    ("ring", "ab,bc,ca->", [(2, 3), (3, 4), (4, 2)]),
    # memory layouts and dtypes
    ("big_endian", "ij,jk->ik", [{"shape": (3, 4), "dtype": ">f8"}, {"shape": (4, 2), "dtype": ">f8"}]),
    ("fortran", "ij,jk->ik", [{"shape": (3, 4), "fortran": True}, {"shape": (4, 2), "fortran": True}]),
    ("fortran_3d_big_endian", "ijk->kji", [{"shape": (2, 3, 4), "fortran": True, "dtype": ">f8"}]),
    ("float32", "ij,jk->ik", [{"shape": (3, 4), "dtype": "<f4"}, {"shape": (4, 5), "dtype": "<f4"}]),
    ("float32_big_endian", "bij,bjk->bik", [{"shape": (2, 3, 4), "dtype": ">f4"}, {"shape": (2, 4, 3), "dtype": ">f4", "fortran": True}]),
    ("int32", "ij,jk->ik", [{"shape": (3, 4), "dtype": "<i4"}, {"shape": (4, 2), "dtype": "<i4"}]),
    ("int64_big_endian", "ii->i", [{"shape": (3, 3), "dtype": ">i8"}]),
    ("int16_uint8", "ij,j->i", [{"shape": (3, 4), "dtype": "<i2"}, {"shape": (4,), "dtype": "|u1"}]),
    ("bool_mask", "ij,ij->i", [{"shape": (3, 4), "dtype": "|b1"}, {"shape": (3, 4), "dtype": "<i4"}]),
    ("int_and_float", "ij,jk->ik", [{"shape": (2, 3), "dtype": "<i8"}, {"shape": (3, 2), "dtype": "<f8"}]),
]

# Sublist (interleaved) form: operand label lists and an optional output list; "..." is Ellipsis.
SUBLIST_CASES = [
    ("sublist_matmul", [[0, 1], [1, 2]], [0, 2], [(3, 4), (4, 5)]),
    ("sublist_implicit", [[2, 1], [1, 0]], None, [(3, 4), (4, 5)]),
    ("sublist_trace", [[7, 7]], [], [(3, 3)]),
    ("sublist_ellipsis", [["...", 1], [1, "..."]], ["..."], [(2, 3), (3, 2)]),
    ("sublist_ellipsis_implicit", [[0, "..."]], None, [(2, 3)]),
    ("sublist_high_labels", [[51, 26, 25], [25, 0]], [0, 51], [(2, 3, 4), (4, 2)]),
]

# Operands whose dtypes einsum() refuses to mix (numpy would upcast); the tests expect DTypeMismatchError.
ERROR_CASES = [
    ("mixed_f4_f8", "ij,jk->ik", [{"shape": (2, 3), "dtype": "<f4"}, {"shape": (3, 2), "dtype": "<f8"}], "dtype-mismatch"),
]


def spec_of(s):
    if isinstance(s, dict):
        return {"shape": tuple(s["shape"]), "dtype": s.get("dtype", "<f8"), "fortran": s.get("fortran", False)}
    return {"shape": tuple(s), "dtype": "<f8", "fortran": False}


def make_operand(rng, spec):
    dt = np.dtype(spec["dtype"])
    shape = spec["shape"]
    if dt.kind == "f":
        a = rng.standard_normal(shape).astype(dt)
    elif dt.kind == "b":
        a = rng.integers(0, 2, size=shape).astype(dt)
    elif dt.kind == "u":
        a = rng.integers(0, 6, size=shape).astype(dt)
    else:
        a = rng.integers(-5, 6, size=shape).astype(dt)
    if spec["fortran"]:
        a = np.asfortranarray(a)
    return a


def save(name, array):
    path = os.path.join(NPY, name)
    np.save(path, array, allow_pickle=False)
    return "npy/" + name


def sublist_value(v):
    return Ellipsis if v == "..." else v


def describe(array):
    return {"shape": list(array.shape), "descr": array.dtype.str, "fortran": bool(np.isfortran(array) and array.ndim > 1)}


def case_entry(name, ops, result, equation=None, sublists=None, output=None, extra=None):
    """One cases.json entry: the operands and numpy's result saved as .npy, in the file's key order."""
    entry = {"name": name}
    if equation is not None:
        entry["equation"] = equation
    else:
        entry["sublists"] = sublists
        entry["output"] = output
    result = np.asarray(result)
    entry.update({
        "operands": [save(f"{name}_{k}.npy", a) for k, a in enumerate(ops)],
        "operandInfo": [describe(a) for a in ops],
        "result": save(f"{name}_out.npy", result),
        "resultDescr": result.dtype.str,
    })
    entry.update(extra or {})
    return entry


def main():
    if os.path.isdir(NPY):
        shutil.rmtree(NPY)
    os.makedirs(NPY)
    rng = np.random.default_rng(20240611)
    cases = []
    for name, equation, specs in CASES:
        ops = [make_operand(rng, spec_of(s)) for s in specs]
        result = np.einsum(equation, *ops)
        cases.append(case_entry(name, ops, result, equation=equation))
    for name, sublists, output, shapes in SUBLIST_CASES:
        ops = [make_operand(rng, spec_of(s)) for s in shapes]
        args = []
        for a, sl in zip(ops, sublists):
            args += [a, [sublist_value(v) for v in sl]]
        if output is not None:
            args.append([sublist_value(v) for v in output])
        result = np.einsum(*args)
        cases.append(case_entry(name, ops, result, sublists=sublists, output=output))
    for name, equation, specs, code in ERROR_CASES:
        ops = [make_operand(rng, spec_of(s)) for s in specs]
        result = np.einsum(equation, *ops)  # numpy upcasts; einsum() refuses, but --dtype float64 agrees
        cases.append(case_entry(name, ops, result, equation=equation, extra={"expectError": code}))
    with open(os.path.join(ROOT, "cases.json"), "w") as f:
        json.dump({"generator": "scripts/golden_einsum.py", "numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {ROOT}")


if __name__ == "__main__":
    main()
