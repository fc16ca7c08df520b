/**
 * Source generators for the gpu.js kernels. Every kernel is generated for one shape signature with
 * all sizes, strides and loop bounds written as literals: gpu.js silently caps loops whose bound is
 * not a compile-time constant, and literals make each source its own cache key.
 *
 * Every kernel has a one-dimensional output; `this.thread.x` is the flat output index. gpu.js
 * lowers index arithmetic to float32 on WebGPU and WebGL, which is exact for integers below 2^24,
 * and float division may be off by an ulp, so every quotient is corrected by one step
 * ({@link divmod}). Callers keep every flat index below {@link MAX_KERNEL_INDEX}.
 * @module
 */

/** Flat indices must stay below this (float32 represents every integer below 2^24). */
export const MAX_KERNEL_INDEX = 2 ** 24;

/** A strided view of a flat buffer: element `(i0, i1, …)` is at `offset + Σ ik·strides[k]`. @category GPU */
export interface ViewLayout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** A generated kernel: its source and the number of output elements. */
export interface KernelSource {
  /** Cache key and source (one and the same: the source names every size). */
  readonly source: string;
  readonly outputLength: number;
}

/** A float literal that every shading language reads as a float. */
export function floatLit(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`non-finite constant ${x} in a kernel`);
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/**
 * Lines that split the integer in `t` by `n`: afterwards `q` holds ⌊t/n⌋ and `r` holds t mod n.
 * The float quotient is rounded, then corrected by one step either way.
 */
export function divmod(t: string, n: number, q: string, r: string): string {
  return [
    `let ${q} = Math.floor((${t} + 0.5) / ${n});`,
    `let ${r} = ${t} - ${q} * ${n};`,
    `if (${r} < 0) { ${q} = ${q} - 1; ${r} = ${r} + ${n}; }`,
    `if (${r} >= ${n}) { ${q} = ${q} + 1; ${r} = ${r} - ${n}; }`,
  ].join("\n");
}

/**
 * Lines declaring `${p}c0, ${p}c1, …` (the coordinates of flat index `t` in `shape`, C order) and
 * returning their names. Axes of size 1 get the literal 0.
 */
export function coordinates(t: string, shape: readonly number[], p: string): { readonly code: string; readonly coords: readonly string[] } {
  const lines: string[] = [];
  const coords: string[] = new Array<string>(shape.length).fill("0");
  let rest = t;
  let first = -1;
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] !== 1) {
      first = k;
      break;
    }
  }
  for (let k = shape.length - 1; k >= 0; k--) {
    const n = shape[k]!;
    if (n === 1) continue;
    if (k === first) {
      lines.push(`let ${p}c${k} = ${rest};`);
      coords[k] = `${p}c${k}`;
      break;
    }
    lines.push(divmod(rest, n, `${p}q${k}`, `${p}c${k}`));
    coords[k] = `${p}c${k}`;
    rest = `${p}q${k}`;
  }
  return { code: lines.join("\n"), coords };
}

/** The expression `offset + Σ coords[k]·strides[k]` (terms with a literal 0 left out). */
export function indexExpr(coords: readonly string[], strides: readonly number[], offset: number): string {
  const terms: string[] = [];
  if (offset !== 0) terms.push(String(offset));
  coords.forEach((c, k) => {
    const s = strides[k]!;
    if (c === "0" || s === 0) return;
    terms.push(s === 1 ? c : `${c} * ${s}`);
  });
  return terms.length ? terms.join(" + ") : "0";
}

