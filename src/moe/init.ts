/**
 * Fresh μMoE weights: the official initialisation (docs/guides/mumoe-reference.md#cp-init, #tr-init; zero gating projections), or a perturbed one whose
 * gates and experts are all non-trivial (for tests and demos).
 * @module
 */
import { DenseTensor } from "../tensor/dense.js";
import { allocate, type DType } from "../tensor/dtype.js";
import { InvalidArgumentError } from "../errors.js";
import { describeValue } from "../option-keys.js";
import { randomSeed, Rng } from "../tensor/random.js";
import { shapeSize } from "../tensor/shape.js";
import type { MuMoEConfig } from "./config.js";
import {
  checkLayerOptions,
  expectedShapes,
  MUMOE_LAYER_OPTION_KEYS,
  MuMoELayer,
  resolveMuMoEConfig,
  type MuMoELayerOptions,
  type MuMoEWeights,
} from "./mumoe.js";

/** Options of {@link createMuMoE}. @category μMoE */
export interface CreateMuMoEOptions extends MuMoELayerOptions {
  /** Seed of the generator (same seed → same weights everywhere); omitted: a fresh random seed, as PyTorch. */
  readonly seed?: number;
  /** Element type (default float64). */
  readonly dtype?: DType;
  /**
   * `official` (default): the PyTorch code's initialisation — zero gating projections (uniform gates),
   * identity-like expert factors. `random`: the official one perturbed as the reference fixtures were
   * (projections N(0,1)·3/√I, extra CP expert factors +0.25·N(0,1), TR expert cores +0.3·N(0,1), input
   * LayerNorm 1+0.2·N / 0.2·N, BatchNorm statistics drawn), so every expert and gate matters.
   */
  readonly init?: "official" | "random";
}

/**
 * A μMoE layer with freshly initialised weights.
 * @example
 * ```ts
 * import { createMuMoE, randn } from "multilinear";
 * const layer = createMuMoE({ kind: "cp", inputDim: 4, outputDim: 8, expertDims: [16], ranks: 16 }, { seed: 0 });
 * layer.parameterCount(); // => 528n
 * layer.forward(randn([2, 4], { seed: 1 })).shape; // => [2, 1, 8]
 * createMuMoE({ kind: "tr", inputDim: 4, outputDim: 8, expertDims: [16], ranks: [[4, null, 4], [4, null, 4], [4, null, 4]] }).kind; // => "tr"
 * ```
 * @category μMoE
 */
export function createMuMoE(config: MuMoEConfig, options: CreateMuMoEOptions = {}): MuMoELayer {
  const c = resolveMuMoEConfig(config);
  checkLayerOptions(options, ["seed", "dtype", "init", ...MUMOE_LAYER_OPTION_KEYS], "createMuMoE options");
  const dtype = options.dtype ?? "float64";
  if (dtype !== "float32" && dtype !== "float64")
    throw new InvalidArgumentError(
      `dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`,
      "pass dtype: 'float64' (the default) or 'float32'",
    );
  if (options.init !== undefined && options.init !== "official" && options.init !== "random") {
    throw new InvalidArgumentError(
      `init must be 'official' or 'random', got ${describeValue(options.init)}`,
      "omit init for the official initialisation, or pass init: 'random'",
    );
  }
  const rng = new Rng(options.seed ?? randomSeed());
  const random = options.init === "random";
  const shapes = expectedShapes(c);
  const make = (key: string, fill: (i: number, shape: number[]) => number): DenseTensor => {
    const shape = shapes.get(key)!;
    const data = allocate(dtype, shapeSize(shape));
    for (let i = 0; i < data.length; i++) data[i] = fill(i, shape);
    return new DenseTensor(data, shape);
  };
  const uniform = (bound: number) => (): number => (2 * rng.uniform() - 1) * bound;
  const E = c.expertDims.length;
  const layer = (prefix: string, inDim: number): DenseTensor[] => {
    const out: DenseTensor[] = [];
    for (let k = 0; k < E + 2; k++) {
      const key = `${prefix}.factors.${k}`;
      const shape = shapes.get(key)!;
      if (c.kind === "cp") {
        const R = shape[1]!;
        if (k === 0) out.push(make(key, () => rng.normal() + 1));
        else if (k < E) out.push(make(key, () => 1 + (random ? 0.25 * rng.normal() : 0)));
        else if (k === E) out.push(make(key, uniform(Math.sqrt(1 / inDim))));
        else out.push(make(key, uniform(Math.sqrt(1 / R))));
      } else {
        const [ra, n, rb] = shape as [number, number, number];
        if (k < E) {
          const sigma = k === 0 ? 1 : 0;
          // Each expert slice is eye(ra, rb) ⊙ (randn·σ + 1); perturbed everywhere in `random` mode.
          out.push(
            make(key, (i) => {
              const a = Math.floor(i / (n * rb));
              const b = i % rb;
              const diag = a === b ? rng.normal() * sigma + 1 : 0;
              return diag + (random ? 0.3 * rng.normal() : 0);
            }),
          );
        } else if (k === E) out.push(make(key, uniform(Math.sqrt(1 / inDim))));
        else out.push(make(key, uniform(Math.sqrt(1 / (ra * rb)))));
      }
    }
    return out;
  };
  const layer1 = layer("MuMoE", c.inputDim);
  const layer2 = c.secondDim > 0 ? layer("MuMoE2", c.outputDim) : undefined;
  const projs = c.expertDims.map((_, l) => make(`projs.${l}`, () => (random ? (rng.normal() * 3) / Math.sqrt(c.inputDim) : 0)));
  const weights: MuMoEWeights = {
    projs,
    layer1,
    ...(layer2 ? { layer2 } : {}),
    ...(c.normalization === "bn"
      ? {
          bn: c.expertDims.map((_, l) => ({
            runningMean: make(`bn.${l}.running_mean`, () => (random ? 0.1 * rng.normal() : 0)),
            runningVar: make(`bn.${l}.running_var`, () => (random ? 0.5 + rng.uniform() : 1)),
          })),
        }
      : {}),
    ...(c.applyLn
      ? {
          inputLn: {
            weight: make("input_ln.weight", () => 1 + (random ? 0.2 * rng.normal() : 0)),
            bias: make("input_ln.bias", () => (random ? 0.2 * rng.normal() : 0)),
          },
        }
      : {}),
  };
  return new MuMoELayer(c, weights, {
    ...(options.optimize !== undefined ? { optimize: options.optimize } : {}),
    ...(options.topK !== undefined ? { topK: options.topK } : {}),
  });
}
