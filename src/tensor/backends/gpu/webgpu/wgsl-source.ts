/**
 * WGSL sources of the hand-written compute shaders: a tiled batched GEMM (gpu.js kernels have no
 * workgroup memory) and a strided copy with exact 32-bit index arithmetic.
 * @module
 */
import { InvalidArgumentError } from "../../../../errors.js";

/**
 * Tile shape of the WGSL GEMM. A workgroup computes a `bm × bn` block of C with
 * `(bn / tn) × (bm / tm)` threads, each holding `tm × tn` accumulators in registers; `bk` columns of
 * A and rows of B are staged in workgroup memory per step.
 * @category GPU
 */
export interface GemmTile {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
}

/** For large products: 128×128 blocks, 8×8 outputs per thread, 256 threads, 8 KiB of workgroup memory. @category GPU */
export const LARGE_TILE: GemmTile = { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 };

/** For small products (fewer blocks would leave the GPU idle): 64×64 blocks, 4×4 per thread, 256 threads. @category GPU */
export const SMALL_TILE: GemmTile = { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 };

/** Bytes of the GEMM's uniform block (12 u32, padded to 16-byte multiples). */
export const GEMM_PARAMS_BYTES = 48;

/**
 * Checks a tile: every size a power of two, `tm`, `tn` and `bk` at least 4 (vector loads and stores),
 * at most 256 threads (the WebGPU default limit) and 16 KiB of workgroup memory.
 * @throws {@link InvalidArgumentError} for a tile the shader cannot use.
 * @category GPU
 */
export function validateTile(t: GemmTile): void {
  const pow2 = (x: number): boolean => Number.isInteger(x) && x >= 1 && (x & (x - 1)) === 0;
  const threads = (t.bm / t.tm) * (t.bn / t.tn);
  const ok =
    [t.bm, t.bn, t.bk, t.tm, t.tn].every(pow2) &&
    t.tn >= 4 &&
    t.tm >= 4 &&
    t.bk >= 4 &&
    t.bm >= t.tm &&
    t.bn >= t.tn &&
    threads <= 256 &&
    threads >= 1 &&
    (t.bm * t.bk + t.bn * t.bk) * 4 <= 16384;
  if (!ok) {
    throw new InvalidArgumentError(
      `GEMM tile ${JSON.stringify(t)} is not usable`,
      "use powers of two with tm, tn, bk ≥ 4, at most 256 threads ((bm/tm)·(bn/tn)) and ≤ 16 KiB of workgroup memory ((bm+bn)·bk·4 bytes)",
    );
  }
}

/**
 * The tiled GEMM `C[b] = A[b] · B[b]` for row-major `A [batch, M, K]`, `B [batch, K, N]`,
 * `C [batch, M, N]`. `vec4`: operands are read and C written as `vec4<f32>` (needs `K % 4 == 0`,
 * `N % 4 == 0` and offsets divisible by 4); otherwise scalar loads with the same tiling. Edges are
 * handled by zero-filled loads and guarded stores, so any M, N, K works.
 * @category GPU
 */
