/**
 * DenseTensor views against the index-function model of test/oracles/ndarray.ts.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  DenseTensor,
  InvalidArgumentError,
  InvalidShapeError,
  fromData,
  scalar,
  tensor,
  zeros,
  type NestedArray,
} from "../../src/index.js";
import * as M from "../oracles/ndarray.js";

const MAX_SIZE = 400;

/** One view operation, drawn as raw numbers and interpreted against the current shape. */
const opArb = fc.record({
  kind: fc.constantFrom("permute", "transpose", "swap", "slice", "select", "diagonal", "broadcast", "expand", "reshape", "contiguous"),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  d: fc.nat(),
  keys: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
});
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });

/** A shape with `size` elements, from raw numbers. */
function shapeWithSize(size: number, keys: readonly number[]): number[] {
  const rank = keys[0]! % 5;
  if (size === 0) return rank === 0 ? [0] : Array.from({ length: rank }, (_, k) => (k === keys[1]! % rank ? 0 : 1 + (keys[k + 1]! % 3)));
  const shape = new Array<number>(Math.max(rank, 1)).fill(1);
  let rest = size;
  for (let f = 2; rest > 1; ) {
    if (rest % f === 0) {
      shape[(keys[(rest + f) % keys.length]! + f) % shape.length]! *= f;
      rest /= f;
    } else f++;
  }
  return shape;
}

interface Applied {
  readonly x: DenseTensor;
  readonly m: M.Model;
  /** False when the op is allowed to copy. */
  readonly view: boolean;
  readonly label: string;
}

/** Applies `op` to both the tensor and the model, or returns undefined when it does not apply. */
function apply(x: DenseTensor, m: M.Model, op: Op): Applied | undefined {
  const n = x.ndim;
  const size = x.size;
  switch (op.kind) {
    case "permute": {
      if (n === 0) return undefined;
      const axes = [...Array(n).keys()].sort((p, q) => op.keys[p]! - op.keys[q]! || p - q);
      // Negative axes are accepted too.
      const given = axes.map((a, k) => (op.keys[k]! % 2 === 0 ? a : a - n));
      return { x: x.permute(given), m: M.permute(m, axes), view: true, label: `permute(${given})` };
    }
    case "transpose": {
      return { x: x.transpose(), m: M.permute(m, [...Array(n).keys()].reverse()), view: true, label: "transpose()" };
    }
    case "swap": {
      if (n === 0) return undefined;
      const a = op.a % n;
      const b = op.b % n;
      const axes = [...Array(n).keys()];
      axes[a] = b;
      axes[b] = a;
      return { x: x.transpose(a, b), m: M.permute(m, axes), view: true, label: `transpose(${a}, ${b})` };
    }
    case "slice": {
      if (n === 0) return undefined;
      const axis = op.a % n;
      const len = x.shape[axis]!;
      const start = (op.b % (len + 5)) - 2 - (op.keys[0]! % 2 === 0 ? 0 : len);
      const stop = op.keys[1]! % 3 === 0 ? undefined : (op.c % (len + 5)) - 2;
      const step = 1 + (op.d % 3);
      return {
        x: x.slice(axis, start, stop, step),
        m: M.slice(m, axis, start, stop, step),
        view: true,
        label: `slice(${axis}, ${start}, ${stop}, ${step})`,
      };
    }
    case "select": {
      if (n === 0) return undefined;
      const axis = op.a % n;
      const len = x.shape[axis]!;
      if (len === 0) return undefined;
      const i = (op.b % (2 * len)) - len;
      return { x: x.select(axis, i), m: M.select(m, axis, i < 0 ? i + len : i), view: true, label: `select(${axis}, ${i})` };
    }
    case "diagonal": {
      const pairs: [number, number][] = [];
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b && x.shape[a] === x.shape[b]) pairs.push([a, b]);
      if (pairs.length === 0) return undefined;
      const [a, b] = pairs[op.a % pairs.length]!;
      return { x: x.diagonal(a, b), m: M.diagonal(m, a, b), view: true, label: `diagonal(${a}, ${b})` };
    }
    case "broadcast": {
      const lead = op.a % 3;
      const target = [
        ...Array.from({ length: lead }, (_, k) => op.keys[k]! % 4),
        ...x.shape.map((d, k) => (d === 1 ? op.keys[(k + 3) % 6]! % 4 : d)),
      ];
      if (target.reduce((p, q) => p * q, 1) > MAX_SIZE) return undefined;
      return { x: x.broadcastTo(target), m: M.broadcastTo(m, target), view: true, label: `broadcastTo([${target}])` };
    }
    case "expand": {
      const axis = (op.a % (2 * n + 2)) - (n + 1);
      const pos = axis < 0 ? axis + n + 1 : axis;
      return { x: x.expandDims(axis), m: M.expandDims(m, pos), view: true, label: `expandDims(${axis})` };
    }
    case "reshape": {
      const target = shapeWithSize(size, op.keys);
      // One entry may be -1 when it can be inferred.
      const given = size > 0 && op.b % 3 === 0 ? target.map((d, k) => (k === op.c % target.length ? -1 : d)) : target;
      const canView = M.canViewAs(x.shape, x.strides, x.offset, target);
      const y = x.reshape(given);
      expect(y.data === x.data, `reshape [${x.shape}] strides [${x.strides}] to [${target}] is a view iff possible`).toBe(canView);
      return { x: y, m: M.reshape(m, target), view: canView, label: `reshape([${given}])` };
    }
    case "contiguous": {
      const y = x.contiguous();
      expect(y.isContiguous).toBe(true);
      return { x: y, m, view: false, label: "contiguous()" };
    }
  }
}

