/**
 * The browser build's mathjs loader (swapped in for `mathjs-load.js` by the package.json `browser`
 * field): a bundle has mathjs in it anyway, so it is imported statically.
 * @module
 */
import * as mathjs from "mathjs";

/** The mathjs module. */
export function loadMathjs(): typeof mathjs {
  return mathjs;
}
