#!/usr/bin/env node
// Runs the compiled CLI when present (npm run build), otherwise the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('../src/cli/main.ts');
}
const { runCli, processIO } = mod;
process.exitCode = await runCli(process.argv.slice(2), processIO());
