/**
 * Factories for dense tensors.
 * @module
 */
import { InvalidArgumentError, InvalidShapeError } from "../errors.js";
import { DenseTensor, type NestedArray } from "./dense.js";
import { allocate, type DType, type FloatArray } from "./dtype.js";
import { checkOptionKeys, describeValue } from "../option-keys.js";
import { randomSeed, Rng } from "./random.js";
import { shapeSize, validateShape } from "./shape.js";

/** Options of the factories. @category Tensor */
export interface CreateOptions<D extends DType = DType> {
  /** Element type; `float64` unless stated. */
  readonly dtype?: D;
}

/** Options of the random factories. @category Tensor */
export interface RandomOptions<D extends DType = DType> extends CreateOptions<D> {
  /**
   * Seed of the generator: the same seed gives the same numbers on every platform. The factories
   * take it as optional: without one they draw a fresh seed (different numbers every call, as numpy).
   */
  readonly seed: number;
}

/** Deepest nesting {@link tensor} accepts (numpy's maximum number of axes). */
const MAX_NESTING = 64;

/** Checks an options object of the factories and returns its dtype (float64 when unset). */
function createDType(options: unknown, keys: readonly string[], where: string): DType {
  checkOptionKeys(options, keys, where);
  const dtype = (options as CreateOptions | undefined)?.dtype ?? "float64";
  if (dtype !== "float32" && dtype !== "float64")
    throw new InvalidArgumentError(
      `dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`,
      "pass dtype: 'float64' (the default) or 'float32'",
    );
  return dtype;
}

/**
 * A tensor from nested arrays (or a single number for a rank-0 tensor).
 * @throws {@link InvalidShapeError} for ragged arrays or non-numbers.
 * @example
 * ```ts
 * import { tensor } from "multilinear";
 * tensor([[1, 2], [3, 4]]).shape; // => [2, 2]
 * tensor(7).ndim; // => 0
 * ```
 * @category Tensor
 */
export function tensor<D extends DType = "float64">(values: NestedArray, options: CreateOptions<D> = {}): DenseTensor<D> {
  const dtype = createDType(options, ["dtype"], "tensor options") as D;
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    // Also stops an array that contains itself, which would otherwise nest forever.
    if (shape.length === MAX_NESTING)
      throw new InvalidShapeError(`nested arrays deeper than ${MAX_NESTING} levels`, `use at most ${MAX_NESTING} axes (numpy's limit too)`);
    shape.push(v.length);
    if (v.length === 0) break;
    v = (v as readonly NestedArray[])[0]!;
  }
  validateShape(shape);
  const out = allocate(dtype, shapeSize(shape));
  let pos = 0;
  const walk = (x: NestedArray, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (typeof x !== "number")
        throw new InvalidShapeError(`element ${path || "[]"} is not a number`, "nest arrays of numbers with equal lengths at each level");
      out[pos++] = x;
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[axis]) {
      throw new InvalidShapeError(
        `ragged nested array: ${path || "the top level"} should be an array of length ${shape[axis]}`,
        "nest arrays of numbers with equal lengths at each level",
      );
    }
    for (let i = 0; i < x.length; i++) walk((x as readonly NestedArray[])[i]!, axis + 1, `${path}[${i}]`);
  };
  walk(values, 0, "");
  return new DenseTensor(out, shape);
}

/**
 * Wraps a typed array (no copy) as a contiguous tensor of `shape`; the dtype follows the array.
 * @throws {@link InvalidShapeError} when the length does not equal the product of `shape`.
 * @category Tensor
 */
export function fromData<A extends FloatArray>(
  data: A,
  shape: readonly number[],
): DenseTensor<A extends Float32Array ? "float32" : "float64"> {
  validateShape(shape);
  if (data.length !== shapeSize(shape)) {
    throw new InvalidShapeError(
      `data has ${data.length} elements but shape [${shape.join(", ")}] needs ${shapeSize(shape)}`,
      "pass exactly product(shape) elements",
    );
  }
  return new DenseTensor(data as never, shape) as never;
}

