// Properties over generated pods: every review gets a valid answer with its uid; a patch applies cleanly
// and gives the injected pod; injecting again changes nothing; nothing a pod author writes into
// annotations, labels, names or env reaches the injected containers' security-relevant fields.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { admit } from '../../src/core/admission.ts';
import { injectPod } from '../../src/core/inject.ts';
import { applyPatch } from '../../src/core/patch.ts';
import type { Container, Pod } from '../../src/core/types.ts';
import { isInjectionError } from '../../src/core/errors.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settingsByMode = { true: defaultSettings({ native: 'true' }), false: defaultSettings({ native: 'false' }) };
const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

// keys the injector reads, and some it does not; values from plain to hostile
const KNOWN_KEYS = [
  'sidecar.istio.io/inject',
  'sidecar.istio.io/proxyCPU',
  'sidecar.istio.io/proxyMemory',
  'sidecar.istio.io/logLevel',
  'sidecar.istio.io/interceptionMode',
  'traffic.sidecar.istio.io/includeInboundPorts',
  'traffic.sidecar.istio.io/excludeOutboundPorts',
  'traffic.sidecar.istio.io/includeOutboundIPRanges',
  'status.sidecar.istio.io/port',
  'proxy.istio.io/config',
  'prometheus.io/scrape',
  'prometheus.io/port',
  'prometheus.io/path',
  'sidecar.istio.io/nativeSidecar',
  'app',
  'version',
  'service.istio.io/canonical-name',
  'sidecar.istio.io/rewriteAppHTTPProbers',
  'readiness.status.sidecar.istio.io/periodSeconds',
  'kubectl.kubernetes.io/default-container',
];
const hostile = fc.constantFrom(
  'x"\n  privileged: true',
  '{"securityContext":{"privileged":true}}',
  '- name: evil',
  '{{ values }}',
  'true',
  'false',
  '15020',
  '100m',
  'TPROXY',
  'NONE',
  '*',
  '',
  '1,2,3',
  '10.0.0.0/8',
  'concurrency: 3',
  'privileged: true\ncapabilities: {add: [SYS_ADMIN]}',
  '\u0000',
  '😀 ünïcödé',
);
const value = fc.oneof(hostile, fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
const dns = fc.stringMatching(/^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/);
const stringMap = (keys: fc.Arbitrary<string>) => fc.dictionary(keys, value, { maxKeys: 6 });
const keys = fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.stringMatching(/^[a-z]{1,8}(\.[a-z]{2,5})?\/[a-zA-Z-]{1,12}$/));

const port = fc.record(
  {
    name: fc.option(dns, { nil: undefined }),
    containerPort: fc.integer({ min: 1, max: 65535 }),
    protocol: fc.option(fc.constantFrom('TCP', 'UDP'), { nil: undefined }),
  },
  { requiredKeys: ['containerPort'] },
);
const probe = fc.oneof(
  fc.record({
    httpGet: fc.record(
      { port: fc.oneof(fc.integer({ min: 1, max: 65535 }), dns), path: fc.option(fc.constantFrom('/', '/healthz', '/a b'), { nil: undefined }) },
      { requiredKeys: ['port'] },
    ),
  }),
  fc.record({ tcpSocket: fc.record({ port: fc.integer({ min: 1, max: 65535 }) }) }),
  fc.record({ exec: fc.record({ command: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }) }) }),
);
const env = fc.array(fc.record({ name: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/), value: value }), { maxLength: 5 });
const container = (name: fc.Arbitrary<string>) =>
  fc.record(
    {
      name,
      image: fc.constantFrom('app:1', 'registry.example.com/a/b@sha256:abc'),
      ports: fc.option(fc.array(port, { maxLength: 3 }), { nil: undefined }),
      env: fc.option(env, { nil: undefined }),
      readinessProbe: fc.option(probe, { nil: undefined }),
      livenessProbe: fc.option(probe, { nil: undefined }),
    },
    { requiredKeys: ['name', 'image'] },
  );
// user containers never named like injected ones here: that is the documented override mechanism, not an annotation
const appName = dns.filter((n) => !['istio-proxy', 'istio-init', 'istio-validation', 'enable-core-dump'].includes(n));
const uniqueByName = (cs: Container[]) => cs.filter((c, i) => cs.findIndex((d) => d.name === c.name) === i);

const podArb = fc
  .record({
    named: fc.boolean(),
    name: dns,
    labels: stringMap(keys),
    annotations: stringMap(keys),
    containers: fc.array(container(appName), { minLength: 1, maxLength: 4 }).map(uniqueByName),
    initContainers: fc.option(fc.array(container(appName), { maxLength: 2 }).map(uniqueByName), { nil: undefined }),
    volumes: fc.option(fc.array(fc.record({ name: dns, emptyDir: fc.constant({}) }), { maxLength: 2 }), { nil: undefined }),
  })
  .map((g): Pod => {
    const init = g.initContainers?.filter((c) => !g.containers.some((d) => d.name === c.name));
    // through JSON, as the API server sends pods (no undefined fields)
    return JSON.parse(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...(g.named ? { name: g.name } : { generateName: `${g.name}-` }), labels: g.labels, annotations: g.annotations },
        spec: {
          containers: g.containers as Container[],
          ...(init ? { initContainers: init as Container[] } : {}),
          ...(g.volumes ? { volumes: g.volumes.filter((v, i, a) => a.findIndex((w) => w.name === v.name) === i) } : {}),
        },
      }),
    ) as Pod;
  });

