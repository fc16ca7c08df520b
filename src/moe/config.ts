/**
 * Configuration of a μMoE layer, mirroring the constructor of the official PyTorch wrapper
 * `MuMoE(MuMoE_layer, input_dim, output_dim, expert_dims, ranks, second_dim, normalization, act,
 * use_bias, hierarchy, apply_ln)` (see docs/guides/mumoe-reference.md#gating).
 * @module
 */

/** The factorization of the expert weight tensor. @category μMoE */
export type MuMoEKind = "cp" | "tr";

/** Gate normalisation: BatchNorm1d (eval mode, running statistics) or LayerNorm across experts. @category μMoE */
export type GateNormalization = "bn" | "ln";

/** Gate activation. @category μMoE */
export type GateActivation = "entmax15" | "softmax" | "sparsemax";

/**
 * TR ranks in the official code's form: one triple per core `[r_left, ·, r_right]`; the middle
 * entry is ignored (overwritten by the mode size), so it may be `null`. Cores are ordered expert
 * levels…, input, output, and consecutive triples must chain (`r_right` of one = `r_left` of the next, cyclically).
 * @category μMoE
 */
export type TRRanks = readonly (readonly [number, number | null, number])[];

/** A μMoE layer's configuration. @category μMoE */
export interface MuMoEConfig {
  /** `cp` (CPMuMoE) or `tr` (TRMuMoE). */
  readonly kind: MuMoEKind;
  /** Input features `I`. */
  readonly inputDim: number;
  /** Output features `O` of the first layer. */
  readonly outputDim: number;
  /** Experts per level, e.g. `[512]` or `[16, 32]` (hierarchy = length; the official code supports 1 or 2). */
  readonly expertDims: readonly number[];
  /** CP rank `R`, or TR rank triples. */
  readonly ranks: number | TRRanks;
  /** When > 0, a second layer `O → secondDim` after GELU, sharing the gates (default 0). */
  readonly secondDim?: number;
  /** Gate normalisation (default `bn`). */
  readonly normalization?: GateNormalization;
  /** Gate activation (default `entmax15`). */
  readonly act?: GateActivation;
  /** Fold a bias into the input mode (input augmented with a constant 1; default true). */
  readonly useBias?: boolean;
  /** LayerNorm with affine parameters on the layer input, after gating (default false). */
  readonly applyLn?: boolean;
}

/** A configuration with every default filled in. @category μMoE */
export interface ResolvedMuMoEConfig extends MuMoEConfig {
  readonly secondDim: number;
  readonly normalization: GateNormalization;
  readonly act: GateActivation;
  readonly useBias: boolean;
  readonly applyLn: boolean;
}
