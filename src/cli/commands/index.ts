/**
 * The command table. Each command lives in its own file, imported only when that command runs (or
 * prints its help): `multilinear --help` and a quick command load nothing else. Add one entry here to
 * register a command; its name and summary must equal the module's (test/cli/main.test.ts checks).
 * @module
 */
import type { CliCommandEntry } from "../command.js";

/** All commands, in the order `--help` lists them. */
export const commands: readonly CliCommandEntry[] = [
  {
    name: "demo",
    summary: "factorized contraction, a paper-size CPμMoE forward checked against its dense form, and its budget",
    load: async () => (await import("./demo.js")).demoCommand,
  },
  {
    name: "contract",
    summary: "contract .npy / .safetensors operands by an einsum equation",
    load: async () => (await import("./contract.js")).contractCommand,
  },
  {
    name: "path",
    summary: "find a contraction path and show its cost (table, JSON, SVG tree)",
    load: async () => (await import("./path.js")).pathCommand,
  },
  {
    name: "info",
    summary: "list the tensors, shapes and dtypes of a .npy or .safetensors file",
    load: async () => (await import("./info.js")).infoCommand,
  },
  {
    name: "mumoe",
    summary: "check or run μMoE layers saved from the original PyTorch code",
    load: async () => (await import("./mumoe.js")).mumoeCommand,
  },
  {
    name: "bench",
    summary: "quick measurements (see multilinear bench --help)",
    load: async () => (await import("./bench.js")).benchCommand,
  },
  {
    name: "budget",
    summary: "parameters, FLOPs and expert rank of a layer; `budget sweep` over expert counts",
    load: async () => (await import("./budget.js")).budgetCommand,
  },
  {
    name: "decompose",
    summary: "fit a CP, tensor-ring or tensor-train decomposition to a .npy tensor",
    load: async () => (await import("./decompose.js")).decomposeCommand,
  },
  {
    name: "reconstruct",
    summary: "form the dense tensor of factors written by `decompose -o`",
    load: async () => (await import("./decompose.js")).reconstructCommand,
  },
  {
    name: "gpu",
    summary: "GPU backend: modes available here, GPU-host benchmark (see multilinear gpu --help)",
    load: async () => (await import("./gpu.js")).gpuCommand,
  },
];
