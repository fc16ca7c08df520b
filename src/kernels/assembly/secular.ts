// Passes of the secular-equation solver of the SVD's divide and conquer (src/linalg/bidiagonal-dc.ts
// holds the algorithm; these are its O(K) loops, two poles per f64x2). Poles j ≤ i are "below" the
// root, j > i "above"; sums are returned in `out` as [below, below slope, above, above slope, curvature].

/**
 * For δ = `delta`: `inv[j] = 1/(δ_j − τ)` for every j < K, and the sums of `t = z2_j·inv[j]`, `t·inv[j]`
 * (below and above i) and `t·inv[j]²` (all j) into out[0…4].
 */
export function secularSums(delta: usize, z2: usize, inv: usize, K: i32, i: i32, tau: f64, out: usize): void {
  const tv = f64x2.splat(tau);
  const one = f64x2.splat(1.0);
  let s = f64x2.splat(0);
  let ds = s;
  let curv = s;
  let j: i32 = 0;
  let psi: f64 = 0;
  let dpsi: f64 = 0;
  // Below: pairs wholly at or below i, then a single pole if one is left.
  for (; j + 1 <= i; j += 2) {
    const o = <usize>j << 3;
    const r = f64x2.div(one, f64x2.sub(v128.load(delta + o), tv));
    v128.store(inv + o, r);
    const t = f64x2.mul(v128.load(z2 + o), r);
    const tr = f64x2.mul(t, r);
    s = f64x2.add(s, t);
    ds = f64x2.add(ds, tr);
    curv = f64x2.add(curv, f64x2.mul(tr, r));
  }
  psi = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  dpsi = f64x2.extract_lane(ds, 0) + f64x2.extract_lane(ds, 1);
  let cv: f64 = 0;
  for (; j <= i && j < K; j++) {
    const o = <usize>j << 3;
    const r = 1.0 / (load<f64>(delta + o) - tau);
    store<f64>(inv + o, r);
    const t = load<f64>(z2 + o) * r;
    psi += t;
    dpsi += t * r;
    cv += t * r * r;
  }
  s = f64x2.splat(0);
  ds = s;
  for (; j + 1 < K; j += 2) {
    const o = <usize>j << 3;
    const r = f64x2.div(one, f64x2.sub(v128.load(delta + o), tv));
    v128.store(inv + o, r);
    const t = f64x2.mul(v128.load(z2 + o), r);
    const tr = f64x2.mul(t, r);
    s = f64x2.add(s, t);
    ds = f64x2.add(ds, tr);
    curv = f64x2.add(curv, f64x2.mul(tr, r));
  }
  let phi = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let dphi = f64x2.extract_lane(ds, 0) + f64x2.extract_lane(ds, 1);
  for (; j < K; j++) {
    const o = <usize>j << 3;
    const r = 1.0 / (load<f64>(delta + o) - tau);
    store<f64>(inv + o, r);
    const t = load<f64>(z2 + o) * r;
    phi += t;
    dphi += t * r;
    cv += t * r * r;
  }
  store<f64>(out, psi);
  store<f64>(out, dpsi, 8);
  store<f64>(out, phi, 16);
  store<f64>(out, dphi, 24);
  store<f64>(out, cv + f64x2.extract_lane(curv, 0) + f64x2.extract_lane(curv, 1), 32);
}

/**
 * The first evaluation of root i at τ = `mid` against δ = `lower`, writing `upper[j] = (d_j − dn)(d_j + dn)`
 * (the δ's relative to the next pole) on the way; sums into out[0…3] as {@link secularSums}.
 */
export function secularMid(d: usize, lower: usize, upper: usize, z2: usize, K: i32, i: i32, mid: f64, dn: f64, out: usize): void {
  const mv = f64x2.splat(mid);
  const nv = f64x2.splat(dn);
  const one = f64x2.splat(1.0);
  let s = f64x2.splat(0);
  let ds = s;
  let j: i32 = 0;
  for (; j + 1 <= i; j += 2) {
    const o = <usize>j << 3;
    const dj = v128.load(d + o);
    v128.store(upper + o, f64x2.mul(f64x2.sub(dj, nv), f64x2.add(dj, nv)));
    const r = f64x2.div(one, f64x2.sub(v128.load(lower + o), mv));
    const t = f64x2.mul(v128.load(z2 + o), r);
    s = f64x2.add(s, t);
    ds = f64x2.add(ds, f64x2.mul(t, r));
  }
  let psi = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let dpsi = f64x2.extract_lane(ds, 0) + f64x2.extract_lane(ds, 1);
  for (; j <= i && j < K; j++) {
    const o = <usize>j << 3;
    const dj = load<f64>(d + o);
    store<f64>(upper + o, (dj - dn) * (dj + dn));
    const r = 1.0 / (load<f64>(lower + o) - mid);
    const t = load<f64>(z2 + o) * r;
    psi += t;
    dpsi += t * r;
  }
  s = f64x2.splat(0);
  ds = s;
  for (; j + 1 < K; j += 2) {
    const o = <usize>j << 3;
    const dj = v128.load(d + o);
    v128.store(upper + o, f64x2.mul(f64x2.sub(dj, nv), f64x2.add(dj, nv)));
    const r = f64x2.div(one, f64x2.sub(v128.load(lower + o), mv));
    const t = f64x2.mul(v128.load(z2 + o), r);
    s = f64x2.add(s, t);
    ds = f64x2.add(ds, f64x2.mul(t, r));
  }
  let phi = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let dphi = f64x2.extract_lane(ds, 0) + f64x2.extract_lane(ds, 1);
  for (; j < K; j++) {
    const o = <usize>j << 3;
    const dj = load<f64>(d + o);
    store<f64>(upper + o, (dj - dn) * (dj + dn));
    const r = 1.0 / (load<f64>(lower + o) - mid);
    const t = load<f64>(z2 + o) * r;
    phi += t;
    dphi += t * r;
  }
  store<f64>(out, psi);
  store<f64>(out, dpsi, 8);
  store<f64>(out, phi, 16);
  store<f64>(out, dphi, 24);
}

/** `acc[j] *= upper[j]·inv[j]` for j ≤ i, `acc[j] *= lower[j]·inv[j]` above (the Löwner products). */
export function lownerUpdate(acc: usize, lower: usize, upper: usize, inv: usize, K: i32, i: i32): void {
  let j: i32 = 0;
  for (; j + 1 <= i; j += 2) {
    const o = <usize>j << 3;
    v128.store(acc + o, f64x2.mul(v128.load(acc + o), f64x2.mul(v128.load(upper + o), v128.load(inv + o))));
  }
  for (; j <= i && j < K; j++) {
    const o = <usize>j << 3;
    store<f64>(acc + o, load<f64>(acc + o) * (load<f64>(upper + o) * load<f64>(inv + o)));
  }
  for (; j + 1 < K; j += 2) {
    const o = <usize>j << 3;
    v128.store(acc + o, f64x2.mul(v128.load(acc + o), f64x2.mul(v128.load(lower + o), v128.load(inv + o))));
  }
  for (; j < K; j++) {
    const o = <usize>j << 3;
    store<f64>(acc + o, load<f64>(acc + o) * (load<f64>(lower + o) * load<f64>(inv + o)));
  }
}
