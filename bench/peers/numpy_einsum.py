"""Benchmark peer: times numpy.einsum (optimize=True) on operands written as .npy by the TypeScript bench.

Usage: python3 numpy_einsum.py <spec.json>
spec: {"cases": [{"id", "equation", "files": [...], "repeats": int, "matmul"?: bool, "optimize"?: true | "optimal"}]}
Prints JSON {"numpy": version, "blas": info, "results": {id: {"median_ms", "min_ms", "out": file}}}.
Runs single-threaded (the caller sets OPENBLAS_NUM_THREADS=1 etc.) unless told otherwise.
"""
import json
import sys
import time

import numpy as np


def main() -> None:
    spec = json.load(open(sys.argv[1]))
    results = {}
    for case in spec["cases"]:
        ops = [np.load(f) for f in case["files"]]
        eq = case["equation"]
        # optimize: True (numpy's default search) or "optimal" (np.einsum_path's exhaustive path, found once, outside the timing).
        optimize = case.get("optimize", True)
        if optimize == "optimal":
            optimize = np.einsum_path(eq, *ops, optimize="optimal")[0]
        fn = (lambda: ops[0] @ ops[1]) if case.get("matmul") else (lambda: np.einsum(eq, *ops, optimize=optimize))
        out = fn()
        samples = []
        for _ in range(case.get("repeats", 5)):
            t0 = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        entry = {"median_ms": samples[len(samples) // 2], "min_ms": samples[0]}
        if case.get("out"):
            np.save(case["out"], np.asarray(out))
            entry["out"] = case["out"]
        results[case["id"]] = entry
    blas = ""
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {}).get("name", "")
    except Exception:  # noqa: BLE001 - informational only
        pass
    print(json.dumps({"numpy": np.__version__, "blas": blas, "results": results}))


if __name__ == "__main__":
    main()
