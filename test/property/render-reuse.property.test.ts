// Render reuse changes what an admission costs, never what it answers: a sequence of replicas of a few
// generated apps, injected with reuse on and with it off (`reuse: false`), gives the same results, one
// by one, refusals included. Replicas differ where templates do not look (name, generated volume,
// pod-template-hash) and, sometimes, where they do (an annotation changed on one replica only).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isInjectionError } from '../../src/core/errors.ts';
import { injectPod, type InjectResult } from '../../src/core/inject.ts';
import type { Settings } from '../../src/core/settings/index.ts';
import type { Container, Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 40);
const dns = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
const appName = dns.filter((n) => !['istio-proxy', 'istio-init', 'istio-validation', 'enable-core-dump'].includes(n));

// annotations the templates and post-processing read, with values that matter (and a few they refuse)
const annotation = fc.oneof(
  fc.tuple(fc.constant('sidecar.istio.io/logLevel'), fc.constantFrom('debug', 'info', 'warning')),
  fc.tuple(fc.constant('sidecar.istio.io/interceptionMode'), fc.constantFrom('REDIRECT', 'TPROXY', 'NONE', 'bogus')),
  fc.tuple(fc.constant('sidecar.istio.io/proxyCPU'), fc.constantFrom('100m', '200m', 'lots')),
  fc.tuple(fc.constant('status.sidecar.istio.io/port'), fc.constantFrom('15020', '15021', '0')),
  fc.tuple(fc.constant('sidecar.istio.io/rewriteAppHTTPProbers'), fc.constantFrom('true', 'false')),
  fc.tuple(fc.constant('sidecar.istio.io/nativeSidecar'), fc.constantFrom('true', 'false')),
  fc.tuple(fc.constant('traffic.sidecar.istio.io/includeInboundPorts'), fc.constantFrom('*', '8080', '80,81')),
  fc.tuple(
    fc.constant('proxy.istio.io/config'),
    fc.constantFrom('holdApplicationUntilProxyStarts: true', 'concurrency: 4', 'interceptionMode: TPROXY'),
  ),
  fc.tuple(fc.constant('prometheus.io/scrape'), fc.constantFrom('true', 'false')),
);
const probe = fc.oneof(
  fc.record({ httpGet: fc.record({ port: fc.constantFrom(8080, 'http'), path: fc.constantFrom('/', '/healthz') }) }),
  fc.record({ tcpSocket: fc.record({ port: fc.integer({ min: 1, max: 65535 }) }) }),
);
const container = fc.record(
  {
    name: appName,
    image: fc.constantFrom('app:1', 'app:2'),
    ports: fc.array(fc.record({ name: fc.constantFrom('http', 'grpc'), containerPort: fc.constantFrom(80, 8080, 9090) }), { maxLength: 2 }),
    readinessProbe: fc.option(probe, { nil: undefined }),
  },
  { requiredKeys: ['name', 'image', 'ports'] },
);
const app = fc.record({
  name: appName,
  annotations: fc.array(annotation, { maxLength: 3 }).map((kv) => Object.fromEntries(kv)),
  containers: fc.uniqueArray(container, { minLength: 1, maxLength: 3, selector: (c) => c.name }),
});
const replica = fc.record({
  app: fc.nat(),
  suffix: fc.stringMatching(/^[a-z0-9]{5}$/),
  // now and then one replica differs where the templates do look
  extra: fc.option(annotation, { nil: undefined, freq: 4 }),
  reinject: fc.boolean(),
});

type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

function podOf(a: Generated<typeof app>, r: Generated<typeof replica>): Pod {
  const annotations = { ...a.annotations, ...(r.extra ? { [r.extra[0]]: r.extra[1] } : {}) };
  return JSON.parse(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: `${a.name}-`, labels: { app: a.name, 'pod-template-hash': r.suffix }, annotations },
      spec: { serviceAccountName: 'default', volumes: [{ name: `kube-api-access-${r.suffix}` }], containers: a.containers as Container[] },
    }),
  ) as Pod;
}

/** A result as JSON, or the refusal's code and message; anything else that is thrown fails the test. */
function outcome(settings: Settings, pod: Pod): { ok: InjectResult } | { refused: string } {
  try {
    return { ok: JSON.parse(JSON.stringify(injectPod(pod, { settings, namespace: 'apps' }))) as InjectResult };
  } catch (e) {
    if (!isInjectionError(e)) throw e;
    return { refused: `${e.code}: ${e.message}` };
  }
}

