// The script of docs/examples/gpu.html. It imports the package's browser bundle
// (dist/browser/multilinear.js, built by `npm run build:browser`).
import { CpuBackend, createGpuBackend, createMuMoE, DeviceMuMoE, einsum, einsumAsync, randn } from "../../dist/browser/multilinear.js";

const out = document.getElementById("out");
const ms = (t) => `${t.toFixed(1)} ms`;

function maxAbsDiff(a, b) {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

async function time(fn, repeats = 5) {
  const samples = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((p, q) => p - q);
  return samples[samples.length >> 1];
}

function table(header, rows) {
  return `<table><tr>${header.map((h) => `<th>${h}</th>`).join("")}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</table>`;
}

/** Runs the example in one mode; resolves to { ok, html }. */
export async function runExample(mode) {
  const html = [];
  const gpu = await createGpuBackend({ mode });
  const cpu = new CpuBackend();
  let ok = true;
  try {
    const info = gpu.info;
    const a = info.adapter;
    html.push(
      `<p>mode <b>${info.selected}</b>${a ? ` on ${[a.vendor, a.architecture, a.description].filter(Boolean).join(" / ")}${a.isFallbackAdapter ? " (software fallback adapter)" : ""}` : ""}; matrix products: ${info.gemm}.${info.software ? " <b>Software: no GPU hardware runs this, so the timings say nothing about GPU speed.</b>" : ""}<br><small>${info.reason}</small></p>`,
    );

    // 1. A contraction: a chain of four matrices, operands uploaded once, intermediates on the device.
    const eq = "ab,bc,cd,de->ae";
    const n = 96;
    const xs = [0, 1, 2, 3].map((s) => randn([n, n], { seed: s + 1, dtype: "float32" }));
    const t0 = performance.now();
    const y = await einsumAsync(eq, xs, { backend: gpu });
    const first = performance.now() - t0;
    const gpuMs = await time(() => einsumAsync(eq, xs, { backend: gpu }));
    const ref = einsum(eq, xs, { backend: cpu });
    const cpuMs = await time(() => einsum(eq, xs, { backend: cpu }));
    const scale = Math.max(...Array.from(ref.toTypedArray(), Math.abs));
    const err = maxAbsDiff(y, ref) / scale;
    ok &&= err < 1e-4;
    html.push(`<h2>Contraction <code>${eq}</code>, ${n}×${n} operands</h2>`);
    html.push(
      table(
        ["", "GPU backend", "CPU backend"],
        [
          ["first call (compiles kernels)", ms(first), "–"],
          ["median of 5 (incl. upload and readback)", ms(gpuMs), ms(cpuMs)],
          ["max |GPU − CPU| / max |CPU|", `<span class="${err < 1e-4 ? "good" : "bad"}">${err.toExponential(2)}</span>`, ""],
        ],
      ),
    );
    html.push(`<pre>y[0, 0:4] = ${Array.from(y.toTypedArray().slice(0, 4), (v) => v.toFixed(4)).join(", ")}</pre>`);

    // 2. A CP-μMoE layer with resident weights (the same forward pass as layer.forward on the CPU).
    const cfg = { kind: "cp", inputDim: 128, outputDim: 128, expertDims: [64], ranks: 32, act: "entmax15", normalization: "bn" };
    const layer = createMuMoE(cfg, { seed: 7, init: "random", dtype: "float32" });
    const device = new DeviceMuMoE(layer, gpu, gpu);
    const x = randn([64, cfg.inputDim], { seed: 8, dtype: "float32" });
    const forward = async () => {
      const gx = gpu.upload(x);
      const out = device.forwardOnDevice(gx);
      const [g] = device.gatesOnDevice(gx);
      const [yy, aa] = [await gpu.downloadAsync(out), await gpu.downloadAsync(g)];
      for (const t of [gx, out, g]) gpu.release(t);
      return { y: yy, a: aa };
    };
    const t1 = performance.now();
    const res = await forward();
    const firstF = performance.now() - t1;
    const gpuF = await time(forward);
    const refF = layer.forward(x, { backend: cpu }).reshape([64, cfg.outputDim]);
    const cpuF = await time(() => layer.forward(x, { backend: cpu }));
    const errY = maxAbsDiff(res.y, refF) / Math.max(...Array.from(refF.toTypedArray(), Math.abs));
    const zeros = Array.from(res.a.toTypedArray()).filter((v) => v === 0).length / res.a.size;
    ok &&= errY < 1e-4;
    html.push(`<h2>CP-μMoE forward: b=64, i=o=${cfg.inputDim}, ${cfg.expertDims[0]} experts, rank ${cfg.ranks}, entmax-1.5 gates</h2>`);
    html.push(
      table(
        ["", "GPU backend", "CPU backend"],
        [
          ["first call (compiles kernels)", ms(firstF), "–"],
          ["median of 5 (input upload + forward + gates + readback)", ms(gpuF), ms(cpuF)],
          ["max |GPU − CPU| / max |CPU| (output)", `<span class="${errY < 1e-4 ? "good" : "bad"}">${errY.toExponential(2)}</span>`, ""],
          ["expert coefficients exactly 0 (entmax sparsity)", `${(100 * zeros).toFixed(1)} %`, ""],
        ],
      ),
    );
    device.dispose();
    html.push(`<p>device buffers left: ${gpu.memory().buffers}; kernels compiled: ${gpu.memory().kernels}</p>`);
  } catch (e) {
    ok = false;
    html.push(`<pre class="bad">${String(e?.stack ? e.stack : e)}</pre>`);
  } finally {
    await gpu.dispose();
    cpu.dispose();
  }
  return { ok, html: html.join("\n") };
}

async function onRun() {
  out.textContent = "running…";
  const mode = document.getElementById("mode").value;
  try {
    const r = await runExample(mode);
    out.innerHTML = r.html;
    window.__example = { done: true, ok: r.ok, mode };
  } catch (e) {
    out.innerHTML = `<pre class="bad">${String(e?.stack ? e.stack : e)}</pre>`;
    window.__example = { done: true, ok: false, mode, error: String(e) };
  }
}

document.getElementById("run").addEventListener("click", onRun);
const auto = new URLSearchParams(location.search).get("mode");
if (auto) {
  document.getElementById("mode").value = auto;
  onRun();
}
