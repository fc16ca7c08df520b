/**
 * `multilinear info <file>`: tensors, shapes and dtypes of a .npy or .safetensors file.
 * @module
 */
import { readFileBytes } from "../../io/files.js";
import { readNpyHeader } from "../../io/npy.js";
import { readSafetensorsHeader } from "../../io/safetensors.js";
import { CliUsageError, parseCommandArgs, type CliCommand, type OptionSpec } from "../command.js";

/** One row of `info`. */
interface Row {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Only for a .npy file stored in Fortran order. */
  readonly fortranOrder?: true;
}

const OPTIONS = { json: { type: "boolean" } } as const satisfies OptionSpec;

export const infoCommand: CliCommand = {
  options: OPTIONS,
  name: "info",
  summary: "list the tensors, shapes and dtypes of a .npy or .safetensors file",
  help: `usage: multilinear info <file.npy|file.safetensors> [--json]

Reads and validates the header (and sizes) of the file without loading the data.
The format is detected from the file's first bytes (or a .npy name).

options:
  --json   print {"file", "format", "tensors": [{"name", "dtype", "shape", "fortranOrder"?}], "metadata"} as JSON
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const file = positionals[0];
    if (file === undefined) throw new CliUsageError("missing the file", "pass a .npy or .safetensors file");
    const bytes = await readFileBytes(file);
    // A file named .npy is read as .npy even without the magic, so that the error says what is wrong with it.
    const isNpy =
      (bytes.length >= 6 && bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === "NUMPY") || /\.npy$/i.test(file);
    let rows: Row[];
    let metadata: Readonly<Record<string, string>> = {};
    let format: string;
    if (isNpy) {
      const h = readNpyHeader(bytes, file);
      format = `npy v${h.version[0]}.${h.version[1]}`;
      rows = [{ name: "(array)", dtype: h.descr, shape: h.shape, ...(h.fortranOrder ? { fortranOrder: true as const } : {}) }];
    } else {
      const h = readSafetensorsHeader(bytes, file);
      format = "safetensors";
      metadata = h.metadata;
      rows = [...h.entries].sort((a, b) => (a.name < b.name ? -1 : 1)).map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape }));
    }
    if (values.json) {
      io.stdout(JSON.stringify({ file, format, tensors: rows, metadata }) + "\n");
      return 0;
    }
    io.stdout(`${file}: ${format}, ${rows.length} tensor${rows.length === 1 ? "" : "s"}\n`);
    const w = Math.max(4, ...rows.map((r) => r.name.length));
    for (const r of rows)
      io.stdout(`  ${r.name.padEnd(w)}  ${r.dtype.padEnd(6)}  [${r.shape.join(", ")}]${r.fortranOrder ? "  (Fortran order)" : ""}\n`);
    const keys = Object.keys(metadata);
    if (keys.length > 0) io.stdout(`  metadata: ${keys.join(", ")}\n`);
    return 0;
  },
};
