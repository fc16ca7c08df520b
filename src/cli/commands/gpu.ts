/**
 * `multilinear gpu <info|bench> …`: which gpu.js modes run here, and the GPU-host benchmark. The
 * command table loads this file only when `gpu` runs; the backend comes from the `multilinear/gpu`
 * entry, which loads gpu.js on first use and says how to install it when it is missing.
 * @module
 */
import { parseCommandArgs, type CliCommand } from "../command.js";
import { openGpuBackend } from "../open-gpu.js";
import { commandGroup } from "../subcommands.js";
import { gpuBenchCommand } from "./gpu-bench.js";

const infoCommand: CliCommand = {
  name: "info",
  summary: "list the gpu.js modes, whether each runs here and why, and the one chosen",
  help: `usage: multilinear gpu info [--mode MODE] [--json]

Probes the gpu.js modes (webgpu, webgl2, headlessgl, webasm, cpu), opens the one chosen and
checks it with a small kernel. "auto" tries webgpu, then webgl2, then headlessgl, then cpu.

options:
  --mode MODE   auto (default) or one mode; a named mode that cannot run is an error
  --json        print {"modes": [{mode, available, reason}], "selected", "reason", "adapter", "gemm", "software"}
`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { mode: { type: "string" }, json: { type: "boolean" } }, false);
    const gpu = await openGpuBackend(values.mode);
    const info = gpu.info;
    await gpu.dispose({ releaseDevice: true });
    if (values.json) {
      io.stdout(JSON.stringify(info) + "\n");
      return 0;
    }
    const lines = ["gpu.js modes:"];
    for (const m of info.modes) lines.push(`  ${m.mode.padEnd(11)} ${m.available ? "yes" : "no "}  ${m.reason}`);
    lines.push(`selected: ${info.selected}${info.software ? " (software: no GPU hardware is used)" : ""}`);
    lines.push(`reason:   ${info.reason}`);
    const a = info.adapter;
    lines.push(
      `adapter:  ${a ? [a.vendor, a.architecture, a.device, a.description].filter((s) => s).join(" / ") + (a.isFallbackAdapter ? " (fallback adapter)" : "") : "none"}`,
    );
    lines.push(`gemm:     ${info.gemm}`);
    io.stdout(lines.join("\n") + "\n");
    return 0;
  },
};

/** Sub-commands of `gpu`. */
export const gpuSubcommands: readonly CliCommand[] = [infoCommand, gpuBenchCommand];

export const gpuCommand: CliCommand = commandGroup({
  name: "gpu",
  summary: "GPU backend: modes available here, GPU-host benchmark (see multilinear gpu --help)",
  usage: "usage: multilinear gpu <what> [options]   (multilinear gpu <what> --help for details)",
  subcommands: gpuSubcommands,
  nameWidth: 8,
  footer: ["", "The GPU backend needs the optional package gpu.js (npm install gpu.js); Node's webgpu mode also needs webgpu."],
  errors: { missing: "missing what to do", unknown: (what) => `unknown gpu sub-command '${what}'` },
});
