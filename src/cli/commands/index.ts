/**
 * The command table. Each command lives in its own file; add one line here to register it.
 * @module
 */
import type { CliCommand } from "../command.js";
import { benchCommand } from "./bench.js";
import { budgetCommand } from "./budget.js";
import { contractCommand } from "./contract.js";
import { decomposeCommand, reconstructCommand } from "./decompose.js";
import { demoCommand } from "./demo.js";
import { gpuCommand } from "./gpu.js";
import { infoCommand } from "./info.js";
import { mumoeCommand } from "./mumoe.js";
import { pathCommand } from "./path.js";

/** All commands, in the order `--help` lists them. */
export const commands: readonly CliCommand[] = [
  demoCommand,
  contractCommand,
  pathCommand,
  infoCommand,
  mumoeCommand,
  benchCommand,
  budgetCommand,
  decomposeCommand,
  reconstructCommand,
  gpuCommand,
];
