#!/usr/bin/env node
// In a source checkout, runs the TypeScript sources through tsx (never a stale build); in an installed
// package or the image, which carry only dist/, runs the compiled CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sources = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
let mod;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('../src/cli/main.ts');
} else {
  mod = await import('../dist/cli/main.js');
}
const { runCli, processIO } = mod;
process.exitCode = await runCli(process.argv.slice(2), processIO());
