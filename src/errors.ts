/**
 * Typed errors. Every error the library raises for bad input is a {@link MultilinearError}
 * with a machine-readable {@link MultilinearError.code | code}, a message that says what is
 * wrong, and a {@link MultilinearError.hint | hint} that says how to fix it. They are thrown
 * before any large allocation.
 * @module
 */

/** Machine-readable error codes; callers `switch (e.code)`. @category Errors */
export type ErrorCode =
  | "einsum-syntax"
  | "operand-count"
  | "rank-mismatch"
  | "shape-mismatch"
  | "output-label"
  | "dtype-mismatch"
  | "invalid-argument"
  | "unknown-option"
  | "invalid-shape"
  | "invalid-path"
  | "unknown-optimizer"
  | "memory-limit"
  | "backend-limit"
  | "file-format"
  | "not-converged"
  | "config"
  | "infeasible-budget"
  | "search-space"
  | "gpu"
  | "missing-package";

/** Base class of every error the library throws on purpose. @category Errors */
export abstract class MultilinearError extends Error {
  /** Stable, machine-readable identifier of the error kind. */
  abstract readonly code: ErrorCode;
  /** What to do about it. */
  readonly hint: string;
  /** The first line of the message, without the hint. */
  readonly what: string;
  constructor(what: string, hint: string) {
    super(`${what}\n  fix: ${hint}`);
    this.name = new.target.name;
    this.what = what;
    this.hint = hint;
  }
}

/**
 * An einsum equation that does not parse. The message shows the equation (tabs and newlines printed as
 * spaces, so the columns line up) with a caret under the offending character.
 * @category Errors
 */
export class EinsumSyntaxError extends MultilinearError {
  override readonly code = "einsum-syntax";
  constructor(
    readonly equation: string,
    /** Index (in code points) of the offending character, or -1 when the problem is not at one place. */
    readonly position: number,
    problem: string,
    hint: string,
  ) {
    super(
      position >= 0 ? `${problem}\n    ${equation.replace(/\s/gu, " ")}\n    ${" ".repeat(position)}^` : `${problem} in "${equation}"`,
      hint,
    );
  }
}

/** The number of operands differs from the number of terms in the equation. @category Errors */
export class OperandCountError extends MultilinearError {
  override readonly code = "operand-count";
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      `the equation has ${expected} input term${expected === 1 ? "" : "s"} but ${actual} operand${actual === 1 ? " was" : "s were"} given`,
      "pass exactly one operand (tensor or shape) per comma-separated term",
    );
  }
}

/** An operand has a different number of axes than its term has labels. @category Errors */
export class RankMismatchError extends MultilinearError {
  override readonly code = "rank-mismatch";
  constructor(
    readonly operand: number,
    readonly term: string,
    readonly expectedNdim: number | string,
    readonly actualNdim: number,
  ) {
    super(
      `operand ${operand} has ${actualNdim} ax${actualNdim === 1 ? "is" : "es"} but its term "${term}" needs ${expectedNdim}`,
      "give the term one label per axis (use '...' for a variable number of leading axes)",
    );
  }
}

/** One label has two different sizes. @category Errors */
export class ShapeMismatchError extends MultilinearError {
  override readonly code = "shape-mismatch";
  constructor(
    readonly label: string,
    readonly firstOperand: number,
    readonly expected: number,
    /** Operand with the conflicting size (the same as `firstOperand` for a repeated label; -1 for sizes given to `makeProblem`). */
    readonly operand: number,
    readonly actual: number,
  ) {
    super(
      firstOperand === operand
        ? `label '${label}' is repeated in operand ${operand} with sizes ${expected} and ${actual}`
        : operand < 0
          ? `label '${label}' has size ${expected} in operand ${firstOperand} but the given sizes say ${actual}`
          : `label '${label}' has size ${expected} in operand ${firstOperand} but size ${actual} in operand ${operand}`,
      firstOperand === operand
        ? "a label repeated within one operand takes a diagonal: give its axes equal sizes"
        : "give every occurrence of a label the same size (or size 1 to broadcast across operands)",
    );
  }
}

