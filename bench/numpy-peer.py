"""Benchmark peer: times numpy matmul / einsum(optimize=True) cases given as JSON on argv[1].

Input: {"repeats": R, "cases": [{"kind": "matmul"|"einsum", "dtype": "float32"|"float64",
"shapes": [[...], ...], "eq": "..."}]}. Output: a JSON list of median milliseconds, one per case.
Threads are set by the caller through OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS.
"""
import json
import sys
import time

import numpy as np


def median_ms(fn, repeats):
    fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


def main():
    spec = json.loads(sys.argv[1])
    rng = np.random.default_rng(0)
    out = []
    for case in spec["cases"]:
        xs = [rng.standard_normal(s).astype(case["dtype"]) for s in case["shapes"]]
        if case["kind"] == "matmul":
            fn = lambda xs=xs: np.matmul(xs[0], xs[1])
        else:
            path = np.einsum_path(case["eq"], *xs, optimize="optimal")[0]
            fn = lambda xs=xs, eq=case["eq"], path=path: np.einsum(eq, *xs, optimize=path)
        out.append(median_ms(fn, spec["repeats"]))
    print(json.dumps(out))


main()
