// Go's own text/template parser as a test oracle: builds test/gotemplate/oracle (stdlib only) into a temp
// dir and parses batches of templates with it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGoTemplates } from '../../src/core/gotemplate/index.ts';

export interface ParseRequest {
  name: string;
  text: string;
  functions: string[] | null;
}
export type ParseOutcome = { ok: true; names: string[] } | { ok: false; error: string };

const ORACLE_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'oracle');

export function goAvailable(): boolean {
  return spawnSync('go', ['version'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
}

export class GoParseOracle {
  private readonly dir = mkdtempSync(join(tmpdir(), 'gotpl-oracle-'));
  readonly binary = join(this.dir, 'gotemplate-oracle');
  constructor() {
    execFileSync('go', ['build', '-o', this.binary, '.'], { cwd: ORACLE_SOURCE, timeout: 120_000, stdio: 'pipe' });
  }
  parse(requests: ParseRequest[]): ParseOutcome[] {
    const out = execFileSync(this.binary, { input: JSON.stringify(requests), timeout: 60_000, maxBuffer: 256 << 20 });
    return (JSON.parse(out.toString('utf8')) as { ok: boolean; names?: string[]; error?: string }[]).map((r) =>
      r.ok ? { ok: true, names: r.names ?? [] } : { ok: false, error: r.error ?? '' },
    );
  }
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Our parser's answer in the oracle's shape. */
export function parseOurs(r: ParseRequest): ParseOutcome {
  try {
    const trees = parseGoTemplates(r.name, r.text, r.functions === null ? {} : { functions: r.functions });
    return { ok: true, names: [...trees.keys()].sort() };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
