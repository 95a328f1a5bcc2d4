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

// Told apart by name, not instanceof: a command loaded on first use may get its own copy of this module
// (tests load the sources through two loaders), and its errors must still be usage errors.
export class UsageError extends Error {
  override name = 'UsageError';
}

export const isUsageError = (e: unknown): boolean => (e as Error | undefined)?.name === 'UsageError';
export const isCliFailure = (e: unknown): boolean => (e as Error | undefined)?.name === 'CliFailure';

/** A run that failed for a reason the user can act on (a file, a port): one line, exit 1. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

/** The text of -f FILE (or standard input for -), or a CliFailure naming the flag and the file. */
export function readFlagFile(io: CliIO, path: string, flag: string): string {
  try {
    return io.readInput(path);
  } catch (e) {
    const { code } = e as NodeJS.ErrnoException;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a directory, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : String((e as Error).message);
    throw new CliFailure(`${flag} ${path}: ${why}`);
  }
}
