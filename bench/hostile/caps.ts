// The rows of `npm run bench:hostile` at the caps: for each attack class, the largest input the injector
// still accepts, sized from the cap constants in src (so the rows follow the caps when they change).
import { MAX_ANNOTATION_VALUE, MAX_JSON_DEPTH, MAX_TEMPLATES } from '../../src/core/annotations.ts';
import { MAX_DOCUMENTS, MAX_NESTING_DEPTH, MAX_NODES, MAX_PREVIEW_OBJECTS, MAX_YAML_ALIASES } from '../../src/core/limits.ts';
import { MAX_PROXY_CONFIG_SEPARATORS, MAX_PROXY_METADATA_ENTRIES } from '../../src/core/proxy-config-annotation.ts';
import { MAX_BODY_BYTES } from '../../src/http/body.ts';
import { PREVIEW_DEFAULTS } from '../../src/http/preview-runner.ts';
import { WEBHOOK_LIMITS } from '../../src/http/servers.ts';
import * as body from './bodies.ts';
import { post, type Outcome, type Target } from './client.ts';
import { idleKeepAlive, stalledReaders } from './connections.ts';
import type { Attack, AttackContext } from './attacks.ts';

const JSON_TYPE = 'application/json';
const YAML_TYPE = 'application/yaml';
const ANSWER_MS = 30_000;
/** Bodies aim just under the body cap (the review's own wrapper and rounding stay inside it). */
const BODY = Math.floor(MAX_BODY_BYTES * 0.97);
/** Values in one object the rows leave for the pod around their hostile part. */
const SPARE_NODES = 200;
const HEAVY_CONTAINERS = 4;
const n = (x: number) => x.toLocaleString('en-US');

/**
 * Env vars per container of MAX_PREVIEW_OBJECTS heavy pods whose preview answer is just under the answer
 * cap (and whose body is under the body cap): measured on one pod with two env counts (linear in between).
 */
async function heavyEnvForAnswerCap(preview: Target): Promise<number> {
  const one = async (env: number) => (await post(preview, body.heavyList(1, HEAVY_CONTAINERS, env), JSON_TYPE, ANSWER_MS)).bytes;
  const [a0, a40] = [await one(0), await one(40)];
  if (!(a40 > a0)) throw new Error(`calibrating the heavy preview: answers of ${a0} and ${a40} bytes`);
  const perPod = (PREVIEW_DEFAULTS.maxAnswerBytes * 0.97) / MAX_PREVIEW_OBJECTS;
  let env = Math.max(0, Math.floor(((perPod - a0) * 40) / (a40 - a0)));
  for (let i = 0; i < 40 && env > 0 && body.heavyList(MAX_PREVIEW_OBJECTS, HEAVY_CONTAINERS, env).length > BODY; i++) env = Math.floor(env * 0.95);
  return env;
}

/** The largest n in [lo, hi] whose preview `make(n)` is answered 200 (bisected, `steps` requests). */
async function largestAccepted(preview: Target, make: (n: number) => string, lo: number, hi: number, steps = 6): Promise<number> {
  for (let i = 0; i < steps && hi - lo > 1; i++) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await post(preview, make(mid), YAML_TYPE, ANSWER_MS)).status === 200) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A row whose size is measured first (before the attack is watched): `size` gives n and the body. */
function sized(
  id: string,
  title: (n: number) => string,
  size: (ctx: AttackContext) => Promise<[number, string]>,
  run: (ctx: AttackContext, body: string) => Promise<Outcome>,
): Attack {
  let text = '';
  const attack: Attack = {
    id,
    title: title(NaN),
    async prepare(ctx) {
      const [count, made] = await size(ctx);
      text = made;
      attack.title = `${title(count)} (${(text.length / 2 ** 20).toFixed(1)} MiB body)`;
    },
    run: (ctx) => run(ctx, text),
  };
  return attack;
}

