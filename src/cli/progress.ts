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

/**
 * A heartbeat for work of unknown length: `tick(elapsedMs)` redraws `label… 3.2 s` on a terminal at
 * most every 200 ms (and only after the first half second); `done()` clears the line.
 */
export function heartbeat(io: CliIO, label: string): { tick(elapsedMs: number): void; done(): void } {
  let drawn = false;
  let last = 0;
  return {
    tick(elapsedMs) {
      if (!io.isTTY || elapsedMs < 500 || elapsedMs - last < 200) return;
      last = elapsedMs;
      io.stderr(`\r${label}… ${(elapsedMs / 1000).toFixed(1)} s   `);
      drawn = true;
    },
    done() {
      if (drawn) io.stderr(`\r${" ".repeat(label.length + 16)}\r`);
    },
  };
}
