/**
 * The budget formulas as symbolic mathjs expressions (docs/guides/mumoe-reference.md#counts), built from a layer's structure,
 * evaluated exactly with bigint arithmetic and rendered to TeX. They are written independently of the
 * tensor-by-tensor counts in `budget-params.ts` / `budget-macs.ts`, so evaluating one and summing the
 * other is a real cross-check.
 * @module
 */
import type { MathJsInstance, MathNode } from "mathjs";
import { InvalidArgumentError } from "../../errors.js";
import { loadMathjs } from "./mathjs-load.js";
import type { ResolvedLayer } from "./spec.js";

let instance: MathJsInstance | undefined;

/** The bigint mathjs instance, created when a formula is first parsed (see mathjs-load.ts). */
function math(): MathJsInstance {
  if (instance === undefined) {
    const { create, all } = loadMathjs();
    instance = create(all!, { number: "bigint" });
  }
  return instance;
}

/** The formulas of one layer, as mathjs expression strings over the symbols of {@link formulaScope}. @category Budgets */
export interface LayerFormulas {
  /** Every parameter the layer holds. */
  readonly params: string;
  /** Parameters used per token (differs from `params` only for sparse MoE). */
  readonly activeParams: string;
  /** MACs per token in the fast (factorized) order. */
  readonly macs: string;
  /** MACs per token when the dense expert tensor is built first (μMoE only). */
  readonly naiveMacs?: string;
  /** Largest matrix rank an expert's first-layer `I×O` weight can reach. */
  readonly maxExpertRank: string;
}

/** Symbol names of the expert counts and ranks. */
function names(layer: ResolvedLayer): { n: string[]; ring: string[] } {
  const e = layer.levels.length;
  const n = e === 1 ? ["N"] : layer.levels.map((_, l) => `N_${l + 1}`);
  const ring = layer.ring.map((_, k) => `R_${k + 1}`);
  return { n, ring };
}

/**
 * The value of every symbol the formulas of `layer` use, as bigints.
 * @example
 * ```ts
 * import { formulaScope, resolveLayer } from "multilinear";
 * formulaScope(resolveLayer({ kind: "linear", inputDim: 8, outputDim: 4 })).I; // => 8n
 * ```
 * @category Budgets
 */
export function formulaScope(layer: ResolvedLayer): Record<string, bigint> {
  const scope: Record<string, bigint> = { I: BigInt(layer.inputDim), O: BigInt(layer.outputDim) };
  if (layer.secondDim > 0) scope["D"] = BigInt(layer.secondDim);
  const { n, ring } = names(layer);
  layer.levels.forEach((v, l) => (scope[n[l]!] = BigInt(v)));
  if (layer.kind === "sparse") scope["K"] = BigInt(layer.topK);
  if (layer.kind === "soft") {
    scope["S"] = BigInt(layer.slots);
    scope["T"] = BigInt(layer.tokens);
  }
  if (layer.kind === "cp") scope["R"] = BigInt(layer.cpRank);
  layer.ring.forEach((v, k) => (scope[ring[k]!] = BigInt(v)));
  return scope;
}

const join = (terms: readonly string[]): string => terms.filter((t) => t !== "").join(" + ");

/**
 * The parameter and MAC formulas of a resolved layer, as mathjs expressions over the symbols of
 * {@link formulaScope}.
 * @example
 * ```ts
 * import { layerFormulas, resolveLayer } from "multilinear";
 * layerFormulas(resolveLayer({ kind: "linear", inputDim: 8, outputDim: 4, useBias: false })).params; // => "I*O"
 * ```
 * @category Budgets
 */
