"""Runs the PyTorch snippets of docs/guides/mumoe.md (`save_mumoe`, `load_mumoe`) exactly as written
there, for test/moe/pytorch-roundtrip.test.ts. Run with Debian's /usr/bin/python3 (python3-torch).

  roundtrip.py export OUT_DIR FIXTURE…        official layout → file, via save_mumoe
  roundtrip.py check FIXTURE FILE [FIXTURE FILE …]   file → PyTorch, via load_mumoe, run on the fixture input

Each prints one JSON line per file: the largest |torch − fixture output| relative to max(1, max|ref|).
The official `MuMoE.py` is imported from $MUMOE_OFFICIAL_DIR when that is set (it is not part of this
repository); otherwise a stand-in with the same state_dict layout and forward pass (mumoe_standin.py).
Without the `safetensors` package, a minimal reader/writer of the format stands in for it.
"""
import contextlib
import importlib.util
import json
import os
import re
import struct
import sys
import types

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, "..", "..", "..", "docs", "guides", "mumoe.md")
DTYPES = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64}
NAMES = {v: k for k, v in DTYPES.items()}


def read_file(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for key, e in header.items():
        b, end = e["data_offsets"]
        data = bytearray(raw[8 + n + b:8 + n + end])
        t = torch.frombuffer(data, dtype=DTYPES[e["dtype"]]) if data else torch.zeros(0, dtype=DTYPES[e["dtype"]])
        tensors[key] = t.reshape(e["shape"]).clone()
    return tensors, meta


def write_file(tensors, path, metadata=None):
    header, chunks, offset = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].contiguous()
        data = t.numpy().tobytes() if t.numel() else b""
        header[key] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def install_modules():
    if os.environ.get("MUMOE_OFFICIAL_DIR"):
        sys.path.insert(0, os.environ["MUMOE_OFFICIAL_DIR"])
    else:
        spec = importlib.util.spec_from_file_location("MuMoE", os.path.join(HERE, "mumoe_standin.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules["MuMoE"] = module
    if importlib.util.find_spec("safetensors") is None:
        st = types.ModuleType("safetensors")
        st_torch = types.ModuleType("safetensors.torch")
        st_torch.save_file = write_file
        st_torch.load_file = lambda path: read_file(path)[0]

        @contextlib.contextmanager
        def safe_open(path, framework="pt"):
            meta = read_file(path)[1]
            yield types.SimpleNamespace(metadata=lambda: meta)

        st.safe_open = safe_open
        st.torch = st_torch
        sys.modules["safetensors"] = st
        sys.modules["safetensors.torch"] = st_torch


def snippet(marker):
    text = open(DOC, encoding="utf-8").read()
    m = re.search(r"<!-- " + marker + r" -->\s*```python\n(.*?)```", text, re.S)
    if not m:
        sys.exit(f"no python block after <!-- {marker} --> in {DOC}")
    namespace = {}
    exec(compile(m.group(1), f"{DOC} ({marker})", "exec"), namespace)
    return namespace


def rel_diff(y, ref):
    return float((y.double() - ref.double()).abs().max() / max(1.0, float(ref.double().abs().max())))


def act_name(args):
    act = args.get("act", "entmax15")
    return "softmax" if "softmax" in act else "sparsemax" if "sparsemax" in act else "entmax15"


def export(out_dir, fixtures):
    save_mumoe = snippet("pytorch-save")["save_mumoe"]
    import MuMoE as official
    for fixture in fixtures:
        tensors, meta = read_file(fixture)
        args = dict(json.loads(meta["config"])["constructor_args"])
        torch.set_default_dtype(tensors["projs.0"].dtype)
        layer_class = getattr(official, args.pop("MuMoE_layer"))
        act = act_name(args)
        args.pop("act", None)
        if act == "softmax":
            args["act"] = lambda x: torch.softmax(x, dim=-1)
        model = official.MuMoE(layer_class, **args)
        model.load_state_dict({k: v for k, v in tensors.items() if k in model.state_dict()}, strict=True)
        model.eval()
        with torch.no_grad():
            diff = rel_diff(model(tensors["input"]), tensors["output"])
        out = os.path.join(out_dir, os.path.basename(fixture))
        save_mumoe(model, out, act=act)
        print(json.dumps({"fixture": os.path.basename(fixture), "file": out, "torch_vs_fixture": diff}))


def check(pairs):
    load_mumoe = snippet("pytorch-load")["load_mumoe"]
    for fixture, path in pairs:
        ref, _ = read_file(fixture)
        meta = read_file(path)[1]
        torch.set_default_dtype(torch.float64 if meta.get("dtype") == "float64" else torch.float32)
        model = load_mumoe(path)
        with torch.no_grad():
            diff = rel_diff(model(ref["input"]), ref["output"])
        print(json.dumps({"fixture": os.path.basename(fixture), "file": path, "torch_vs_fixture": diff}))


if __name__ == "__main__":
    install_modules()
    if sys.argv[1] == "export":
        export(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "check":
        rest = sys.argv[2:]
        check(list(zip(rest[0::2], rest[1::2])))
    else:
        sys.exit(__doc__)
