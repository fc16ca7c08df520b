/**
 * A one-line progress bar for terminals (drawn on stderr, only when it is a TTY).
 * @module
 */
import type { CliIO } from "./command.js";

/** Draws `[#####.....] label` in place; `done()` ends the line. */
export function progressBar(io: CliIO, total: number): { update(done: number, label: string): void; done(): void } {
  let drawn = false;
  return {
    update(done, label) {
      if (!io.isTTY) return;
      const width = 30;
      const filled = Math.min(width, Math.round((done / Math.max(total, 1)) * width));
      io.stderr(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${label}   `);
      drawn = true;
    },
    done() {
      if (drawn) io.stderr("\n");
    },
  };
}
