/**
 * Loads mathjs on first use. mathjs takes about as long to load as the rest of the library together
 * (seconds on a slow machine), and only the symbolic budget formulas need it, so neither
 * `import "multilinear"` nor a CLI command that computes no formula pays for it. Node's `require`
 * loads it synchronously, so the formula functions stay synchronous. Browser bundlers take
 * `mathjs-load.browser.js` instead (package.json `browser` field), which imports mathjs statically.
 * @module
 */
import { createRequire } from "node:module";
import type * as MathJs from "mathjs";

/** The mathjs module (Node caches it after the first call). */
export function loadMathjs(): typeof MathJs {
  return createRequire(import.meta.url)("mathjs") as typeof MathJs;
}
