// The rows of `npm run bench:hostile`: issue 12's attack classes at the sizes it measured, and a baseline
// of ordinary admissions. Every attack is bounded: one answer waited for at most ANSWER_MS, holds of
// HOLD_MS, a fixed number of requests.
import * as body from './bodies.ts';
import { post, type Outcome, type Target } from './client.ts';
import { capAttacks } from './caps.ts';
import { silentConnections, stalledReaders } from './connections.ts';

export const ANSWER_MS = 30_000;
const HOLD_MS = 10_000;
/** Node's default keeps a connection that never starts TLS for 120 s; a short handshake timeout is well under this. */
export const SILENT_HOLD_MS = 15_000;

export interface AttackContext {
  inject: Target;
  preview: Target;
  pid: number;
}

export interface Attack {
  id: string;
  title: string;
  /** Work before the attack is watched (e.g. sizing a body from a measurement). */
  prepare?(ctx: AttackContext): Promise<void>;
  run(ctx: AttackContext): Promise<Outcome>;
}

const JSON_TYPE = 'application/json';
const YAML_TYPE = 'application/yaml';

const toInject = (id: string, title: string, make: () => string): Attack => ({
  id,
  title,
  run: (ctx) => post(ctx.inject, make(), JSON_TYPE, ANSWER_MS),
});
const toPreview = (id: string, title: string, type: string, make: () => string): Attack => ({
  id,
  title,
  run: (ctx) => post(ctx.preview, make(), type, ANSWER_MS),
});

/** 20 ordinary admissions one after another, then one ordinary /preview: the figures with no attack. */
async function baseline(ctx: AttackContext): Promise<Outcome> {
  const t0 = performance.now();
  const answers = new Map<string, number>();
  let slowest = 0;
  let ok = true;
  for (let i = 0; i < 20; i++) {
    const o = await post(ctx.inject, body.admission(`baseline${i}`), JSON_TYPE, 10_000);
    answers.set(o.answer, (answers.get(o.answer) ?? 0) + 1);
    slowest = Math.max(slowest, o.elapsedMs);
    ok &&= o.ok;
  }
  const p = await post(ctx.preview, JSON.stringify(body.smallPod('baseline')), JSON_TYPE, 10_000);
  const inject = [...answers].map(([a, n]) => `${n}x ${a}`).join('; ');
  return {
    status: p.status,
    bytes: p.bytes,
    elapsedMs: performance.now() - t0,
    ok: ok && p.ok,
    answer: `/inject ${inject} (slowest ${slowest.toFixed(0)} ms); /preview ${p.answer} in ${p.elapsedMs.toFixed(0)} ms`,
  };
}

/**
 * An 8 MiB body: to /inject declared up front, and streamed (chunked) so only reading finds the size;
 * streamed to /preview. Five times each: whether the client sees the 413 or a cut connection is a race.
 */
async function oversize(ctx: AttackContext): Promise<Outcome> {
  const big = body.admission('body8mib', { filler: 'x'.repeat(8 * 2 ** 20) });
  const ways: Array<[string, Target, boolean]> = [
    ['/inject with Content-Length', ctx.inject, false],
    ['/inject chunked', ctx.inject, true],
    ['/preview chunked', ctx.preview, true],
  ];
  const t0 = performance.now();
  const said: string[] = [];
  let ok = true;
  for (const [label, target, chunked] of ways) {
    const seen = new Map<string, number>();
    for (let i = 0; i < 5; i++) {
      const o = await post(target, big, JSON_TYPE, ANSWER_MS, chunked);
      seen.set(o.answer, (seen.get(o.answer) ?? 0) + 1);
      ok &&= o.ok;
    }
    said.push(`${label}: ${[...seen].map(([a, n]) => `${n}x ${a}`).join(', ')}`);
  }
  return { bytes: 0, elapsedMs: performance.now() - t0, ok, answer: said.join('; ') };
}

export function attacks(): Attack[] {
  return [
    { id: 'baseline', title: 'baseline: 20 ordinary admissions, 1 ordinary /preview', run: baseline },
    toPreview('docs', '/preview: 6 MiB of `---\\n`', YAML_TYPE, body.emptyDocuments),
    toPreview('list', '/preview: a List of 4,000 small pods', JSON_TYPE, () => body.podList(4000)),
    toPreview('keys', '/preview: a mapping of 16k keys', YAML_TYPE, () => body.wideMapping(16_000)),
    toPreview('alias', '/preview: a YAML alias bomb (9 levels of 9)', YAML_TYPE, body.aliasBomb),
    toInject('metadata', '/inject: proxy.istio.io/config with 16,000 proxyMetadata keys', () =>
      body.admission('metadata', { 'proxy.istio.io/config': body.proxyMetadataConfig(16_000) }),
    ),
    toInject('templates', '/inject: inject.istio.io/templates `sidecar,` x20,000', () =>
      body.admission('templates', { 'inject.istio.io/templates': body.manyTemplates() }),
    ),
    toInject('value4mb', '/inject: a 4 MB invalid annotation value (includeOutboundIPRanges)', () =>
      body.admission('value4mb', { 'traffic.sidecar.istio.io/includeOutboundIPRanges': body.invalidQuantity() }),
    ),
    toInject('generatename', '/inject: a 1 MB generateName', () => body.admission('generatename', {}, { generateName: `${'x'.repeat(1_000_000)}-` })),
    toInject('overrides', '/inject: proxy.istio.io/overrides nested 100k deep (on re-injection)', () =>
      body.admission('overrides', body.deepOverrides(100_000)),
    ),
    {
      id: 'silent',
      title: '300 TCP connections that never send a ClientHello',
      run: (ctx) => silentConnections(ctx.inject, ctx.pid, body.admission('silent'), 300, SILENT_HOLD_MS),
    },
    {
      id: 'stalled',
      title: '8 clients that never read a /preview answer (List of 1,000 pods each)',
      run: (ctx) => stalledReaders(ctx.preview, ctx.pid, body.podList(1000), 8, HOLD_MS),
    },
    { id: 'body8mib', title: 'an 8 MiB body, 5 times each: /inject with a Content-Length, /inject and /preview chunked', run: oversize },
    ...capAttacks(HOLD_MS),
  ];
}
