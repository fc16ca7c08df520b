/**
 * The factorized expert tensor of one μMoE layer (CP or tensor ring) and its contraction with gates
 * and inputs. The forward pass is one einsum problem planned by the path optimizer; the
 * `N_1×…×N_E×Ĩ×O` tensor is never formed (except by {@link FactorizedExperts.toDense}).
 * @module
 */
import { ConfigError, InvalidArgumentError } from "../errors.js";
import type { Backend, BackendTensor } from "../tensor/backends/backend.js";
import type { DenseTensor } from "../tensor/dense.js";
import type { DType } from "../tensor/dtype.js";
import { defaultBackend, einsum, planProblem, type OptimizeSpec } from "../tensor/api/einsum.js";
import { getSymbol, type Label } from "../tensor/einsum/labels.js";
import { makeProblem, type EinsumProblem } from "../tensor/einsum/problem.js";
import { executePlan } from "../tensor/plan/execute.js";
import { optimizerNames } from "../tensor/paths/registry.js";
import type { ContractionPlan } from "../tensor/plan/plan.js";
import type { MuMoEKind } from "./config.js";

/**
 * The factors of one layer in the official order (expert levels…, input, output). CP factors are
 * `mode × R`; TR cores are `R_k × mode × R_{k+1}` with the last core closing the ring.
 * @category μMoE
 */
export class FactorizedExperts {
  /** Plans per number of tokens, built on first use. */
  private readonly plans = new Map<number, ContractionPlan>();

  /**
   * @param kind - `cp` or `tr`.
   * @param factors - the factors/cores, expert levels first, then input (Ĩ rows), then output.
   * @param optimize - path optimizer for the forward contraction (default: `auto` when registered, else `greedy`).
   */
  constructor(
    readonly kind: MuMoEKind,
    readonly factors: readonly DenseTensor[],
    readonly optimize?: OptimizeSpec,
  ) {
    if (factors.length < 3)
      throw new ConfigError(
        `a μMoE layer needs at least 3 factors, got ${factors.length}`,
        "pass expert factors, the input factor and the output factor",
      );
    const dt = factors[0]!.dtype;
    factors.forEach((f, k) => {
      const want = kind === "cp" ? 2 : 3;
      if (f.ndim !== want)
        throw new ConfigError(
          `factor ${k} has ${f.ndim} axes; a ${kind.toUpperCase()} factor needs ${want}`,
          kind === "cp" ? "CP factors are (mode size, rank)" : "TR cores are (r_left, mode size, r_right)",
        );
      if (f.dtype !== dt) throw new ConfigError(`factor ${k} is ${f.dtype} but factor 0 is ${dt}`, "give all factors one dtype");
    });
    if (kind === "cp") {
      const r = factors[0]!.shape[1]!;
      factors.forEach((f, k) => {
        if (f.shape[1] !== r)
          throw new ConfigError(
            `CP factor ${k} has rank ${f.shape[1]} but factor 0 has rank ${r}`,
            "give every CP factor the same number of columns",
          );
      });
    } else {
      factors.forEach((f, k) => {
        const next = factors[(k + 1) % factors.length]!;
        if (f.shape[2] !== next.shape[0]) {
          throw new ConfigError(
            `TR core ${k} ends with rank ${f.shape[2]} but core ${(k + 1) % factors.length} starts with ${next.shape[0]}`,
            "consecutive TR cores must share their rank (the ring closes at the first core)",
          );
        }
      });
    }
  }

  /** Element type of the factors. */
  get dtype(): DType {
    return this.factors[0]!.dtype;
  }

  /** Number of expert levels E. */
  get levels(): number {
    return this.factors.length - 2;
  }

  /** Size of each mode: experts per level, then Ĩ, then O. */
  get modeSizes(): number[] {
    return this.factors.map((f) => (this.kind === "cp" ? f.shape[0]! : f.shape[1]!));
  }

  /** Input size Ĩ this layer expects (I + 1 with the bias folded in). */
  get inputSize(): number {
    return this.modeSizes[this.levels]!;
  }

  /** Output size O. */
  get outputSize(): number {
    return this.modeSizes[this.levels + 1]!;
  }

