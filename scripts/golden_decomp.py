"""Golden files for the decomposition tests, in TensorLy's conventions, computed with numpy only.

Writes test/fixtures/decomp/: fixed factors (.npy), their reconstructions (cp_to_tensor, tr_to_tensor,
tt_to_tensor), unfoldings and Khatri-Rao products, and planted low-rank tensors for the CLI test.
The reconstruction formulas follow shared/spec/mumoe.md section 6 (TensorLy @ acc439e):
  cp_to_tensor: X = fold(U_0 diag(w) khatri_rao(U_1..U_{D-1})^T, 0, shape)
  tr_to_tensor: X[i_1..i_D] = trace(G_1[:, i_1, :] ... G_D[:, i_D, :])
  unfold(X, m) = reshape(moveaxis(X, m, 0), (I_m, -1));  khatri_rao: first matrix varies slowest.
Run: python3 scripts/golden_decomp.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "decomp")


def unfold(x, m):
    return np.reshape(np.moveaxis(x, m, 0), (x.shape[m], -1))


def fold(u, m, shape):
    moved = [shape[m]] + [s for i, s in enumerate(shape) if i != m]
    return np.moveaxis(np.reshape(u, moved), 0, m)


def khatri_rao(mats):
    r = mats[0].shape[1]
    out = mats[0]
    for m in mats[1:]:
        out = (out[:, None, :] * m[None, :, :]).reshape(-1, r)
    return out


def cp_to_tensor(w, factors):
    shape = [f.shape[0] for f in factors]
    full = (factors[0] * w[None, :]) @ khatri_rao(factors[1:]).T
    return fold(full, 0, shape)


def tr_to_tensor(cores):
    shape = [c.shape[1] for c in cores]
    out = np.zeros(shape)
    for idx in np.ndindex(*shape):
        m = np.eye(cores[0].shape[0])
        for k, i in enumerate(idx):
            m = m @ cores[k][:, i, :]
        out[idx] = np.trace(m)
    return out


def save(name, arr):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(arr))


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2024)
    # CP: weights and factors of a 4x5x6 rank-3 tensor.
    w = rng.normal(size=3)
    cp = [rng.normal(size=(n, 3)) for n in (4, 5, 6)]
    save("cp_weights", w)
    for k, f in enumerate(cp):
        save(f"cp_factor{k}", f)
    save("cp_tensor", cp_to_tensor(w, cp))
    x = cp_to_tensor(w, cp)
    for m in range(3):
        save(f"cp_unfold{m}", unfold(x, m))
    save("khatri_rao", khatri_rao(cp))
    # TR: ranks (2, 3, 4) of a 3-way ring 3x4x5.
    ranks = [2, 3, 4, 2]
    tr = [rng.normal(size=(ranks[k], n, ranks[k + 1])) for k, n in enumerate((3, 4, 5))]
    for k, c in enumerate(tr):
        save(f"tr_core{k}", c)
    save("tr_tensor", tr_to_tensor(tr))
    # TT: ranks (1, 2, 3, 1) of 4x3x5 (tt_to_tensor = tr_to_tensor with boundary ranks 1).
    tranks = [1, 2, 3, 1]
    tt = [rng.normal(size=(tranks[k], n, tranks[k + 1])) for k, n in enumerate((4, 3, 5))]
    for k, c in enumerate(tt):
        save(f"tt_core{k}", c)
    save("tt_tensor", tr_to_tensor(tt))
    # Planted tensors for recovery through the CLI.
    planted_cp = [rng.normal(size=(n, 3)) for n in (10, 12, 14)]
    save("planted_cp3_10x12x14", cp_to_tensor(np.ones(3), planted_cp))
    pr = [2, 3, 4, 2, 2]
    planted_tr = [rng.normal(size=(pr[k], n, pr[k + 1])) for k, n in enumerate((6, 5, 4, 6))]
    save("planted_tr2342_6x5x4x6", tr_to_tensor(planted_tr))
    pt = [1, 2, 3, 1]
    planted_tt = [rng.normal(size=(pt[k], n, pt[k + 1])) for k, n in enumerate((7, 6, 5))]
    save("planted_tt23_7x6x5", tr_to_tensor(planted_tt))
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("Golden files for test/decomp, written by `python3 scripts/golden_decomp.py` (numpy only, TensorLy conventions).\n")


if __name__ == "__main__":
    main()
