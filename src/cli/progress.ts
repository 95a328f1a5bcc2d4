// A count of objects done, on stderr, for long inputs whose output goes to a file or a pipe: shown only
// when stderr is a terminal and stdout is not (on a terminal, the answers themselves show the progress),
// redrawn in place at most every 200 ms, from the first second on, and erased at the end.
import type { CliIO } from './io.ts';

const EVERY_MS = 200;
const AFTER_MS = 1000;

export interface Progress {
  /** One more object done. */
  tick(): void;
  /** Erases the line (call once, at the end, error or not). */
  done(): void;
}

export function progress(io: CliIO, verb: string, now: () => number = Date.now): Progress {
  if (!io.stderrIsTTY || io.stdoutIsTTY) return { tick: () => undefined, done: () => undefined };
  const started = now();
  let count = 0;
  let last = 0;
  let shown = false;
  return {
    tick: () => {
      count++;
      const t = now();
      if (t - started < AFTER_MS || t - last < EVERY_MS) return;
      last = t;
      shown = true;
      io.stderr(`\r${verb}: ${count} objects done…\x1b[K`);
    },
    done: () => {
      if (shown) io.stderr('\r\x1b[K');
    },
  };
}