async function heavyList(ctx: AttackContext): Promise<[number, string]> {
  const env = await heavyEnvForAnswerCap(ctx.preview);
  return [env, body.heavyList(MAX_PREVIEW_OBJECTS, HEAVY_CONTAINERS, env)];
}

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
const annotated = (id: string, annotations: Record<string, string>) => body.admission(id, annotations);

const metadataAtCap = () => body.proxyMetadataAtCap(MAX_PROXY_METADATA_ENTRIES, MAX_ANNOTATION_VALUE, MAX_PROXY_CONFIG_SEPARATORS);
const templatesAtCap = () => Array.from({ length: MAX_TEMPLATES }, () => 'sidecar').join(',');
const DEPTH_BRANCHES = Math.floor((MAX_NODES - SPARE_NODES) / (MAX_NESTING_DEPTH - 2));
/** `yaml` refuses an alias count equal to maxAliasCount: MAX_YAML_ALIASES - 1 is the most accepted. */
const ALIASES = MAX_YAML_ALIASES - 1;
const ALIASED_KEYS = Math.floor((MAX_NODES - SPARE_NODES) / (ALIASES + 1));
const KIB = MAX_ANNOTATION_VALUE / 1024;

/** One envPod at the body cap, `count` times at once. */
async function burst(ctx: AttackContext, count: number): Promise<Outcome> {
  const big = body.envPod(60_000, BODY);
  const t0 = performance.now();
  const outcomes = await Promise.all(Array.from({ length: count }, () => post(ctx.inject, big, JSON_TYPE, ANSWER_MS)));
  const seen = new Map<string, number>();
  for (const o of outcomes) seen.set(o.answer, (seen.get(o.answer) ?? 0) + 1);
  const slowest = Math.max(...outcomes.map((o) => o.elapsedMs));
  return {
    bytes: 0,
    elapsedMs: performance.now() - t0,
    ok: outcomes.every((o) => o.ok),
    answer: `${[...seen].map(([a, k]) => `${k}x ${a}`).join('; ')} (slowest ${slowest.toFixed(0)} ms)`,
  };
}

