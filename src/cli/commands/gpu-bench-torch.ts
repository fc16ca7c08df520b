/**
 * The PyTorch peer of `multilinear gpu bench`, as Python source run by `python3 -c` on the GPU host
 * (it ships inside dist/, so a packed bundle carries it). Python is never a runtime dependency of
 * the library: without python3, torch or CUDA the bench reports why and goes on without the peer.
 * @module
 */

/**
 * Reads a JSON config from argv[1] ({ gemm: [n…], cp: [{b,i,o,n,r}…], repeats }), prints one JSON
 * object: { device, torch, gemm: [{n, tf32, ms}], cp: [{b,i,o,n,r, einsum_ms, steps_ms}] } or
 * { error }. Times are medians of CUDA-synchronized samples of at least 50 ms each, after warm-up.
 */
export const TORCH_PEER_SOURCE = String.raw`
import json, math, sys, time
cfg = json.loads(sys.argv[1])
try:
    import torch
except Exception as e:
    print(json.dumps({"error": "torch is not importable: %s" % e})); sys.exit(0)
if not torch.cuda.is_available():
    print(json.dumps({"error": "torch.cuda.is_available() is False"})); sys.exit(0)
dev = torch.device("cuda")
torch.manual_seed(0)
def timeit(fn):
    fn(); torch.cuda.synchronize()
    iters = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(iters): fn()
        torch.cuda.synchronize()
        dt = (time.perf_counter() - t0) * 1000
        if dt >= 50 or iters >= 65536: break
        iters *= 2
    samples = []
    for _ in range(cfg.get("repeats", 5)):
        t0 = time.perf_counter()
        for _ in range(iters): fn()
        torch.cuda.synchronize()
        samples.append((time.perf_counter() - t0) * 1000 / iters)
    samples.sort()
    return samples[len(samples) // 2]
out = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "gemm": [], "cp": []}
for tf32 in (False, True):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    for n in cfg["gemm"]:
        a = torch.randn(n, n, device=dev); b = torch.randn(n, n, device=dev)
        out["gemm"].append({"n": n, "tf32": tf32, "ms": timeit(lambda: torch.matmul(a, b))})
        del a, b
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
with torch.no_grad():
    for c in cfg["cp"]:
        B, I, O, N, R = c["b"], c["i"], c["o"], c["n"], c["r"]
        x = torch.randn(B, I, device=dev)
        G = torch.randn(I, N, device=dev) / math.sqrt(I)
        mean = torch.randn(N, device=dev) * 0.1; var = 1 + 0.5 * torch.randn(N, device=dev).abs()
        U1 = torch.randn(N, R, device=dev) + 1
        U2 = torch.randn(I + 1, R, device=dev) / math.sqrt(I)
        U3 = torch.randn(O, R, device=dev) / math.sqrt(R)
        ones = torch.ones(B, 1, device=dev)
        def gate():
            h = (x @ G - mean) / torch.sqrt(var + 1e-5)
            return torch.softmax(h, -1)
        def fwd_einsum():
            a = gate()
            return torch.einsum("bi,bn,nr,ir,or->bo", torch.cat([x, ones], 1), a, U1, U2, U3)
        def fwd_steps():
            a = gate()
            return ((a @ U1) * (torch.cat([x, ones], 1) @ U2)) @ U3.T
        out["cp"].append({**c, "einsum_ms": timeit(fwd_einsum), "steps_ms": timeit(fwd_steps)})
print(json.dumps(out))
`;
