import { svd, randn, einsum, tensor, qr } from "../src/index.js";
function check(m: number, n: number, seed: number) {
  const a = randn([m, n], { seed });
  const t0 = performance.now();
  const { u, s, vt } = svd(a);
  const ms = performance.now() - t0;
  const k = s.length;
  const us = u.clone(); for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us.data[i * k + j]! *= s[j]!;
  const rec = einsum("ik,kj->ij", [us, vt]);
  let err = 0, nrm = 0; for (let i = 0; i < a.size; i++) { err = Math.max(err, Math.abs(rec.data[i]! - a.data[i]!)); nrm = Math.max(nrm, Math.abs(a.data[i]!)); }
  const utu = einsum("ik,il->kl", [u, u]); let orth = 0; for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) orth = Math.max(orth, Math.abs(utu.get(i, j) - (i === j ? 1 : 0)));
  const vvt = einsum("ki,li->kl", [vt, vt]); let orthv = 0; for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) orthv = Math.max(orthv, Math.abs(vvt.get(i, j) - (i === j ? 1 : 0)));
  let sorted = true; for (let i = 1; i < k; i++) if (s[i]! > s[i - 1]!) sorted = false;
  console.log(`${m}x${n}: rec ${(err / nrm).toExponential(2)} orthU ${orth.toExponential(2)} orthV ${orthv.toExponential(2)} sorted ${sorted} ${ms.toFixed(1)} ms`);
}
for (const [m, n] of [[1, 1], [2, 2], [5, 3], [3, 5], [10, 10], [50, 20], [20, 50], [100, 100], [300, 100], [500, 500]]) check(m!, n!, m! * 7 + n!);
// rank-deficient
const low = einsum("ik,kj->ij", [randn([40, 3], { seed: 1 }), randn([3, 30], { seed: 2 })]);
console.log("low-rank s:", [...svd(low).s.slice(0, 5)].map((v) => v.toExponential(2)).join(" "));
console.log("zeros:", [...svd(tensor([[0, 0], [0, 0]])).s]);
console.log([...svd(tensor([[3, 0], [0, -4]])).s]);
