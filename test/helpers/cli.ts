/**
 * Runs the CLI in-process and captures what it writes.
 */
import { main } from "../../src/cli/main.js";

/** Exit code and captured output of one CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Calls the CLI's `main(argv, io)` and collects stdout/stderr. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    isTTY: false,
  });
  return { code, stdout, stderr };
}
