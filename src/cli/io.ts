// What a command may touch: its streams and the file system, passed in so tests drive the real CLI in-process.
import { readFileSync } from 'node:fs';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads a file, or standard input for "-". */
  readInput(path: string): string;
  /** Whether the streams are terminals (progress goes to a terminal stderr when stdout is not one). */
  stderrIsTTY?: boolean;
  stdoutIsTTY?: boolean;
}

export function processIO(): CliIO {
  // `sidecar-injector inject ... | head`: a reader that went away is not an error of ours
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readInput: (p) => readFileSync(p === '-' ? 0 : p, 'utf8'),
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}

export class UsageError extends Error {}
