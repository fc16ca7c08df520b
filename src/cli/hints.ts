/**
 * The library's errors name API options (`dtype: "float32"`, `memoryLimit`); on the command line the
 * fix is a flag. This table rewrites a hint (or message) into CLI wording at the CLI boundary.
 * @module
 */

/** API wording → CLI wording, applied in order. */
const REWRITES: readonly (readonly [RegExp, string])[] = [
  [/\bcreate the backend with \{ ?downcast: true ?\}, /g, ""],
  [/\b(?:\w+\.)?astype\((['"])(float32|float64)\1\)/g, "--dtype $2"],
  [/\bdtype: ?(['"])(float32|float64)\1/g, "--dtype $2"],
  [/\boptimize: ?(['"])([\w-]+)\1/g, "--optimize $2"],
  [/\{ ?mode: ?(['"])([\w-]+)\1 ?\}/g, "--gpu-mode $2"],
  [/\bmode: ?(['"])([\w-]+)\1/g, "--gpu-mode $2"],
  [/\bpick another optimizer\b/g, "pick another optimizer (--optimize NAME)"],
  [/\bmemoryLimit\b/g, "--memory-limit"],
  [/\bsliceLimit\b/g, "--slice"],
  [/\bslice the contraction\b/g, "slice the contraction (--slice)"],
  [/\btimeLimitMs\b/g, "--time-limit-ms"],
  [/\bmaxIter\b/g, "--max-iter"],
  [/\buse the cpu backend\b/g, "use --backend cpu"],
];

/** Rewrites the API option names in `text` to the CLI flags that set them. */
export function cliWording(text: string): string {
  let out = text;
  for (const [pattern, replacement] of REWRITES) out = out.replace(pattern, replacement);
  return out;
}