describe("DenseTensor views equal the index-function model", () => {
  test("random chains of permute/transpose/slice/select/diagonal/broadcastTo/expandDims/reshape/contiguous", () => {
    fc.assert(
      fc.property(shapeArb, fc.array(opArb, { maxLength: 6 }), fc.boolean(), (shape, ops, f32) => {
        const size = shape.reduce((a, b) => a * b, 1);
        // Base values are the flat positions, so a view's value says which base element it reads.
        const positions = Array.from({ length: size }, (_, i) => i);
        const base = f32 ? fromData(Float32Array.from(positions), shape) : fromData(Float64Array.from(positions), shape);
        let x: DenseTensor = base;
        let m = M.fromFlat(positions, shape);
        let sharesBase = true;
        const trail: string[] = [];
        for (const op of ops) {
          const r = apply(x, m, op);
          if (!r) continue;
          trail.push(r.label);
          x = r.x;
          m = r.m;
          sharesBase &&= r.view;
          expect(x.shape, trail.join(".")).toEqual(m.shape);
          expect(x.toArray(), trail.join(".")).toEqual(M.toNested(m));
          if (sharesBase) expect(x.data, trail.join(".")).toBe(base.data);
          expect(x.dtype).toBe(base.dtype);
        }
        // A copy equals the view and is contiguous; the view writes through to the base.
        const c = x.clone();
        expect(c.isContiguous).toBe(true);
        expect(c.data).not.toBe(x.data);
        expect(Array.from(c.data)).toEqual(M.toFlat(m));
        expect(Array.from(x.toTypedArray())).toEqual(M.toFlat(m));
        if (sharesBase && x.size > 0) {
          const idx = M.unravel(x.size - 1, x.shape);
          const pos = m.at(idx);
          x.set(-1, ...idx);
          expect(base.data[pos]).toBe(-1);
        }
      }),
      { numRuns: 600 * Number(process.env.FC_SCALE ?? 1) },
    );
  });
});