export function capAttacks(holdMs: number): Attack[] {
  const mib = (BODY / 2 ** 20).toFixed(1);
  return [
    sized(
      'cap-heavy',
      (env) =>
        `/preview at the caps: ${MAX_PREVIEW_OBJECTS} distinct pods of ${HEAVY_CONTAINERS} containers (ports, probes, ${env} env each), answer just under ${PREVIEW_DEFAULTS.maxAnswerBytes / 2 ** 20} MiB`,
      heavyList,
      (ctx, list) => post(ctx.preview, list, JSON_TYPE, ANSWER_MS),
    ),
    toPreview(
      'cap-docs',
      `/preview at the caps: ${n(MAX_DOCUMENTS - 1)} documents (${MAX_PREVIEW_OBJECTS} pods, the rest comments) in ${mib} MiB`,
      YAML_TYPE,
      () => body.manyDocuments(MAX_DOCUMENTS - 1, MAX_PREVIEW_OBJECTS, BODY),
    ),
    toPreview('cap-keys', `/preview at the caps: a mapping of ${n(MAX_NODES - SPARE_NODES)} keys in ${mib} MiB`, YAML_TYPE, () =>
      body.paddedMapping(MAX_NODES - SPARE_NODES, BODY),
    ),
    sized(
      'cap-keys-ok',
      (k) => `/preview: the widest mapping accepted (${n(k)} short keys, bisected)`,
      async (ctx) => {
        const k = await largestAccepted(ctx.preview, (x) => body.paddedMapping(x, 0), 0, MAX_NODES - SPARE_NODES);
        return [k, body.paddedMapping(k, 0)];
      },
      (ctx, text) => post(ctx.preview, text, YAML_TYPE, ANSWER_MS),
    ),
    toPreview(
      'cap-depth',
      `/preview at the caps: ${n(DEPTH_BRANCHES)} lists nested ${MAX_NESTING_DEPTH} deep (with the pod's own level)`,
      YAML_TYPE,
      () => body.deepBranches(MAX_NESTING_DEPTH - 1, DEPTH_BRANCHES),
    ),
    sized(
      'cap-depth-ok',
      (b) => `/preview: the most lists nested ${MAX_NESTING_DEPTH} deep accepted (${n(b)}, bisected)`,
      async (ctx) => {
        const b = await largestAccepted(ctx.preview, (x) => body.deepBranches(MAX_NESTING_DEPTH - 1, x), 0, DEPTH_BRANCHES);
        return [b, body.deepBranches(MAX_NESTING_DEPTH - 1, b)];
      },
      (ctx, text) => post(ctx.preview, text, YAML_TYPE, ANSWER_MS),
    ),
    toPreview('cap-alias', `/preview at the caps: ${ALIASES} aliases of a ${n(ALIASED_KEYS)}-key mapping`, YAML_TYPE, () =>
      body.manyAliases(ALIASES, ALIASED_KEYS),
    ),
    sized(
      'cap-stalled',
      (env) => `8 clients that never read a /preview answer just under the answer cap (${MAX_PREVIEW_OBJECTS} pods, ${env} env per container)`,
      heavyList,
      (ctx, list) => stalledReaders(ctx.preview, ctx.pid, list, 8, holdMs),
    ),
    toInject(
      'cap-metadata',
      `/inject at the caps: proxy.istio.io/config with ${MAX_PROXY_METADATA_ENTRIES} proxyMetadata entries in ${KIB} KiB`,
      () => annotated('cap-metadata', { 'proxy.istio.io/config': metadataAtCap() }),
    ),
    toInject('cap-templates', `/inject at the caps: inject.istio.io/templates naming ${MAX_TEMPLATES} templates`, () =>
      annotated('cap-templates', { 'inject.istio.io/templates': templatesAtCap() }),
    ),
    toInject('cap-annotations', `/inject at the caps: every annotation the injector reads, long ones at ${KIB} KiB (valid lists)`, () =>
      annotated('cap-annotations', body.everyAnnotationAtCap(MAX_ANNOTATION_VALUE, templatesAtCap(), metadataAtCap())),
    ),
    toInject('cap-annotations-no-k', `/inject at the caps: the same, but kubevirtInterfaces and reroute-virtual-interfaces short`, () =>
      annotated('cap-annotations-no-k', {
        ...body.everyAnnotationAtCap(MAX_ANNOTATION_VALUE, templatesAtCap(), metadataAtCap()),
        'traffic.sidecar.istio.io/kubevirtInterfaces': 'net1',
        'istio.io/reroute-virtual-interfaces': 'net1',
      }),
    ),
    toInject('cap-overrides', `/inject at the caps: proxy.istio.io/overrides ${KIB} KiB nested ${MAX_JSON_DEPTH} deep (on re-injection)`, () =>
      annotated('cap-overrides', body.deepestOverrides(MAX_JSON_DEPTH, MAX_ANNOTATION_VALUE)),
    ),
    toInject('cap-env', `/inject at the caps: one container with 60,000 env vars (${mib} MiB)`, () => body.envPod(60_000, BODY)),
    toInject('cap-containers', `/inject at the caps: 2,000 containers with ports, probes and 20 env each (${mib} MiB)`, () =>
      body.manyContainers(2000, 20, BODY),
    ),
    toInject('cap-probes', `/inject at the caps: 20,000 containers with a probe each (${mib} MiB)`, () => body.probedContainers(20_000, BODY)),
    toInject('cap-labels', `/inject at the caps: 60,000 labels (${mib} MiB)`, () => body.manyLabels(60_000, BODY)),
    { id: 'cap-burst', title: `/inject at the caps: 8 pods of 60,000 env vars (${mib} MiB each) at once`, run: (ctx) => burst(ctx, 8) },
    {
      id: 'cap-keepalive',
      title: `${WEBHOOK_LIMITS.maxConnections} connections (the webhook's cap) idle with keep-alive after one admission each`,
      run: (ctx) => idleKeepAlive(ctx.inject, ctx.pid, body.admission('keepalive'), WEBHOOK_LIMITS.maxConnections, 5000),
    },
  ];
}
