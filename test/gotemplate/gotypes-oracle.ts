// The Go side of the data model's tests (test/gotemplate/gotypes): `gen` regenerates the type description,
// `probe` answers what text/template makes of paths through Istio's SidecarTemplateData. The binary links
// Istio, so it is built once into ~/.cache, keyed by the module's go.sum and sources.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GOTYPES_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'gotypes');
export const GENERATED_FILE = join(GOTYPES_SOURCE, '..', '..', '..', 'src', 'core', 'gotemplate', 'data', 'go-types.generated.ts');

export type PathStep = string | number;

export interface ProbeCase {
  pod: unknown;
  namespace: string;
  mesh: unknown;
  proxyConfig: unknown;
  values: unknown;
  revision: string;
  nativeSidecars: boolean;
  paths: PathStep[][];
}

export interface ProbeResult {
  type: string;
  nil: boolean;
  json?: unknown;
  protojson?: unknown;
  printed?: string;
  error?: string;
}

function sourceKey(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(GOTYPES_SOURCE).sort()) {
    if (f === 'go.mod' || f === 'go.sum' || f.endsWith('.go')) h.update(f).update(readFileSync(join(GOTYPES_SOURCE, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Builds (or finds) the binary; a first build fetches and compiles Istio's dependencies (about a minute). */
export function gotypesBinary(): string {
  const dir = join(homedir(), '.cache', 'sidecar-injector', 'gotypes', sourceKey());
  const binary = join(dir, 'gotypes');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  execFileSync('go', ['build', '-o', tmp, '.'], {
    cwd: GOTYPES_SOURCE,
    timeout: 600_000,
    stdio: 'pipe',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  renameSync(tmp, binary);
  return binary;
}

export function generateGoTypes(binary: string): string {
  return execFileSync(binary, ['gen'], { timeout: 60_000, maxBuffer: 64 << 20 }).toString('utf8');
}

export function probeGo(binary: string, cases: ProbeCase[]): Array<{ results?: ProbeResult[]; error?: string }> {
  const out = execFileSync(binary, ['probe'], { input: JSON.stringify(cases), timeout: 120_000, maxBuffer: 1 << 30 });
  return JSON.parse(out.toString('utf8'));
}
