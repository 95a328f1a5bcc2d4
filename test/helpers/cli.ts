// Drives the real CLI in-process with captured streams.
import { readFileSync } from 'node:fs';
import type { CliIO } from '../../src/cli/io.ts';

export function memoryIO(stdin = ''): CliIO & { out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readInput: (p) => (p === '-' ? stdin : readFileSync(p, 'utf8')),
    out: () => out,
    err: () => err,
  };
}
