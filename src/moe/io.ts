/**
 * μMoE weights in the format of the official PyTorch code: a `.safetensors` file with the module's
 * `state_dict()` under its exact keys and the constructor arguments as JSON in the metadata
 * (`__metadata__.config` → `constructor_args`; the format is described in docs/guides/mumoe.md#weight-files).
 * @module
 */
import { ConfigError, FileFormatError } from "../errors.js";
import { readFileBytes, writeFileBytes } from "../io/files.js";
import { readSafetensors, writeSafetensors, type SafetensorsFile, type SafetensorsWriteEntry } from "../io/safetensors.js";
import type { DenseTensor } from "../tensor/dense.js";
import { scalar } from "../tensor/create.js";
import type { GateActivation, MuMoEConfig, TRRanks } from "./config.js";
import {
  checkLayerOptions,
  expectedShapes,
  MUMOE_LAYER_OPTION_KEYS,
  MuMoELayer,
  resolveMuMoEConfig,
  type MuMoELayerOptions,
  type MuMoEWeights,
} from "./mumoe.js";

/** The constructor arguments of the official `MuMoE` wrapper, as stored in the metadata. @category μMoE */
export interface OfficialConstructorArgs {
  readonly MuMoE_layer: "CPMuMoE" | "TRMuMoE";
  readonly input_dim: number;
  readonly output_dim: number;
  readonly expert_dims: readonly number[];
  readonly ranks: number | readonly (readonly (number | null)[])[];
  readonly second_dim?: number;
  readonly normalization?: string;
  readonly act?: string;
  readonly use_bias?: boolean;
  readonly hierarchy?: number;
  readonly apply_ln?: boolean;
}

/** Converts the official constructor arguments to a {@link MuMoEConfig}. @throws {@link ConfigError} for unknown options. @category μMoE */
export function configFromOfficial(args: OfficialConstructorArgs): MuMoEConfig {
  const kind = args.MuMoE_layer === "CPMuMoE" ? "cp" : args.MuMoE_layer === "TRMuMoE" ? "tr" : undefined;
  if (!kind) throw new ConfigError(`unknown MuMoE_layer '${String(args.MuMoE_layer)}'`, "use CPMuMoE or TRMuMoE");
  const actText = args.act ?? "entmax15";
  const act: GateActivation | undefined = /entmax15/.test(actText)
    ? "entmax15"
    : /sparsemax/.test(actText)
      ? "sparsemax"
      : /softmax/.test(actText)
        ? "softmax"
        : undefined;
  if (!act) throw new ConfigError(`unknown gate activation '${actText}'`, "the layer supports entmax15, softmax and sparsemax");
  const normalization = args.normalization ?? "bn";
  if (normalization !== "bn" && normalization !== "ln")
    throw new ConfigError(`unknown normalization '${normalization}'`, "use 'bn' or 'ln' (the official wrapper handles only these)");
  if (args.hierarchy !== undefined && args.hierarchy !== args.expert_dims.length) {
    throw new ConfigError(
      `hierarchy ${args.hierarchy} does not match ${args.expert_dims.length} expert_dims`,
      "give one expert_dims entry per hierarchy level",
    );
  }
  let ranks: number | TRRanks;
  if (kind === "cp") {
    if (typeof args.ranks !== "number") throw new ConfigError("a CPMuMoE layer needs an integer rank", "store ranks as a number");
    ranks = args.ranks;
  } else {
    if (!Array.isArray(args.ranks)) throw new ConfigError("a TRMuMoE layer needs rank triples", "store ranks as [[r1, null, r2], …]");
    ranks = args.ranks.map((t, k) => {
      if (!Array.isArray(t) || t.length !== 3 || typeof t[0] !== "number" || typeof t[2] !== "number") {
        throw new ConfigError(`TR rank triple ${k} is ${JSON.stringify(t)}`, "each triple is [r_left, mode size or null, r_right]");
      }
      return [t[0], null, t[2]] as const;
    });
  }
  return {
    kind,
    inputDim: args.input_dim,
    outputDim: args.output_dim,
    expertDims: [...args.expert_dims],
    ranks,
    secondDim: args.second_dim ?? 0,
    normalization,
    act,
    useBias: args.use_bias ?? true,
    applyLn: args.apply_ln ?? false,
  };
}

/** The official constructor arguments of a configuration. @category μMoE */
export function officialFromConfig(config: MuMoEConfig): OfficialConstructorArgs {
  const c = resolveMuMoEConfig(config);
  return {
    MuMoE_layer: c.kind === "cp" ? "CPMuMoE" : "TRMuMoE",
    input_dim: c.inputDim,
    output_dim: c.outputDim,
    expert_dims: [...c.expertDims],
    ranks: typeof c.ranks === "number" ? c.ranks : c.ranks.map((t) => [t[0], null, t[2]]),
    second_dim: c.secondDim,
    normalization: c.normalization,
    act: c.act,
    use_bias: c.useBias,
    hierarchy: c.expertDims.length,
    apply_ln: c.applyLn,
  };
}

/** Options of {@link loadMuMoE}. @category μMoE */
export interface LoadMuMoEOptions extends MuMoELayerOptions {
  /** The configuration, when the file has no `__metadata__.config` (or to override it). */
  readonly config?: MuMoEConfig;
}