export function gemmWgsl(t: GemmTile, vec4: boolean): string {
  validateTile(t);
  const wx = t.bn / t.tn;
  const wy = t.bm / t.tm;
  const nt = wx * wy;
  const tn4 = t.tn / 4;
  const L: string[] = [];
  L.push(
    "struct Params { M : u32, N : u32, K : u32, batch0 : u32, aOff : u32, bOff : u32, cOff : u32, aBatch : u32, bBatch : u32, cBatch : u32, pad0 : u32, pad1 : u32 }",
    "@group(0) @binding(0) var<uniform> p : Params;",
  );
  const elem = vec4 ? "vec4<f32>" : "f32";
  L.push(
    `@group(0) @binding(1) var<storage, read> A : array<${elem}>;`,
    `@group(0) @binding(2) var<storage, read> B : array<${elem}>;`,
    `@group(0) @binding(3) var<storage, read_write> C : array<${elem}>;`,
    `var<workgroup> As : array<vec4<f32>, ${(t.bk * t.bm) / 4}>;`,
    `var<workgroup> Bs : array<vec4<f32>, ${(t.bk * t.bn) / 4}>;`,
    `@compute @workgroup_size(${wx}, ${wy}, 1)`,
    "fn main(@builtin(local_invocation_id) lid : vec3<u32>, @builtin(workgroup_id) wid : vec3<u32>) {",
    "  let tx = lid.x;",
    "  let ty = lid.y;",
    `  let tid = ty * ${wx}u + tx;`,
    "  let bz = wid.z + p.batch0;",
    `  let m0 = wid.y * ${t.bm}u;`,
    `  let n0 = wid.x * ${t.bn}u;`,
    "  let aBase = p.aOff + bz * p.aBatch;",
    "  let bBase = p.bOff + bz * p.bBatch;",
    "  let cBase = p.cOff + bz * p.cBatch;",
  );
  for (let i = 0; i < t.tm; i++) for (let j = 0; j < tn4; j++) L.push(`  var acc${i}_${j} = vec4<f32>(0.0);`);
  L.push(`  for (var k0 = 0u; k0 < p.K; k0 = k0 + ${t.bk}u) {`);
  // A tile: bm rows × bk columns, stored transposed (row m of column k in As[k·bm/4 + m/4][m % 4]) so a
  // thread's tm rows are tm/4 adjacent vec4s.
  // Each thread loads vec4s number tid, tid + nt, …; the last round is guarded when it does not divide.
  const aStore = Array.from({ length: 4 }, (_, c) => `      As[(kc + ${c}u) * ${t.bm / 4}u + row / 4u][row % 4u] = v[${c}];`);
  pushTileLoad(
    L,
    vec4,
    nt,
    (t.bm * t.bk) / 4,
    t.bk / 4,
    {
      name: "A",
      base: "aBase",
      line: { local: "row", global: "gm", origin: "m0", limit: "p.M" },
      col: { local: "kc", global: "gk", origin: "k0", limit: "p.K" },
    },
    aStore,
  );
  // B tile: bk rows × bn columns as vec4 along n.
  pushTileLoad(
    L,
    vec4,
    nt,
    (t.bn * t.bk) / 4,
    t.bn / 4,
    {
      name: "B",
      base: "bBase",
      line: { local: "kr", global: "gk", origin: "k0", limit: "p.K" },
      col: { local: "nc", global: "gn", origin: "n0", limit: "p.N" },
    },
    ["      Bs[idx] = v;"],
  );
  L.push("    workgroupBarrier();");
  for (let kk = 0; kk < t.bk; kk++) {
    L.push("    {");
    // A values of this thread's rows: tm/4 vec4 reads of the transposed tile.
    for (let i4 = 0; i4 < t.tm / 4; i4++) L.push(`      let a${i4} = As[${(kk * t.bm) / 4}u + ty * ${t.tm / 4}u + ${i4}u];`);
    for (let j = 0; j < tn4; j++) L.push(`      let b${j} = Bs[${(kk * t.bn) / 4}u + ${j * wx}u + tx];`);
    for (let i = 0; i < t.tm; i++) {
      const a = `a${Math.floor(i / 4)}[${i % 4}]`;
      for (let j = 0; j < tn4; j++) L.push(`      acc${i}_${j} = acc${i}_${j} + ${a} * b${j};`);
    }
    L.push("    }");
  }
  L.push("    workgroupBarrier();", "  }");
  // Store: thread (tx, ty) owns rows ty·tm + i and vec4 columns (j·wx + tx)·4.
  for (let i = 0; i < t.tm; i++) {
    for (let j = 0; j < tn4; j++) {
      L.push("  {", `    let row = m0 + ty * ${t.tm}u + ${i}u;`, `    let col = n0 + (${j * wx}u + tx) * 4u;`);
      if (vec4) {
        L.push(`    if (row < p.M && col < p.N) { C[(cBase + row * p.N + col) / 4u] = acc${i}_${j}; }`);
      } else {
        L.push("    if (row < p.M) {", "      let r = cBase + row * p.N + col;");
        for (let c = 0; c < 4; c++) L.push(`      if (col + ${c}u < p.N) { C[r + ${c}u] = acc${i}_${j}[${c}]; }`);
        L.push("    }");
      }
      L.push("  }");
    }
  }
  L.push("}");
  return L.join("\n");
}

