"""Benchmark peer for decompositions: the same CP-ALS as multilinear's (random init, Gram-Hadamard
normal equations, MTTKRP as unfolding times Khatri-Rao, as TensorLy's parafac does it), and SVDs
with scipy and numpy. Single-threaded BLAS unless the caller says otherwise.

Usage: python3 numpy_decomp.py <spec.json>
spec: {"cp_als": {"tensor": path, "rank": R, "iters": n, "repeats": k}, "svd": {"matrix": path, "repeats": k, "others": bool}}
Prints medians (*_ms) and every timed sample (*_samples), in milliseconds.
"""
import json
import os
import sys
import time

import numpy as np
import scipy.linalg

# The unfolding and Khatri-Rao conventions are the ones the golden files were made with.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from golden_decomp import khatri_rao, unfold  # noqa: E402


def cp_als(x, rank, iters, seed=0):
    rng = np.random.default_rng(seed)
    factors = [rng.random((n, rank)) for n in x.shape]
    norm_x = np.linalg.norm(x)
    for _ in range(iters):
        for m in range(x.ndim):
            v = np.ones((rank, rank))
            for k, f in enumerate(factors):
                if k != m:
                    v *= f.T @ f
            mttkrp = unfold(x, m) @ khatri_rao([f for k, f in enumerate(factors) if k != m])
            factors[m] = np.linalg.solve(v.T, mttkrp.T).T
        v = np.ones((rank, rank))
        for f in factors:
            v *= f.T @ f
        inner = np.sum(mttkrp * factors[-1])
        err = np.sqrt(abs(norm_x**2 + v.sum() - 2 * inner)) / norm_x
    return err


def timed(fn, repeats):
    """One warm-up call, then `repeats` timed calls: (median ms, every sample in ms)."""
    fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return sorted(samples)[len(samples) // 2], samples


def main():
    spec = json.load(open(sys.argv[1]))
    out = {"numpy": np.__version__, "scipy": scipy.__version__}
    if "cp_als" in spec:
        c = spec["cp_als"]
        x = np.load(c["tensor"])
        out["cp_als_ms"], out["cp_als_samples"] = timed(lambda: cp_als(x, c["rank"], c["iters"]), c["repeats"])
    if "svd" in spec:
        s = spec["svd"]
        a = np.load(s["matrix"])
        out["scipy_svd_ms"], out["scipy_svd_samples"] = timed(lambda: scipy.linalg.svd(a, full_matrices=False), s["repeats"])
        if s.get("others", True):
            out["scipy_gesvd_ms"], out["scipy_gesvd_samples"] = timed(lambda: scipy.linalg.svd(a, full_matrices=False, lapack_driver="gesvd"), s["repeats"])
            out["numpy_svd_ms"], out["numpy_svd_samples"] = timed(lambda: np.linalg.svd(a, full_matrices=False), s["repeats"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