describe('render reuse: reused and fresh renders give the same results', function () {
  this.timeout(120_000);

  it('injects a generated sequence of replicas the same with reuse on and off', () => {
    fc.assert(
      fc.property(
        fc.array(app, { minLength: 1, maxLength: 3 }),
        fc.array(replica, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('true', 'false' as const),
        (apps, replicas, native) => {
          const reused = defaultSettings({ native });
          const fresh = defaultSettings({ native, reuse: false });
          for (const r of replicas) {
            const pod = podOf(apps[r.app % apps.length]!, r);
            const a = outcome(reused, pod);
            assert.deepEqual(a, outcome(fresh, pod));
            if (r.reinject && 'ok' in a) assert.deepEqual(outcome(reused, a.ok.pod), outcome(fresh, a.ok.pod), 're-injecting the result');
          }
        },
      ),
      { numRuns: RUNS, seed: 13 },
    );
  });

  it('shares frozen renders between admissions with reuse on, from the second sighting, and never with reuse off', () => {
    const pod = (suffix: string): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'web-', labels: { 'pod-template-hash': suffix } },
      spec: { volumes: [{ name: `kube-api-access-${suffix}` }], containers: [{ name: 'web', image: 'w' }] },
    });
    const proxyArgs = (settings: Settings, suffix: string) =>
      injectPod(pod(suffix), { settings, namespace: 'apps' }).pod.spec.containers.find((c) => c.name === 'istio-proxy')!.args!;
    const on = defaultSettings({ native: 'false' });
    const off = defaultSettings({ native: 'false', reuse: false });
    assert.equal(on.reuse, true, 'on by default');
    const [a, b, c] = [proxyArgs(on, 'aaaaa'), proxyArgs(on, 'bbbbb'), proxyArgs(on, 'ccccc')];
    // the first render is kept only to splice later ones into (render/splice.ts: one or two per template),
    // frozen and shared once one is: pods that never repeat leave nothing more behind
    assert.ok(!Object.isFrozen(a), 'reuse on: the first replica renders afresh, and its render is not shared');
    assert.ok(Object.isFrozen(b) && b === c, "reuse on: the second replica's render is shared, and the third gets it");
    const [d, e] = [proxyArgs(off, 'aaaaa'), proxyArgs(off, 'bbbbb')];
    assert.ok(!Object.isFrozen(d) && d !== e, 'reuse off: each admission renders afresh');
    assert.deepEqual([d, e], [a, b], 'and the results are equal');
  });

  it("shares one render between a Deployment's replicas across a rollout, and gives a pod that differs where the template reads its own values", () => {
    // what a ReplicaSet sends: its hash in the owner, generateName and label; a generated volume name; the
    // restartedAt annotation `kubectl rollout restart` writes
    const replica = (hash: string, app = 'web'): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `web-${hash}-`,
        labels: { app, 'pod-template-hash': hash },
        annotations: { 'kubectl.kubernetes.io/restartedAt': `2026-12-01T10:00:${hash.slice(0, 2)}Z` },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${hash}`, uid: `uid-${hash}`, controller: true }],
      },
      spec: {
        serviceAccountName: 'web',
        volumes: [{ name: `kube-api-access-${hash.slice(0, 5)}` }],
        containers: [{ name: 'web', image: 'w', ports: [{ containerPort: 8080 }] }],
      },
    });
    const settings = defaultSettings({ native: 'false' });
    const inject = (p: Pod) => injectPod(p, { settings, namespace: 'apps' }).pod;
    const argsOf = (p: Pod) => p.spec.containers.find((c) => c.name === 'istio-proxy')!.args!;
    const hashes = ['7d4b9c6f5', '7d4b9c6f5', '5f6c8d9a1', '9a8b7c6d5'];
    const pods = hashes.map((h) => inject(replica(h)));
    const [, second, ...rest] = pods.map(argsOf);
    assert.ok(Object.isFrozen(second), 'kept from the second sighting');
    for (const r of rest) assert.equal(r, second, 'replicas of the next ReplicaSets get the same render');
    const other = inject(replica('9a8b7c6d5', 'shop'));
    // a different app label is read by the template: rendered afresh, and spliced into the kept render,
    // whose parts the label does not reach are shared
    assert.equal(argsOf(other), second);
    assert.equal(other.metadata.labels?.['service.istio.io/canonical-name'], 'shop');
    assert.equal(pods[3]!.metadata.labels?.['service.istio.io/canonical-name'], 'web');
  });
});