const review = (pod: Pod, uid: string) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid, kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'apps', object: pod },
});

/** The security-relevant fields of what was injected, with any pod-chosen images/values stripped. */
function injectedSurface(pod: Pod) {
  const ours = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].filter((c) => ['istio-proxy', 'istio-init'].includes(c.name));
  return ours.map((c) => ({ name: c.name, command: c.command, securityContext: c.securityContext, restartPolicy: c.restartPolicy }));
}

describe('properties of admission over generated pods', function () {
  this.timeout(120_000);

  it("always answers a valid AdmissionReview with the request's uid, and a patch that gives the injected pod", () => {
    fc.assert(
      fc.property(podArb, fc.uuid(), fc.boolean(), (pod, uid, native) => {
        const out = admit(review(pod, uid), { settings: settingsByMode[String(native) as 'true' | 'false'] });
        assert.equal(out.review.kind, 'AdmissionReview');
        const res = out.review.response as { uid: string; allowed: boolean; patch?: string; status?: { message: string } };
        assert.equal(res.uid, uid);
        assert.equal(typeof res.allowed, 'boolean');
        if (!res.allowed) assert.ok(res.status?.message, 'a refusal says why');
        if (res.patch) {
          const patched = applyPatch(pod, JSON.parse(Buffer.from(res.patch, 'base64').toString('utf8')));
          assert.deepEqual(patched, out.inject!.pod);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('changes nothing when injecting an injected pod again', () => {
    fc.assert(
      fc.property(podArb, fc.boolean(), (pod, native) => {
        const settings = settingsByMode[String(native) as 'true' | 'false'];
        // named exception, as in Istio: a canonical-name label that `trimAll "-_."` empties (say "-") is
        // written as the workload name's fallback only on the second pass, because Go's `default` and
        // ours treat the now-empty label as unset then
        const canonical = pod.metadata.labels?.['service.istio.io/canonical-name'];
        fc.pre(canonical === undefined || canonical === '' || canonical.replace(/^[-_.]+|[-_.]+$/g, '') !== '');
        let first: ReturnType<typeof injectPod>;
        try {
          first = injectPod(pod, { settings, namespace: 'apps' });
        } catch (e) {
          if (!isInjectionError(e)) throw e;
          return; // refused: nothing to re-inject
        }
        if (!first.decision.inject) return;
        const again = injectPod(first.pod, { settings, namespace: 'apps' });
        assert.deepEqual(again.patch, []);
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps image, command, privileges and capabilities of injected containers out of the pod author's reach", () => {
    const baseline = (native: boolean) =>
      injectedSurface(
        injectPod(
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'a', image: 'a' }] } },
          { settings: settingsByMode[String(native) as 'true' | 'false'], namespace: 'apps' },
        ).pod,
      );
    const base = { true: baseline(true), false: baseline(false) };
    fc.assert(
      fc.property(podArb, fc.boolean(), (pod, native) => {
        let r: ReturnType<typeof injectPod>;
        try {
          r = injectPod(pod, { settings: settingsByMode[String(native) as 'true' | 'false'], namespace: 'apps' });
        } catch (e) {
          if (!isInjectionError(e)) throw e;
          return;
        }
        if (!r.decision.inject) return;
        const mode = pod.metadata.annotations?.['sidecar.istio.io/interceptionMode'];
        const nativeUsed = r.nativeSidecars ? 'true' : 'false';
        const surface = injectedSurface(r.pod);
        // documented knobs: TPROXY gives the proxy NET_ADMIN and root; NONE drops istio-init
        if (mode === 'TPROXY' || mode === 'NONE') return;
        assert.deepEqual(surface, base[nativeUsed], JSON.stringify(pod.metadata));
        const images = [...r.pod.spec.containers, ...(r.pod.spec.initContainers ?? [])]
          .filter((c) => c.name === 'istio-proxy' || c.name === 'istio-init')
          .map((c) => c.image);
        const proxyImageAnn = pod.metadata.annotations?.['sidecar.istio.io/proxyImage'];
        if (proxyImageAnn === undefined)
          assert.ok(
            images.every((i) => i === 'docker.io/istio/proxyv2:1.28.0'),
            images.join(),
          );
        const added = (r.pod.spec.volumes ?? []).filter((v) => !(pod.spec.volumes ?? []).some((w) => w.name === v.name));
        assert.ok(
          added.every((v) => !('hostPath' in v)),
          'no hostPath volume is injected',
        );
      }),
      { numRuns: RUNS },
    );
  });
});