/** One axis of a tile load in {@link pushTileLoad}: the WGSL names of its tile and global index, where the tile starts, and the bound. */
interface TileAxis {
  readonly local: string;
  readonly global: string;
  readonly origin: string;
  readonly limit: string;
}

/** The row-major operand a tile is loaded from: its binding, base offset, and the tile's line and column axes (lines `col.limit` apart). */
interface TileSource {
  readonly name: "A" | "B";
  readonly base: string;
  readonly line: TileAxis;
  readonly col: TileAxis;
}

/**
 * Pushes the loads of one operand tile of `total` vec4s (`perLine` of them a tile line): each thread
 * loads vec4s number tid, tid + nt, …, guarding the last round when nt does not divide `total`, into
 * `v` (entries outside the operand are 0), then runs the `store` lines.
 */
function pushTileLoad(
  L: string[],
  vec4: boolean,
  nt: number,
  total: number,
  perLine: number,
  src: TileSource,
  store: readonly string[],
): void {
  const { name, base, line, col } = src;
  for (let s = 0; s * nt < total; s++) {
    L.push((s + 1) * nt > total ? `    if (tid + ${s * nt}u < ${total}u) {` : "    {");
    L.push(
      `      let idx = tid + ${s * nt}u;`,
      `      let ${line.local} = idx / ${perLine}u;`,
      `      let ${col.local} = (idx % ${perLine}u) * 4u;`,
      `      let ${line.global} = ${line.origin} + ${line.local};`,
      `      let ${col.global} = ${col.origin} + ${col.local};`,
    );
    const at = `${base} + ${line.global} * ${col.limit} + ${col.global}`;
    if (vec4) {
      L.push(
        "      var v = vec4<f32>(0.0);",
        `      if (${line.global} < ${line.limit} && ${col.global} < ${col.limit}) { v = ${name}[(${at}) / 4u]; }`,
      );
    } else {
      L.push("      var v = vec4<f32>(0.0);", `      if (${line.global} < ${line.limit}) {`, `        let r = ${at};`);
      for (let c = 0; c < 4; c++) L.push(`        if (${col.global} + ${c}u < ${col.limit}) { v[${c}] = ${name}[r + ${c}u]; }`);
      L.push("      }");
    }
    L.push(...store, "    }");
  }
}

/** Most axes the strided copy handles. @category GPU */
export const COPY_MAX_NDIM = 8;

/** Bytes of the copy's uniform block. */
export const COPY_PARAMS_BYTES = 16 + 2 * COPY_MAX_NDIM * 4;

/** Threads per workgroup of the copy. */
export const COPY_WORKGROUP = 256;

/**
 * `dst[t] = src[offset + Σ ck·strides[k]]` where `(c0, …)` are the C-order coordinates of t in
 * `shape`: materialises a strided view with exact u32 arithmetic, for any shape up to
 * {@link COPY_MAX_NDIM} axes, with one pipeline.
 * @category GPU
 */
export function copyWgsl(): string {
  const v = COPY_MAX_NDIM / 4;
  return [
    `struct Params { n : u32, ndim : u32, offset : u32, width : u32, shape : array<vec4<u32>, ${v}>, strides : array<vec4<u32>, ${v}> }`,
    "@group(0) @binding(0) var<uniform> p : Params;",
    "@group(0) @binding(1) var<storage, read> src : array<f32>;",
    "@group(0) @binding(2) var<storage, read_write> dst : array<f32>;",
    `@compute @workgroup_size(${COPY_WORKGROUP}, 1, 1)`,
    "fn main(@builtin(global_invocation_id) gid : vec3<u32>) {",
    "  let t = gid.x + gid.y * p.width;",
    "  if (t >= p.n) { return; }",
    "  var rest = t;",
    "  var idx = p.offset;",
    "  for (var k = i32(p.ndim) - 1; k >= 0; k = k - 1) {",
    "    let n = p.shape[k / 4][k % 4];",
    "    let c = rest % n;",
    "    rest = rest / n;",
    "    idx = idx + c * p.strides[k / 4][k % 4];",
    "  }",
    "  dst[t] = src[idx];",
    "}",
  ].join("\n");
}