describe("DenseTensor details", () => {
  const a = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  test("shape, strides, contiguity", () => {
    expect(a.shape).toEqual([2, 3]);
    expect(a.strides).toEqual([3, 1]);
    expect(a.isContiguous).toBe(true);
    expect(a.transpose().isContiguous).toBe(false);
    expect(a.transpose().strides).toEqual([1, 3]);
    expect(a.ndim).toBe(2);
    expect(a.size).toBe(6);
    expect(String(a)).toBe("DenseTensor<float64>[2, 3]");
    expect(Object.isFrozen(a.shape)).toBe(true);
  });

  test("contiguous() returns the tensor itself when it already is", () => {
    expect(a.contiguous()).toBe(a);
    const row = a.slice(0, 1);
    expect(row.contiguous()).toBe(row);
    const col = a.slice(1, 1, 2);
    expect(col.isContiguous).toBe(false);
    expect(col.contiguous()).not.toBe(col);
    expect(a.transpose().contiguous().toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  test("get/set with negative indices; out-of-range and wrong-arity indices throw", () => {
    expect(a.get(-1, -1)).toBe(6);
    expect(a.get(1, 0)).toBe(4);
    const b = a.clone();
    b.set(9, -2, 1);
    expect(b.get(0, 1)).toBe(9);
    expect(a.get(0, 1)).toBe(2);
    expect(() => a.get(2, 0)).toThrow(InvalidShapeError);
    expect(() => a.get(0, -4)).toThrow(/index -4 is out of range for axis 1 of size 3/);
    expect(() => a.get(0)).toThrow(/got 1 indices for a tensor with 2 axes/);
    expect(() => a.get(0.5, 0)).toThrow(InvalidShapeError);
  });

  test("rank-0 scalars", () => {
    const s = scalar(3.5);
    expect(s.ndim).toBe(0);
    expect(s.shape).toEqual([]);
    expect(s.size).toBe(1);
    expect(s.item()).toBe(3.5);
    expect(s.get()).toBe(3.5);
    expect(s.toArray()).toBe(3.5);
    expect(s.transpose().item()).toBe(3.5);
    expect(s.reshape([1, 1]).toArray()).toEqual([[3.5]]);
    expect(s.expandDims(0).shape).toEqual([1]);
    expect(s.broadcastTo([2, 2]).toArray()).toEqual([
      [3.5, 3.5],
      [3.5, 3.5],
    ]);
    expect(tensor(7).item()).toBe(7);
    expect(a.select(0, 1).select(0, 2).item()).toBe(6);
    expect(() => a.item()).toThrow(/item\(\) needs exactly one element/);
  });

  test("slice with a step, negative bounds and an empty result", () => {
    const v = tensor([0, 1, 2, 3, 4, 5, 6]);
    expect(v.slice(0, 1, undefined, 2).toArray()).toEqual([1, 3, 5]);
    expect(v.slice(0, -3).toArray()).toEqual([4, 5, 6]);
    expect(v.slice(0, 2, -2, 3).toArray()).toEqual([2]);
    expect(v.slice(0, 5, 2).toArray()).toEqual([]);
    expect(v.slice(0, 100).shape).toEqual([0]);
    expect(() => v.slice(0, 0, 3, 0)).toThrow(InvalidArgumentError);
    expect(() => v.slice(0, 0.5)).toThrow(InvalidArgumentError);
  });

  test("diagonal follows numpy: the two axes go, the diagonal comes last", () => {
    const t = fromData(
      Float64Array.from({ length: 18 }, (_, i) => i),
      [3, 2, 3],
    );
    // t[i, j, k] = 6i + 3j + k; the diagonal over (i, k) at fixed j is 7d + 3j.
    expect(t.diagonal(0, 2).toArray()).toEqual([
      [0, 7, 14],
      [3, 10, 17],
    ]);
    expect(() => t.diagonal(0, 1)).toThrow(/needs equal sizes, got 3 and 2/);
    expect(() => t.diagonal(1, 1)).toThrow(/two different axes/);
  });

  test("broadcastTo and expandDims", () => {
    const col = tensor([[1], [2]]);
    const b = col.broadcastTo([3, 2, 4]);
    expect(b.strides).toEqual([0, 1, 0]);
    expect(b.get(2, 1, 3)).toBe(2);
    expect(col.broadcastTo([2, 0]).shape).toEqual([2, 0]);
    expect(() => col.broadcastTo([3, 4])).toThrow(/shapes \[2, 1\] and \[3, 4\] cannot be broadcast together/);
    expect(() => col.broadcastTo([1])).toThrow(InvalidShapeError);
    expect(a.expandDims(-1).shape).toEqual([2, 3, 1]);
    expect(a.expandDims(1).toArray()).toEqual([[[1, 2, 3]], [[4, 5, 6]]]);
    expect(() => a.expandDims(4)).toThrow(InvalidShapeError);
  });

  test("reshape: -1 inference, views when possible, errors otherwise", () => {
    expect(a.reshape([-1]).toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.reshape([3, -1]).shape).toEqual([3, 2]);
    expect(a.reshape([3, 2]).data).toBe(a.data);
    expect(a.transpose().reshape([6]).data).not.toBe(a.data);
    expect(a.transpose().reshape([6]).toArray()).toEqual([1, 4, 2, 5, 3, 6]);
    // Splitting an axis of a transposed view is still a view.
    expect(a.transpose().reshape([3, 2, 1]).data).toBe(a.data);
    expect(zeros([0, 3]).reshape([3, -1, 5]).shape).toEqual([3, 0, 5]);
    expect(() => a.reshape([-1, -1])).toThrow(/more than one -1/);
    expect(() => a.reshape([4, -1])).toThrow(/cannot reshape \[2, 3\] \(6 elements\) to \[4, -1\]/);
    expect(() => a.reshape([2.5, 2])).toThrow(InvalidShapeError);
  });

  test("permute validates its argument", () => {
    expect(() => a.permute([0])).toThrow(/has 1 entries for a tensor with 2 axes/);
    expect(() => a.permute([1, 1])).toThrow(/repeats axis 1/);
    expect(() => a.permute([0, 2])).toThrow(/axis 2 is out of range/);
  });

  test("the constructor refuses views outside the data and bad strides/offsets", () => {
    const d = new Float64Array(6);
    expect(() => new DenseTensor(d, [2, 3], [3, 2])).toThrow(/reaches element 7, but the data has 6/);
    expect(() => new DenseTensor(d, [2], [-1])).toThrow(/not a non-negative integer/);
    expect(() => new DenseTensor(d, [2, 3], [3])).toThrow(/do not match shape/);
    expect(() => new DenseTensor(d, [2], [1], -1)).toThrow(InvalidShapeError);
    expect(() => new DenseTensor(d, [2], [1], 0.5)).toThrow(InvalidShapeError);
    expect(new DenseTensor(d, [0, 3], [100, 100], 50).size).toBe(0);
  });

  test("astype converts and copies, keeping the tensor when nothing changes", () => {
    const f = a.astype("float32");
    expect(f.dtype).toBe("float32");
    expect(f.data).toBeInstanceOf(Float32Array);
    expect(f.toArray()).toEqual(a.toArray());
    expect(a.astype("float64")).toBe(a);
    expect(tensor([0.1]).astype("float32").get(0)).toBe(Math.fround(0.1));
    expect(a.transpose().astype("float64").isContiguous).toBe(true);
  });
});

describe("nested-array conversion", () => {
  /** Nested arrays of a fixed shape. */
  const nestedArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }).chain((shape) => {
    const size = shape.reduce((p, q) => p * q, 1);
    return fc
      .array(fc.double({ noNaN: true }), { minLength: size, maxLength: size })
      .map((values) => ({ shape, values, nested: M.toNested(M.fromFlat(values, shape)) as NestedArray }));
  });

  test("tensor(nested).toArray() is the identity and the shape is inferred", () => {
    fc.assert(
      fc.property(nestedArb, ({ shape, values, nested }) => {
        const t = tensor(nested);
        // An empty axis hides the sizes after it.
        const visible = shape.indexOf(0) < 0 ? shape : shape.slice(0, shape.indexOf(0) + 1);
        expect(t.shape).toEqual(visible);
        expect(t.toArray()).toEqual(nested);
        if (visible.length === shape.length) expect(Array.from(t.toTypedArray())).toEqual(values);
      }),
      { numRuns: 300 },
    );
  });

  test("float32 tensors round values", () => {
    expect(tensor([0.1, 0.2], { dtype: "float32" }).toArray()).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  test("ragged and non-numeric input is refused", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(InvalidShapeError);
    expect(() => tensor([[1, 2], 3] as unknown as NestedArray)).toThrow(/ragged nested array: \[1\] should be an array of length 2/);
    expect(() => tensor([1, [2]] as unknown as NestedArray)).toThrow(/element \[1\] is not a number/);
    expect(() => tensor(["a"] as unknown as NestedArray)).toThrow(/element \[0\] is not a number/);
  });
});
