// istiod as the bench's second peer: the oracle (istiod's own injector, built by scripts/build-oracle.sh
// with Go) and Istio's default profile rendered by Istio's own renderer, the settings our built-in
// configuration stands for. Without Go (or with BENCH_ISTIOD=0) the bench runs without istiod and says why.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Operation } from 'fast-json-patch';
import { renderIstioSettings } from '../test/oracle/istiod.ts';
import { ROOT } from './servers.ts';

export type IstiodPeer = { oracle: string; settingsDir: string } | { missing: string };

/** The oracle's directory, built (or taken from the cache) by scripts/build-oracle.sh; else why not. */
function oracleDirOrWhy(): { dir: string } | { missing: string } {
  if (process.env.ORACLE_DIR) return { dir: process.env.ORACLE_DIR };
  const r = spawnSync(join(ROOT, 'scripts/build-oracle.sh'), { encoding: 'utf8', timeout: 60 * 60_000 });
  const dir = r.stdout?.trim().split('\n').at(-1);
  if (r.status === 0 && dir) return { dir };
  const why =
    r.error?.message ??
    r.stderr
      ?.trim()
      .split('\n')
      .filter((l) => l.includes('ERROR'))
      .at(-1) ??
    `exit ${r.status}`;
  return { missing: `the oracle could not be built (${why.replace(/^build-oracle: ERROR: /, '')})` };
}

/** istiod's injector and its settings (Istio's default profile, rendered into a new directory the caller removes). */
export function findIstiod(): IstiodPeer {
  if (process.env.BENCH_ISTIOD === '0') return { missing: 'BENCH_ISTIOD=0' };
  const found = oracleDirOrWhy();
  if ('missing' in found) return found;
  try {
    return { oracle: found.dir, settingsDir: renderIstioSettings(found.dir, []).dir };
  } catch (e) {
    return { missing: `the oracle could not render Istio's default profile (${(e as Error).message.split('\n')[0]})` };
  }
}

/** Whether a patch puts istio-proxy among the init containers (native sidecars), to run istiod alike. */
export function injectsNative(patchBase64: string): boolean {
  const ops = JSON.parse(Buffer.from(patchBase64, 'base64').toString('utf8') || '[]') as Operation[];
  const proxy = (v: unknown) => typeof v === 'object' && v !== null && (v as { name?: unknown }).name === 'istio-proxy';
  return ops.some(
    (op) => op.path.startsWith('/spec/initContainers') && 'value' in op && (Array.isArray(op.value) ? op.value.some(proxy) : proxy(op.value)),
  );
}
