/**
 * Factories and shape arithmetic.
 */
import { describe, expect, test } from "vitest";
import {
  InvalidArgumentError,
  InvalidShapeError,
  MAX_ELEMENTS,
  arange,
  broadcastShapes,
  eye,
  fromData,
  full,
  itemSize,
  ones,
  parseDType,
  rand,
  scalar,
  shapeSize,
  zeros,
} from "../../src/index.js";

describe("factories", () => {
  test("zeros, ones, full, scalar, eye, arange", () => {
    expect(zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(ones([3], { dtype: "float32" }).toArray()).toEqual([1, 1, 1]);
    expect(ones([3], { dtype: "float32" }).dtype).toBe("float32");
    expect(full([2], 2.5).toArray()).toEqual([2.5, 2.5]);
    expect(full([1], Number.NaN).get(0)).toBeNaN();
    expect(Object.is(full([1], -0).get(0), -0)).toBe(true);
    expect(scalar(4).shape).toEqual([]);
    expect(eye(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(eye(0).shape).toEqual([0, 0]);
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(zeros([0, 5]).size).toBe(0);
  });

  test("fromData wraps without copying and checks the length", () => {
    const d = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = fromData(d, [2, 3]);
    expect(t.data).toBe(d);
    expect(t.dtype).toBe("float32");
    expect(() => fromData(d, [4, 2])).toThrow(/data has 6 elements but shape \[4, 2\] needs 8/);
  });

  test("invalid shapes and ranges", () => {
    expect(() => zeros([2, -1])).toThrow(InvalidShapeError);
    expect(() => zeros([1.5])).toThrow(InvalidShapeError);
    expect(() => zeros([Number.NaN])).toThrow(InvalidShapeError);
    expect(() => eye(-1)).toThrow(InvalidShapeError);
    expect(() => rand([2], { seed: 1, low: 2, high: 1 })).toThrow(InvalidArgumentError);
    expect(() => rand([2], { seed: 1, low: 0, high: Number.POSITIVE_INFINITY })).toThrow(InvalidArgumentError);
    expect(() => rand([2], { seed: 1, low: Number.NaN })).toThrow(InvalidArgumentError);
  });
});

describe("shape helpers and dtypes", () => {
  test("shapeSize and broadcastShapes", () => {
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 0, 3])).toBe(0);
    expect(broadcastShapes([2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes([], [3])).toEqual([3]);
    expect(broadcastShapes([1], [0])).toEqual([0]);
    expect(() => broadcastShapes([2], [3])).toThrow(/axis 0: 2 vs 3/);
  });

  test("a shape beyond one array's capacity is refused before allocating", () => {
    expect(() => zeros([MAX_ELEMENTS + 1])).toThrow(/more than one tensor can hold/);
    expect(() => zeros([2 ** 40, 2 ** 40, 0])).not.toThrow();
  });

  test("dtypes", () => {
    expect(itemSize("float32")).toBe(4);
    expect(itemSize("float64")).toBe(8);
    expect(parseDType("f32")).toBe("float32");
    expect(parseDType("float64")).toBe("float64");
    expect(() => parseDType("float16")).toThrow(/unknown dtype 'float16'/);
  });
});