/**
 * Builds a layer from weights saved by the official PyTorch code (or by {@link saveMuMoE}).
 * @param source - the file's bytes (or, in Node, its path).
 * @throws {@link ConfigError} naming a missing key, a wrong shape or an unknown option.
 * @throws {@link FileFormatError} for a file that is not valid safetensors.
 * @category μMoE
 */
export async function loadMuMoE(source: Uint8Array | string, options: LoadMuMoEOptions = {}): Promise<MuMoELayer> {
  const name = typeof source === "string" ? source : "<safetensors>";
  const bytes = typeof source === "string" ? await readFileBytes(source) : source;
  return muMoEFromSafetensors(readSafetensors(bytes, name), name, options);
}

/** The synchronous core of {@link loadMuMoE}, for an already decoded file. @category μMoE */
export function muMoEFromSafetensors(file: SafetensorsFile, name: string, options: LoadMuMoEOptions = {}): MuMoELayer {
  checkLayerOptions(options, ["config", ...MUMOE_LAYER_OPTION_KEYS], "loadMuMoE options");
  const config = options.config ?? configFromMetadata(file, name);
  const c = resolveMuMoEConfig(config);
  const shapes = expectedShapes(c);
  const get = (key: string): DenseTensor => {
    const t = file.tensors.get(key);
    const shape = shapes.get(key)!;
    if (!t)
      throw new ConfigError(
        `${name}: weight '${key}' is missing (expected shape [${shape.join(", ")}])`,
        "save the full state_dict of the module, or fix the configuration",
      );
    return t;
  };
  const E = c.expertDims.length;
  const factors = (prefix: string): DenseTensor[] => [...Array(E + 2).keys()].map((k) => get(`${prefix}.factors.${k}`));
  const weights: MuMoEWeights = {
    projs: c.expertDims.map((_, l) => get(`projs.${l}`)),
    layer1: factors("MuMoE"),
    ...(c.secondDim > 0 ? { layer2: factors("MuMoE2") } : {}),
    ...(c.normalization === "bn"
      ? { bn: c.expertDims.map((_, l) => ({ runningMean: get(`bn.${l}.running_mean`), runningVar: get(`bn.${l}.running_var`) })) }
      : {}),
    ...(c.applyLn ? { inputLn: { weight: get("input_ln.weight"), bias: get("input_ln.bias") } } : {}),
  };
  // State-dict keys the configuration does not expect mean the file is for another layer.
  for (const key of file.tensors.keys()) {
    const isState = /^(MuMoE2?\.|projs\.|bn\.|input_ln\.)/.test(key);
    if (isState && !shapes.has(key) && !/^bn\.\d+\.num_batches_tracked$/.test(key)) {
      throw new ConfigError(
        `${name}: unexpected weight '${key}' for this configuration`,
        "check hierarchy, secondDim, applyLn and normalization against the file",
      );
    }
  }
  return new MuMoELayer(c, weights, {
    ...(options.optimize !== undefined ? { optimize: options.optimize } : {}),
    ...(options.topK !== undefined ? { topK: options.topK } : {}),
  });
}

function configFromMetadata(file: SafetensorsFile, name: string): MuMoEConfig {
  const raw = file.metadata["config"];
  if (raw === undefined)
    throw new ConfigError(`${name} has no __metadata__.config`, "pass { config } to loadMuMoE, or save the file with saveMuMoE");
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new FileFormatError(name, "__metadata__.config is not valid JSON");
  }
  const args = (parsed as { constructor_args?: unknown }).constructor_args;
  if (typeof args !== "object" || args === null)
    throw new ConfigError(
      `${name}: __metadata__.config has no constructor_args`,
      "store the MuMoE constructor arguments under config.constructor_args",
    );
  return configFromOfficial(args as OfficialConstructorArgs);
}

/**
 * Writes a layer in the official format: the state_dict under its PyTorch keys (BatchNorm
 * `num_batches_tracked` as I64), and the constructor arguments in `__metadata__.config`.
 * @param extra - further tensors to store (e.g. an `input` and its `output`).
 * @category μMoE
 */
export function saveMuMoE(layer: MuMoELayer, extra: Readonly<Record<string, DenseTensor>> = {}): Uint8Array {
  const tensors: Record<string, DenseTensor | SafetensorsWriteEntry> = { ...extra };
  for (const [k, t] of layer.namedParameters()) tensors[k] = t;
  for (const [k, t] of layer.namedBuffers()) tensors[k] = t;
  layer.config.expertDims.forEach((_, l) => {
    if (layer.config.normalization === "bn") tensors[`bn.${l}.num_batches_tracked`] = { tensor: scalar(0), dtype: "I64" };
  });
  const config = { constructor_args: officialFromConfig(layer.config), writer: "multilinear" };
  return writeSafetensors(tensors, { format: "mumoe-reference/v1", config: JSON.stringify(config), dtype: layer.dtype });
}

/** Saves a layer to a file (Node only). @category μMoE */
export async function saveMuMoEFile(path: string, layer: MuMoELayer, extra: Readonly<Record<string, DenseTensor>> = {}): Promise<void> {
  await writeFileBytes(path, saveMuMoE(layer, extra));
}