/** A tensor filled with `value`. @category Tensor */
export function full<D extends DType = "float64">(shape: readonly number[], value: number, options: CreateOptions<D> = {}): DenseTensor<D> {
  validateShape(shape);
  if (typeof value !== "number")
    throw new InvalidArgumentError(`the fill value must be a number, got ${describeValue(value)}`, "pass a number, e.g. full([2, 3], 1.5)");
  const data = allocate(createDType(options, ["dtype"], "options") as D, shapeSize(shape));
  if (!Object.is(value, 0)) data.fill(value);
  return new DenseTensor(data, shape);
}

/** A tensor of zeros. @category Tensor */
export function zeros<D extends DType = "float64">(shape: readonly number[], options: CreateOptions<D> = {}): DenseTensor<D> {
  return full(shape, 0, options);
}

/** A tensor of ones. @category Tensor */
export function ones<D extends DType = "float64">(shape: readonly number[], options: CreateOptions<D> = {}): DenseTensor<D> {
  return full(shape, 1, options);
}

/** A rank-0 tensor holding `value`. @category Tensor */
export function scalar<D extends DType = "float64">(value: number, options: CreateOptions<D> = {}): DenseTensor<D> {
  return full([], value, options);
}

/** An identity matrix of size n×n. @category Tensor */
export function eye<D extends DType = "float64">(n: number, options: CreateOptions<D> = {}): DenseTensor<D> {
  const t = zeros([n, n], options);
  for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
  return t;
}

/** `0, 1, …, n-1` as a 1-D tensor. @category Tensor */
export function arange<D extends DType = "float64">(n: number, options: CreateOptions<D> = {}): DenseTensor<D> {
  const t = zeros([n], options);
  for (let i = 0; i < n; i++) t.data[i] = i;
  return t;
}

/**
 * Standard normal samples from a seeded generator.
 * @example
 * ```ts
 * import { randn } from "multilinear";
 * randn([2, 3], { seed: 1 }).get(0, 0) === randn([2, 3], { seed: 1 }).get(0, 0); // => true
 * randn([2, 3]).shape; // => [2, 3]
 * ```
 * @category Tensor
 */
export function randn<D extends DType = "float64">(shape: readonly number[], options: Partial<RandomOptions<D>> = {}): DenseTensor<D> {
  return fillRandom(shape, options, ["seed", "dtype"], "randn options", (r) => r.normal());
}

/** Uniform samples in `[low, high)` from a seeded generator. @category Tensor */
export function rand<D extends DType = "float64">(
  shape: readonly number[],
  options: Partial<RandomOptions<D>> & { readonly low?: number; readonly high?: number } = {},
): DenseTensor<D> {
  checkOptionKeys(options, ["seed", "dtype", "low", "high"], "rand options");
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    throw new InvalidArgumentError(`uniform range [${low}, ${high}) is not finite`, "pass finite bounds low < high");
  }
  if (!(high > low)) throw new InvalidArgumentError(`uniform range [${low}, ${high}) is empty`, "pass low < high");
  return fillRandom(shape, options, ["seed", "dtype", "low", "high"], "rand options", (r) => low + (high - low) * r.uniform());
}

function fillRandom<D extends DType>(
  shape: readonly number[],
  options: Partial<RandomOptions<D>>,
  keys: readonly string[],
  where: string,
  draw: (r: Rng) => number,
): DenseTensor<D> {
  validateShape(shape);
  const dtype = createDType(options, keys, where) as D;
  const seed = options.seed ?? randomSeed();
  if (typeof seed !== "number")
    throw new InvalidArgumentError(
      `seed must be a number, got ${describeValue(seed)}`,
      "pass an integer seed, or omit it for a random one",
    );
  const rng = new Rng(seed);
  const data = allocate(dtype, shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return new DenseTensor(data, shape);
}