export function layerFormulas(layer: ResolvedLayer): LayerFormulas {
  const two = layer.secondDim > 0;
  const bias = layer.useBias;
  const din1 = bias ? "(I + 1)" : "I";
  const din2 = bias ? "(O + 1)" : "O";
  const ln = layer.applyLn ? "2*I" : "";
  const { n, ring } = names(layer);
  const sumN = n.length === 1 ? n[0]! : `(${n.join(" + ")})`;
  const last = two ? "D" : "O";
  // Per-expert weights of a reference MoE and its matmul MACs.
  const expertWeights = two ? `(${din1}*O + ${din2}*D)` : `${din1}*O`;
  const expertMacs = two ? "(I*O + O*D)" : "I*O";
  switch (layer.kind) {
    case "linear": {
      const params = join([ln, bias ? "I*O + O" : "I*O", two ? (bias ? "O*D + D" : "O*D") : ""]);
      return { params, activeParams: params, macs: two ? "I*O + O*D" : "I*O", maxExpertRank: "min(I, O)" };
    }
    case "dense": {
      const params = join([ln, `N*${expertWeights}`, "I*N"]);
      return { params, activeParams: params, macs: `I*N + N*${expertMacs} + N*${last}`, maxExpertRank: "min(I, O)" };
    }
    case "sparse":
      return {
        params: join([ln, `N*${expertWeights}`, "I*N"]),
        activeParams: join([ln, `K*${expertWeights}`, "I*N"]),
        macs: `I*N + K*${expertMacs} + K*${last}`,
        maxExpertRank: "min(I, O)",
      };
    case "soft": {
      const params = join([ln, `N*${expertWeights}`, "I*N*S"]);
      return {
        params,
        activeParams: params,
        macs: `2*I*N*S + N*S*${last} + floor((N*S*${expertMacs} + T - 1) / T)`,
        maxExpertRank: "min(I, O)",
      };
    }
    case "cp": {
      const e = n.length;
      const hadamard = e === 1 ? "R" : `${e}*R`;
      const layerParams = (din: string, dout: string): string => `R*(${n.join(" + ")} + ${din} + ${dout})`;
      const gate = `I*${sumN}`;
      const params = join([layerParams(din1, "O"), two ? layerParams(din2, "D") : "", gate, ln]);
      const macs = join([gate, layerParams(din1, "O"), hadamard, two ? layerParams(din2, "D") : "", two ? hadamard : ""]);
      const naive = (din: string, dout: string): string => naiveTerms(n, din, dout, "R");
      const naiveMacs = join([gate, naive(din1, "O"), two ? naive(din2, "D") : ""]);
      return { params, activeParams: params, macs, naiveMacs, maxExpertRank: "min(I, O, R)" };
    }
    case "tr": {
      const e = n.length;
      const R = (k: number): string => ring[k - 1]!;
      const layerParams = (din: string, dout: string): string =>
        join([...n.map((nk, k) => `${R(k + 1)}*${nk}*${R(k + 2)}`), `${R(e + 1)}*${din}*${R(e + 2)}`, `${R(e + 2)}*${dout}*${R(1)}`]);
      const chain: string[] = [];
      for (let k = 2; k <= e + 1; k++) chain.push(`${R(1)}*${R(k)}*${R(k + 1)}`);
      const layerMacs = (din: string, dout: string): string =>
        join([
          ...n.map((nk, k) => `${R(k + 1)}*${R(k + 2)}*${nk}`),
          `${R(e + 1)}*${R(e + 2)}*${din}`,
          ...chain,
          `${R(1)}*${R(e + 2)}*${dout}`,
        ]);
      const gate = `I*${sumN}`;
      const params = join([layerParams(din1, "O"), two ? layerParams(din2, "D") : "", gate, ln]);
      const macs = join([gate, layerMacs(din1, "O"), two ? layerMacs(din2, "D") : ""]);
      const ranks = ring.join("*");
      const naiveMacs = join([gate, naiveTerms(n, din1, "O", ranks), two ? naiveTerms(n, din2, "D", ranks) : ""]);
      const inner = e === 1 ? `min(${R(1)}, ${R(2)})` : `min(${ring.slice(0, e + 1).join(", ")})`;
      return { params, activeParams: params, macs, naiveMacs, maxExpertRank: `min(I, O, ${R(e + 2)}*${inner})` };
    }
  }
}

/** Reconstruct (`ΠN·d_in·d_out·ranks`), contract with z̃ (`ΠN·d_in·d_out`), then mix level by level. */
function naiveTerms(n: readonly string[], din: string, dout: string, ranks: string): string {
  const w = `${n.join("*")}*${din}*${dout}`;
  const mix = n.map((_, l) => `${n.slice(l).join("*")}*${dout}`);
  return join([`${w}*${ranks}`, w, ...mix]);
}

/** Parses a formula; mathjs's parse error becomes an {@link InvalidArgumentError}. */
function parseFormula(expression: string): MathNode {
  try {
    return math().parse(expression);
  } catch (e) {
    throw new InvalidArgumentError(
      `cannot parse formula '${expression}': ${e instanceof Error ? e.message : String(e)}`,
      "write it in mathjs syntax, e.g. 'R*(N + (I + 1) + O) + I*N'",
    );
  }
}

/**
 * Evaluates a budget formula exactly: every number is a bigint (mathjs with `number: "bigint"`).
 * @param expression - a mathjs expression, e.g. a field of {@link LayerFormulas}.
 * @param scope - the value of every symbol it uses.
 * @throws {@link InvalidArgumentError} when the expression does not parse, uses an unknown symbol, or
 * does not evaluate to an integer.
 * @example
 * ```ts
 * import { evaluateFormula } from "multilinear";
 * evaluateFormula("R*(N + (I + 1) + O) + I*N", { R: 165n, N: 512n, I: 768n, O: 1000n }); // => 769581n
 * ```
 * @category Budgets
 */
export function evaluateFormula(expression: string, scope: Readonly<Record<string, bigint | number>>): bigint {
  const node = parseFormula(expression);
  const values: Record<string, bigint> = {};
  for (const [k, v] of Object.entries(scope)) values[k] = typeof v === "bigint" ? v : BigInt(v);
  let out: unknown;
  try {
    out = node.evaluate(values);
  } catch (e) {
    throw new InvalidArgumentError(
      `cannot evaluate '${expression}': ${e instanceof Error ? e.message : String(e)}`,
      "give a value for every symbol the formula uses",
    );
  }
  if (typeof out === "bigint") return out;
  if (typeof out === "number" && Number.isSafeInteger(out)) return BigInt(out);
  throw new InvalidArgumentError(`formula '${expression}' evaluated to ${String(out)}, not an integer`, "use integer sizes in the scope");
}

/** TeX for one symbol name: `R_3` → `R_{3}`. mathjs would typeset `N` as a unit (newton). */
function symbolTex(name: string): string {
  const m = /^([A-Za-z]+)_(\w+)$/.exec(name);
  return m ? `${m[1]}_{${m[2]}}` : name;
}

/**
 * Renders a budget formula as TeX (mathjs `toTex`, with subscripted symbols).
 * @example
 * ```ts
 * import { formulaToTex } from "multilinear";
 * formulaToTex("R_1*R_2*N"); // => "R_{1}\\cdot R_{2}\\cdot N"
 * ```
 * @category Budgets
 */
export function formulaToTex(expression: string): string {
  const tex = parseFormula(expression).toTex({
    parenthesis: "keep",
    implicit: "hide",
    handler: (node: MathNode) => (node.type === "SymbolNode" && "name" in node ? ` ${symbolTex(String(node.name))}` : undefined),
  });
  return tex.replace(/\s+/g, " ").trim();
}