function kernel(args: readonly string[], body: string): string {
  return `function (${args.join(", ")}) {\n${body}\n}`;
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** `out[t] = x[view(t)]`: a C-order copy of a strided view. */
export function gatherKernel(view: ViewLayout): KernelSource {
  const { code, coords } = coordinates("this.thread.x", view.shape, "g");
  return {
    source: kernel(["x"], `${code}\nreturn x[${indexExpr(coords, view.strides, view.offset)}];`),
    outputLength: size(view.shape),
  };
}

/** `out[t] = value`. */
export function fillKernel(value: number, n: number): KernelSource {
  return { source: kernel([], `return ${floatLit(value)} + this.thread.x * 0;`), outputLength: n };
}

/**
 * Sums a view over `axes` (kept axes in their order form the output). The reduced axes become
 * nested loops with literal bounds.
 */
export function sumKernel(view: ViewLayout, axes: readonly number[]): KernelSource {
  const drop = new Set(axes);
  const kept = view.shape.map((_, k) => k).filter((k) => !drop.has(k));
  const keptShape = kept.map((k) => view.shape[k]!);
  const { code, coords } = coordinates("this.thread.x", keptShape, "s");
  const base = indexExpr(
    coords,
    kept.map((k) => view.strides[k]!),
    view.offset,
  );
  const reduced = [...drop].filter((k) => view.shape[k]! > 1).sort((a, b) => a - b);
  const lines = [code, `let base = ${base};`, "let acc = 0.0;"];
  let idx = "base";
  reduced.forEach((k, j) => {
    lines.push(`for (let j${j} = 0; j${j} < ${view.shape[k]}; j${j}++) {`);
    if (view.strides[k] !== 0) idx = `${idx} + j${j} * ${view.strides[k]}`;
  });
  lines.push(`acc = acc + x[${idx}];`);
  lines.push(...reduced.map(() => "}"));
  // A reduced axis with stride 0 repeats one element: the loop above counts it by iterating.
  lines.push("return acc;");
  return { source: kernel(["x"], lines.join("\n")), outputLength: size(keptShape) };
}

/** `c[b, m, n] = Σ_k a[b, m, k] · b[b, k, n]` over strided views (`a` is `[B, M, K]`, `b` is `[B, K, N]`). */
export function matmulKernel(a: ViewLayout, b: ViewLayout): KernelSource {
  const [B, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const { code, coords } = coordinates("this.thread.x", [B, M, N], "m");
  const [cb, cm, cn] = coords as [string, string, string];
  const ia = indexExpr([cb, cm], [a.strides[0]!, a.strides[1]!], a.offset);
  const ib = indexExpr([cb, cn], [b.strides[0]!, b.strides[2]!], b.offset);
  const sak = a.strides[2]!;
  const sbk = b.strides[1]!;
  const body = [
    code,
    `let ia = ${ia};`,
    `let ib = ${ib};`,
    "let acc = 0.0;",
    `for (let k = 0; k < ${K}; k++) {`,
    `acc = acc + a[ia + k * ${sak}] * b[ib + k * ${sbk}];`,
    "}",
    "return acc;",
  ].join("\n");
  return { source: kernel(["a", "b"], body), outputLength: B * M * N };
}

/** Lines setting `row` (the row of flat index t in rows of length d) and `col`. */
function rowCol(d: number): string {
  return d === 1 ? "let row = this.thread.x;\nlet col = 0;" : divmod("this.thread.x", d, "row", "col");
}

/** Per-row maximum of a `[rows, d]` buffer. */
export function rowMaxKernel(rows: number, d: number): KernelSource {
  const body = [
    `let base = this.thread.x * ${d};`,
    "let m = x[base];",
    `for (let j = 1; j < ${d}; j++) {`,
    "m = Math.max(m, x[base + j]);",
    "}",
    "return m;",
  ];
  return { source: kernel(["x"], body.join("\n")), outputLength: rows };
}

/** Per-row `Σ_j exp(x_j − max)`. */
export function rowSumExpKernel(rows: number, d: number): KernelSource {
  const body = [
    `let base = this.thread.x * ${d};`,
    "let m = mx[this.thread.x];",
    "let s = 0.0;",
    `for (let j = 0; j < ${d}; j++) {`,
    "s = s + Math.exp(x[base + j] - m);",
    "}",
    "return s;",
  ];
  return { source: kernel(["x", "mx"], body.join("\n")), outputLength: rows };
}

/** `exp(x − max) / Σ`. */
export function softmaxKernel(rows: number, d: number): KernelSource {
  return {
    source: kernel(["x", "mx", "s"], `${rowCol(d)}\nreturn Math.exp(x[this.thread.x] - mx[row]) / s[row];`),
    outputLength: rows * d,
  };
}

/**
 * Per-row threshold τ of α-entmax for α = 1.5 (`entmax`) or α = 2 (`sparsemax`), on the shifted
 * scores `z = (x − max)·(α − 1)` where τ lies in [−1, 0]. Bisection finds the support, then τ is
 * recomputed exactly from it (the closed forms of the sort-based algorithms), so the result does not
 * depend on how far the bisection got.
 */
export function thresholdKernel(kind: "entmax15" | "sparsemax", rows: number, d: number, iterations = 30): KernelSource {
  const scale = kind === "entmax15" ? "0.5" : "1.0";
  const contrib = kind === "entmax15" ? "f = f + z * z;" : "f = f + z;";
  const body = [
    `let base = this.thread.x * ${d};`,
    "let m = mx[this.thread.x];",
    "let lo = -1.0;",
    "let hi = 0.0;",
    `for (let it = 0; it < ${iterations}; it++) {`,
    "let tau = (lo + hi) * 0.5;",
    "let f = 0.0;",
    ...overShifted(d, scale, " - tau", "z > 0", [contrib]),
    "if (f >= 1) {",
    "lo = tau;",
    "} else {",
    "hi = tau;",
    "}",
    "}",
    // Support: every z above the lower bracket end.
    "let k = 0.0;",
    "let sum = 0.0;",
    ...overShifted(d, scale, "", "z > lo", ["k = k + 1;", "sum = sum + z;"]),
  ];
  if (kind === "sparsemax") {
    body.push("return (sum - 1) / k;");
  } else {
    body.push(
      "let mean = sum / k;",
      "let ss = 0.0;",
      ...overShifted(d, scale, "", "z > lo", ["ss = ss + (z - mean) * (z - mean);"]),
      "let delta = (1 - ss) / k;",
      "return mean - Math.sqrt(Math.max(delta, 0));",
    );
  }
  return { source: kernel(["x", "mx"], body.join("\n")), outputLength: rows };
}

/** Kernel lines: for each `j` of the row, `z = (x_j − m)·scale` then `shift`, and `body` where `cond` holds. */
function overShifted(d: number, scale: string, shift: string, cond: string, body: readonly string[]): string[] {
  return [`for (let j = 0; j < ${d}; j++) {`, `let z = (x[base + j] - m) * ${scale}${shift};`, `if (${cond}) {`, ...body, "}", "}"];
}

/** `entmax15: [z − τ]₊²`, `sparsemax: [z − τ]₊` with the shifted scores of {@link thresholdKernel}. */
export function thresholdApplyKernel(kind: "entmax15" | "sparsemax", rows: number, d: number): KernelSource {
  const scale = kind === "entmax15" ? "0.5" : "1.0";
  const out = kind === "entmax15" ? "return p * p;" : "return p;";
  const body = [rowCol(d), `let p = Math.max((x[this.thread.x] - mx[row]) * ${scale} - tau[row], 0);`, out];
  return { source: kernel(["x", "mx", "tau"], body.join("\n")), outputLength: rows * d };
}

/** Per-row mean. */
export function rowMeanKernel(rows: number, d: number): KernelSource {
  const body = [
    `let base = this.thread.x * ${d};`,
    "let s = 0.0;",
    `for (let j = 0; j < ${d}; j++) {`,
    "s = s + x[base + j];",
    "}",
    `return s / ${d};`,
  ];
  return { source: kernel(["x"], body.join("\n")), outputLength: rows };
}

/** Per-row biased variance around a given mean (two-pass, as PyTorch's LayerNorm). */
export function rowVarianceKernel(rows: number, d: number): KernelSource {
  const body = [
    `let base = this.thread.x * ${d};`,
    "let mu = mean[this.thread.x];",
    "let s = 0.0;",
    `for (let j = 0; j < ${d}; j++) {`,
    "let e = x[base + j] - mu;",
    "s = s + e * e;",
    "}",
    `return s / ${d};`,
  ];
  return { source: kernel(["x", "mean"], body.join("\n")), outputLength: rows };
}

/**
 * `(x − mean) / sqrt(var + eps)` (then `· gamma + beta` when `affine`). `perRow`: mean/var are per
 * row (LayerNorm); otherwise per column, i.e. per channel of the last axis (BatchNorm in eval mode).
 */
export function normalizeKernel(rows: number, d: number, eps: number, affine: boolean, perRow: boolean): KernelSource {
  const at = perRow ? "row" : "col";
  const args = affine ? ["x", "mean", "variance", "gamma", "beta"] : ["x", "mean", "variance"];
  const norm = `(x[this.thread.x] - mean[${at}]) / Math.sqrt(variance[${at}] + ${floatLit(eps)})`;
  const body = [rowCol(d), affine ? `return ${norm} * gamma[col] + beta[col];` : `return ${norm};`];
  return { source: kernel(args, body.join("\n")), outputLength: rows * d };
}

/** `x + bias` with `bias` along the last axis. */
export function addBiasKernel(rows: number, d: number): KernelSource {
  return { source: kernel(["x", "bias"], `${rowCol(d)}\nreturn x[this.thread.x] + bias[col];`), outputLength: rows * d };
}

/** `x ⊙ y` (same shape, both contiguous). */
export function multiplyKernel(n: number): KernelSource {
  return { source: kernel(["x", "y"], "return x[this.thread.x] * y[this.thread.x];"), outputLength: n };
}

/** `[…, d] → […, d + 1]` with a trailing 1 (the bias input of a μMoE layer). */
export function appendOnesKernel(rows: number, d: number): KernelSource {
  const body = [divmod("this.thread.x", d + 1, "row", "col"), "if (col >= " + d + ") {", "return 1.0;", "}", `return x[row * ${d} + col];`];
  return { source: kernel(["x"], body.join("\n")), outputLength: rows * (d + 1) };
}

/**
 * GELU with the exact (erf) form, `x·Φ(x)`, as PyTorch's default. Φ comes from the complementary
 * error function by a Chebyshev-fitted approximation with fractional error below 1.2e-7 everywhere
 * (Press et al., Numerical Recipes, §6.2), so the tails keep their relative accuracy.
 */
export function geluKernel(n: number): KernelSource {
  const body = [
    "let v = x[this.thread.x];",
    // erfc(u) with u = -v/√2: Φ(v) = erfc(-v/√2)/2.
    "let u = -v * 0.7071067811865476;",
    "let a = Math.abs(u);",
    "let t = 1 / (1 + 0.5 * a);",
    "let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));",
    "let c = t * Math.exp(-a * a + poly);",
    "if (u < 0) {",
    "c = 2 - c;",
    "}",
    "return v * 0.5 * c;",
  ];
  return { source: kernel(["x"], body.join("\n")), outputLength: n };
}
