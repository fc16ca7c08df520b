"""Benchmark peer: the CPμMoE forward (gating + factorized experts) and the dense MoE forward in numpy,
on weights and inputs written by the TypeScript bench. Single-threaded BLAS unless the caller says otherwise.

Usage: python3 numpy_mumoe.py <spec.json>
spec: {"cases": [{"id", "kind": "cp"|"dense", "files": {...}, "repeats": int, "out": path}]}
Prints JSON {"results": {id: {"median_ms", "peak_bytes"}}}; peak_bytes is tracemalloc's peak during one call.
"""
import json
import sys
import time
import tracemalloc

import numpy as np


def entmax15(x):
    x = (x - x.max(axis=-1, keepdims=True)) / 2
    z = -np.sort(-x, axis=-1)
    k = np.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    mean = np.cumsum(z, axis=-1) / k
    mean_sq = np.cumsum(z * z, axis=-1) / k
    ss = k * (mean_sq - mean * mean)
    delta = (1 - ss) / k
    tau = mean - np.sqrt(np.clip(delta, 0, None))
    support = (tau <= z).sum(axis=-1, keepdims=True)
    tau_star = np.take_along_axis(tau, support - 1, axis=-1)
    return np.clip(x - tau_star, 0, None) ** 2


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cp_forward(w):
    x, p, mean, var, u1, u2, u3 = w["x"], w["proj"], w["mean"], w["var"], w["u1"], w["u2"], w["u3"]
    a = entmax15((x @ p - mean) / np.sqrt(var + 1e-5))
    z = np.concatenate([x, np.ones((x.shape[0], 1), dtype=x.dtype)], axis=1)
    return np.einsum("mr,or->mo", (a @ u1) * (z @ u2), u3, optimize=True)


def dense_forward(w):
    x, g, wt, b = w["x"], w["gate"], w["weight"], w["bias"]
    a = softmax(x @ g.T)
    return np.einsum("mn,mi,nio->mo", a, x, wt, optimize=True) + a @ b


def main() -> None:
    spec = json.load(open(sys.argv[1]))
    results = {}
    for case in spec["cases"]:
        w = {k: np.load(f) for k, f in case["files"].items()}
        fn = (lambda: cp_forward(w)) if case["kind"] == "cp" else (lambda: dense_forward(w))
        out = fn()
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        samples = []
        for _ in range(case.get("repeats", 5)):
            t0 = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        if case.get("out"):
            np.save(case["out"], out)
        results[case["id"]] = {"median_ms": samples[len(samples) // 2], "peak_bytes": peak}
    print(json.dumps({"numpy": np.__version__, "results": results}))


if __name__ == "__main__":
    main()
