/**
 * Einsum contexts and shared intermediates: state the convenience API keeps lives in objects the
 * caller passes (`{ context }`, `{ shared }`), and calls without them touch only the default context.
 * Results are checked against the reference einsum, so a plan from the wrong cache would fail here.
 */
import { describe, expect, test } from "vitest";
import {
  CpuBackend,
  InvalidArgumentError,
  SharedIntermediates,
  allClose,
  clearPlanCache,
  contract,
  contractExpression,
  createContext,
  defaultBackend,
  defaultContext,
  einsum,
  einsumAsync,
  randn,
  referenceEinsum,
  sharedIntermediates,
  type DenseTensor,
} from "../../src/index.js";

const xs = [randn([3, 4], { seed: 1 }), randn([4, 5], { seed: 2 }), randn([5, 2], { seed: 3 })];
const eq = "ab,bc,cd->ad";
const ref = referenceEinsum(eq, xs);

/** A CPU backend that counts its GEMMs. */
class CountingBackend extends CpuBackend {
  matmuls = 0;
  override batchedMatmul: CpuBackend["batchedMatmul"] = (a, b, into, options) => {
    this.matmuls++;
    return super.batchedMatmul(a, b, into, options);
  };
}

describe("EinsumContext", () => {
  test("two contexts keep independent plan caches; the default context is untouched", () => {
    const one = createContext();
    const two = createContext();
    clearPlanCache();
    const before = defaultContext().planCache().size;
    expect(allClose(einsum(eq, xs, { context: one }), ref, { rtol: 1e-12 })).toBe(true);
    expect(allClose(einsum("ab->ba", [xs[0]!], { context: one }), referenceEinsum("ab->ba", [xs[0]!]), { rtol: 0 })).toBe(true);
    expect(one.planCache().size).toBe(2);
    expect(two.planCache().size).toBe(0);
    expect(defaultContext().planCache().size).toBe(before);
    expect(allClose(einsum(eq, xs, { context: two }), ref, { rtol: 1e-12 })).toBe(true);
    expect(two.planCache().size).toBe(1);
    one.clearPlanCache();
    expect(one.planCache().size).toBe(0);
    expect(two.planCache().size).toBe(1);
    one.dispose();
    two.dispose();
  });

  test("calls without a context use the default context, and clearPlanCache() clears it only", () => {
    const mine = createContext();
    einsum(eq, xs, { context: mine });
    clearPlanCache();
    einsum(eq, xs);
    expect(defaultContext().planCache().size).toBe(1);
    expect(defaultContext().backend).toBe(defaultBackend());
    clearPlanCache();
    expect(defaultContext().planCache().size).toBe(0);
    expect(mine.planCache().size).toBe(1);
    mine.dispose();
  });

  test("the context's backend runs the call; `backend` wins and gets its own cache in the context", () => {
    const counting = new CountingBackend({ kernels: "ts" });
    const other = new CountingBackend({ kernels: "ts" });
    const context = createContext({ backend: counting });
    expect(context.backend).toBe(counting);
    expect(allClose(contract(eq, ...xs, { context }), ref, { rtol: 1e-12 })).toBe(true);
    expect(counting.matmuls).toBe(2);
    expect(allClose(einsum(eq, xs, { context, backend: other }), ref, { rtol: 1e-12 })).toBe(true);
    expect(counting.matmuls).toBe(2);
    expect(other.matmuls).toBe(2);
    expect(context.planCache(counting).size).toBe(1);
    expect(context.planCache(other).size).toBe(1);
    const expr = contractExpression(eq, ...xs.map((x) => x.shape), { context });
    expect(allClose(expr(...xs), ref, { rtol: 1e-12 })).toBe(true);
    expect(counting.matmuls).toBe(4);
  });

  test("einsumAsync runs on the context's backend", async () => {
    const counting = new CountingBackend({ kernels: "ts" });
    const y = await einsumAsync(eq, xs, { context: createContext({ backend: counting }) });
    expect(allClose(y, ref, { rtol: 1e-12 })).toBe(true);
    expect(counting.matmuls).toBe(2);
  });

  test("the cache is bounded by planCacheSize (0: no caching), least recently used dropped", () => {
    const context = createContext({ planCacheSize: 2 });
    for (let n = 1; n <= 5; n++) einsum("i->", [randn([n], { seed: n })], { context });
    expect(context.planCache().size).toBe(2);
    const none = createContext({ planCacheSize: 0 });
    expect(allClose(einsum(eq, xs, { context: none }), ref, { rtol: 1e-12 })).toBe(true);
    expect(none.planCache().size).toBe(0);
    context.dispose();
    none.dispose();
  });

  test("a bad planCacheSize is a typed error", () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => createContext({ planCacheSize: bad })).toThrow(InvalidArgumentError);
  });
});

describe("SharedIntermediates", () => {
  const path = {
    path: [
      [0, 1],
      [0, 1],
    ],
  };

  test("only calls given the cache share; results equal the unshared ones", () => {
    const shared = new SharedIntermediates();
    const first = einsum("ij,jk,kl->il", xs, { optimize: path, shared });
    const second = einsum("ij,jk,kl->i", xs, { optimize: path, shared });
    expect(shared.hits).toBe(1);
    einsum("ij,jk,kl->i", xs, { optimize: path });
    expect(shared.hits).toBe(1);
    expect(allClose(first, referenceEinsum("ij,jk,kl->il", xs), { rtol: 1e-12 })).toBe(true);
    expect(allClose(second, referenceEinsum("ij,jk,kl->i", xs), { rtol: 1e-12 })).toBe(true);
    shared.clear();
    expect(shared.size).toBe(0);
    einsum("ij,jk,kl->il", xs, { optimize: path, shared });
    expect(shared.hits).toBe(1);
  });

  test("a shared step runs once: the backend sees no second GEMM for it", () => {
    const backend = new CountingBackend({ kernels: "ts" });
    const { hits, result } = sharedIntermediates((shared) => {
      const a = einsum("ij,jk,kl->il", xs, { optimize: path, shared, backend });
      const b = contract("ij,jk,kl->il", ...xs, { optimize: path, shared, backend });
      return [a, b] as const;
    });
    expect(hits).toBe(2);
    expect(backend.matmuls).toBe(2);
    expect(result[1].toArray()).toEqual(result[0].toArray());
  });

  test("contractExpression and einsumAsync take the cache too", async () => {
    const shared = new SharedIntermediates();
    const expr = contractExpression("ij,jk,kl->il", ...xs.map((x) => x.shape), { optimize: path, shared });
    const a = expr(...xs);
    const b = expr(...xs);
    expect(shared.hits).toBe(2);
    const c: DenseTensor = await einsumAsync("ij,jk,kl->il", xs, { optimize: path, shared });
    expect(shared.hits).toBe(4);
    expect(b.toArray()).toEqual(a.toArray());
    expect(allClose(c, a, { rtol: 1e-12 })).toBe(true);
  });

  test("nested scopes are independent", () => {
    const outer = sharedIntermediates((s1) => {
      einsum("ij,jk,kl->il", xs, { optimize: path, shared: s1 });
      const inner = sharedIntermediates((s2) => einsum("ij,jk,kl->il", xs, { optimize: path, shared: s2 }));
      expect(inner.hits).toBe(0);
      einsum("ij,jk,kl->il", xs, { optimize: path, shared: s1 });
      return s1.hits;
    });
    expect(outer.result).toBe(2);
  });
});