/** An output label is missing from every input, or appears twice in the output. @category Errors */
export class OutputLabelError extends MultilinearError {
  override readonly code = "output-label";
  constructor(
    readonly label: string,
    readonly reason: "absent" | "repeated",
  ) {
    super(
      reason === "absent"
        ? `output label '${label}' does not occur in any input term`
        : `output label '${label}' appears more than once in the output`,
      reason === "absent"
        ? "only use labels in the output that some input term has"
        : "list each output label once (use a repeated label in an input to take a diagonal)",
    );
  }
}

/**
 * Operands of different dtypes were combined where they cannot be promoted: backend tensors given to
 * `executePlanOnBackend`. (einsum, contract and executePlan promote float32 with float64 to float64, as numpy.)
 * @category Errors
 */
export class DTypeMismatchError extends MultilinearError {
  override readonly code = "dtype-mismatch";
  constructor(readonly dtypes: readonly string[]) {
    super(`operands have mixed dtypes (${dtypes.join(", ")})`, "convert them to one dtype first, e.g. x.astype('float64')");
  }
}

/** A function argument is out of its domain (a negative size, an unknown option...). @category Errors */
export class InvalidArgumentError extends MultilinearError {
  override readonly code = "invalid-argument";
  constructor(what: string, hint: string) {
    super(what, hint);
  }
}

/**
 * An options or configuration object has a key the function does not know (a typo such as
 * `optimise` or `useBais`). The hint names the closest valid key.
 * @category Errors
 */
export class UnknownOptionError extends MultilinearError {
  override readonly code = "unknown-option";
  constructor(
    /** What the object configures, e.g. `"einsum options"` or `"μMoE config"`. @category Errors */
    readonly where: string,
    /** The key that is not known. @category Errors */
    readonly key: string,
    /** The closest valid key (by edit distance), or undefined when none is close. @category Errors */
    readonly suggestion: string | undefined,
    /** Every valid key. @category Errors */
    readonly known: readonly string[],
  ) {
    super(
      `${where} has an unknown key '${key}'`,
      suggestion !== undefined ? `did you mean '${suggestion}'? (valid keys: ${known.join(", ")})` : `use only: ${known.join(", ")}`,
    );
  }
}

/** A shape is invalid for the requested operation (a reshape to a different size, a bad axis...). @category Errors */
export class InvalidShapeError extends MultilinearError {
  override readonly code = "invalid-shape";
  constructor(what: string, hint: string) {
    super(what, hint);
  }
}

/** A contraction path that is not valid for its problem. @category Errors */
export class InvalidPathError extends MultilinearError {
  override readonly code = "invalid-path";
  /**
   * @param step - the bad step (−1 for the path as a whole).
   * @param reason - what is wrong with it.
   * @param optimizer - the registered optimizer that returned the path, when one did.
   */
  constructor(
    readonly step: number,
    /** What is wrong with the step (or the path). */
    readonly reason: string,
    readonly optimizer?: string,
  ) {
    const where = step >= 0 ? `path step ${step}: ${reason}` : `path: ${reason}`;
    const rule = "each step lists distinct in-range positions of the current operand list, and the path must end with one operand";
    super(
      optimizer === undefined ? where : `optimizer '${optimizer}' returned an invalid SSA path (${where})`,
      optimizer === undefined
        ? rule
        : `fix the path finder registered as '${optimizer}': it must return an SSA path (ids of inputs, then one new id per step); ${rule}`,
    );
  }
}

/** An optimizer name that is not registered. @category Errors */
export class UnknownOptimizerError extends MultilinearError {
  override readonly code = "unknown-optimizer";
  constructor(
    readonly optimizer: string,
    readonly known: readonly string[],
  ) {
    super(`unknown optimizer '${optimizer}'`, `use one of: ${known.join(", ")}`);
  }
}

/** A contraction whose largest intermediate (or total workspace) exceeds the memory limit. @category Errors */
export class MemoryLimitError extends MultilinearError {
  override readonly code = "memory-limit";
  /**
   * @param neededElements - what the contraction needs, in `unit`s.
   * @param limitElements - the limit, in `unit`s.
   * @param unit - `"elements"` for `memoryLimit`, `"bytes"` for `maxBytes`.
   */
  constructor(
    readonly neededElements: bigint,
    readonly limitElements: bigint,
    detail = "largest intermediate",
    readonly unit: "elements" | "bytes" = "elements",
  ) {
    super(
      `${detail} needs ${neededElements} ${unit}, the limit is ${limitElements}`,
      `pick another optimizer, raise ${unit === "bytes" ? "maxBytes" : "memoryLimit"}, slice the contraction, or contract in factorized form`,
    );
  }
}