  /**
   * The einsum problem of the forward pass for `tokens` rows. Operands, in order: the gates of each
   * level `[tokens, N_l]`, the input `[tokens, Ĩ]`, then the factors in their official order.
   */
  problem(tokens: number): EinsumProblem {
    const E = this.levels;
    const m = "m";
    const o = "o";
    const i = "i";
    const expert = [...Array(E).keys()].map((l) => getSymbol(26 + l)); // A, B, …
    const sizes = this.modeSizes;
    const gateTerms = expert.map((n) => [m, n]);
    let factorTerms: Label[][];
    const extra: Record<string, number> = {};
    if (this.kind === "cp") {
      factorTerms = [...expert.map((n) => [n, "r"]), [i, "r"], [o, "r"]];
      extra["r"] = this.factors[0]!.shape[1]!;
    } else {
      // Ring labels p0, p1, … (symbols from the Unicode range, clear of the letters used above).
      const ring = this.factors.map((_, k) => getSymbol(52 + k));
      const modes = [...expert, i, o];
      factorTerms = this.factors.map((f, k) => {
        extra[ring[k]!] = f.shape[0]!;
        return [ring[k]!, modes[k]!, ring[(k + 1) % ring.length]!];
      });
    }
    const dims: Record<string, number> = { ...extra, [m]: tokens, [i]: this.inputSize, [o]: this.outputSize };
    expert.forEach((n, l) => (dims[n] = sizes[l]!));
    return makeProblem({ inputs: [...gateTerms, [m, i], ...factorTerms], output: [m, o], sizes: dims });
  }

  /** The (cached) plan of the forward pass for `tokens` rows. */
  plan(tokens: number): ContractionPlan {
    let p = this.plans.get(tokens);
    if (!p) {
      p = planProblem(this.problem(tokens), { optimize: this.optimize ?? defaultOptimizer(), dtype: this.dtype });
      this.plans.set(tokens, p);
    }
    return p;
  }

  /**
   * `y[m, o] = Σ W[n_1…n_E, i, o] ∏_l a_l[m, n_l] z̃[m, i]` without forming W.
   * @param gates - one `[tokens, N_l]` tensor per level.
   * @param input - `[tokens, Ĩ]` (the bias column already appended when the layer has one).
   */
  contract(gates: readonly DenseTensor[], input: DenseTensor, backend: Backend<BackendTensor> = defaultBackend()): DenseTensor {
    const tokens = input.shape[0]!;
    return executePlan(this.plan(tokens), [...gates, input, ...this.factors], backend);
  }

  /**
   * The weight matrix `W[n_1, …, n_E, :, :]` (`Ĩ×O`) of one expert, formed from the factors without the
   * rest of the tensor: `U_in · diag(∏_l U_l[n_l]) · U_outᵀ` for CP, `Σ trace(C_1[:,n_1,:]⋯C_in[:,i,:] C_out[:,o,:])` for TR.
   * @throws {@link InvalidArgumentError} for an index out of range.
   */
  expertWeight(index: readonly number[]): DenseTensor {
    const E = this.levels;
    const sizes = this.modeSizes;
    if (index.length !== E || index.some((n, l) => !Number.isInteger(n) || n < 0 || n >= sizes[l]!)) {
      throw new InvalidArgumentError(
        `expert index [${index.join(", ")}] is out of range for experts [${sizes.slice(0, E).join(", ")}]`,
        "give one in-range index per expert level",
      );
    }
    const f = this.factors;
    if (this.kind === "cp") {
      const rows = index.map((n, l) => f[l]!.select(0, n));
      const lv = rows.map((_, l) => getSymbol(26 + l));
      return einsum(`${lv.map(() => "r").join(",")},ir,or->io`, [...rows, f[E]!, f[E + 1]!]);
    }
    const slices = index.map((n, l) => f[l]!.select(1, n));
    const ring = f.map((_, k) => getSymbol(52 + k));
    const terms = slices.map((_, l) => `${ring[l]}${ring[l + 1]}`);
    return einsum(`${terms.join(",")},${ring[E]}i${ring[E + 1]},${ring[E + 1]}o${ring[0]}->io`, [...slices, f[E]!, f[E + 1]!]);
  }

  /**
   * The dense expert tensor `N_1×…×N_E×Ĩ×O` (TensorLy's `cp_to_tensor((ones(R), factors))` or
   * `tr_to_tensor(cores)`). Only for checks on small layers.
   */
  toDense(): DenseTensor {
    const E = this.levels;
    const modes = [...[...Array(E).keys()].map((l) => getSymbol(26 + l)), "i", "o"];
    if (this.kind === "cp") {
      return einsum(`${modes.map((x) => `${x}r`).join(",")}->${modes.join("")}`, this.factors);
    }
    const ring = this.factors.map((_, k) => getSymbol(52 + k));
    const terms = this.factors.map((_, k) => `${ring[k]}${modes[k]}${ring[(k + 1) % ring.length]}`);
    return einsum(`${terms.join(",")}->${modes.join("")}`, this.factors);
  }
}

/** `auto` once the path optimizers provide it, else `greedy`. */
function defaultOptimizer(): string {
  return optimizerNames().includes("auto") ? "auto" : "greedy";
}