/** A backend cannot run a kernel of this size (e.g. a GPU loop or texture limit). @category Errors */
export class BackendLimitError extends MultilinearError {
  override readonly code = "backend-limit";
  constructor(what: string, hint: string) {
    super(what, hint);
  }
}

/** A file that is truncated, lies about its contents, or is not in the expected format. @category Errors */
export class FileFormatError extends MultilinearError {
  override readonly code = "file-format";
  constructor(
    readonly file: string,
    problem: string,
    hint = "re-export the file; it is truncated or not in the expected format",
  ) {
    super(`${file}: ${problem}`, hint);
  }
}

/** An iterative algorithm that did not reach its tolerance when asked to insist on it. @category Errors */
export class NotConvergedError extends MultilinearError {
  override readonly code = "not-converged";
  constructor(what: string, hint: string) {
    super(what, hint);
  }
}

/** A layer or model configuration that is inconsistent (a missing weight, a wrong shape, an unknown option). @category Errors */
export class ConfigError extends MultilinearError {
  override readonly code = "config";
  constructor(what: string, hint: string) {
    super(what, hint);
  }
}

/** No rank ≥ 1 fits a parameter budget (e.g. the gating matrix alone already exceeds it). @category Errors */
export class InfeasibleBudgetError extends MultilinearError {
  override readonly code = "infeasible-budget";
  constructor(
    what: string,
    hint: string,
    readonly target: bigint,
    readonly minimumParams: bigint,
  ) {
    super(what, hint);
  }
}

/**
 * The GPU reported an error (a shader that does not compile, a validation error caught by an error
 * scope, an allocation the device refused, a lost device), or a GPU mode cannot run here.
 * @category Errors
 */
export class GpuError extends MultilinearError {
  override readonly code = "gpu";
  constructor(
    what: string,
    hint: string,
    readonly gpuMessage?: string,
  ) {
    super(what, hint);
  }
}

/**
 * An exhaustive path search would visit far too many contraction orders to finish; refused before it
 * starts (unless it is given a time limit).
 * @category Errors
 */
export class SearchSpaceError extends MultilinearError {
  override readonly code = "search-space";
  constructor(
    readonly optimizer: string,
    readonly nInputs: number,
    /** Estimated contraction orders the search would visit (worst case). */
    readonly estimate: number,
    readonly limit: number,
  ) {
    super(
      `the '${optimizer}' search over ${nInputs} operands could visit about ${estimate.toExponential(1)} contraction orders (the limit is ${limit.toExponential(0)})`,
      `use optimize: 'dp', 'greedy' or 'auto-hq', or give '${optimizer}' a time limit (timeLimitMs) to take the best path found in it`,
    );
  }
}

/**
 * An optional package a feature needs is not installed: the GPU backend (`multilinear/gpu`) needs
 * `gpu.js`, and its `webgpu` mode in Node the `webgpu` package. The hint is the install command.
 * @category Errors
 */
export class MissingPackageError extends MultilinearError {
  override readonly code = "missing-package";
  /** The shell command that installs the package, e.g. `npm install gpu.js`. */
  readonly installCommand: string;
  constructor(
    /** The npm package name, e.g. `"gpu.js"`. */
    readonly packageName: string,
    /** What needs it, e.g. `"the GPU backend"`. */
    readonly neededFor: string,
  ) {
    super(`${neededFor} needs the optional package '${packageName}', which is not installed`, `install it: npm install ${packageName}`);
    this.installCommand = `npm install ${packageName}`;
  }
}

/**
 * Throws `make()` when `cond` is false. The error is only built on failure, so messages can be expensive.
 * @internal
 * @category Errors
 */
export function check(cond: boolean, make: () => MultilinearError): asserts cond {
  if (!cond) throw make();
}
