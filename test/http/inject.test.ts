// The webhook over real HTTPS with real AdmissionReviews, as the API server sends them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { isList, parseDocuments } from '../../src/core/documents.ts';
import { applyPatch } from '../../src/core/patch.ts';
import type { Pod } from '../../src/core/types.ts';
import { isInjectableKind, podOf } from '../../src/core/workloads.ts';
import { admittedPod, asTemplate } from '../helpers/admission.ts';
import { metricValue, startTestInjector, type TestInjector } from '../helpers/server.ts';
import { normalize } from '../helpers/semantic.ts';
import { ISTIO_FIXTURES } from '../helpers/settings.ts';

const review = (pod: unknown, opts: { uid?: string; version?: string; namespace?: string; dryRun?: boolean } = {}) =>
  JSON.stringify({
    apiVersion: opts.version ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: opts.uid ?? 'uid-1',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: opts.namespace ?? 'default',
      operation: 'CREATE',
      object: pod,
      dryRun: opts.dryRun ?? false,
    },
  });

const simplePod = (annotations: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    generateName: 'web-6d8f-',
    annotations,
    labels: { 'pod-template-hash': '6d8f' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6d8f', controller: true }],
  },
  spec: { containers: [{ name: 'web', image: 'web:1' }] },
});

describe('webhook /inject over HTTPS', () => {
  let inj: TestInjector;
  before(async () => {
    const shared = join(ISTIO_FIXTURES, 'settings');
    inj = await startTestInjector({ configDir: undefined, sets: [], nativeSidecars: 'true' });
    void shared;
  });
  after(() => inj.stop(1000));

  for (const version of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1']) {
    it(`answers ${version} in ${version} with the request's uid and a patch that gives the injected pod`, async () => {
      const pod = simplePod();
      const r = await inj.post('/inject', review(pod, { uid: `u-${version}`, version, namespace: 'shop' }));
      assert.equal(r.status, 200);
      const body = r.json();
      assert.equal(body.apiVersion, version);
      assert.equal(body.kind, 'AdmissionReview');
      assert.equal(body.request, undefined, 'the response carries no request');
      assert.equal(body.response.uid, `u-${version}`);
      assert.equal(body.response.allowed, true);
      assert.equal(body.response.patchType, 'JSONPatch');
      const patched = applyPatch(pod, JSON.parse(Buffer.from(body.response.patch, 'base64').toString('utf8')));
      assert.deepEqual(
        patched.spec.initContainers!.map((c) => c.name),
        ['istio-init', 'istio-proxy'],
      );
      const env = Object.fromEntries(patched.spec.initContainers![1]!.env!.map((e) => [e.name, e.value]));
      assert.equal(env.ISTIO_META_OWNER, 'kubernetes://apis/apps/v1/namespaces/shop/deployments/web', 'generateName pods take the request namespace');
    });
  }

  it("turns Istio's shared inputs, sent as pods, into Istio's pods", async () => {
    const settingsOpts = { sets: [] as string[] };
    void settingsOpts;
    for (const [input, golden] of [
      ['hello.yaml', 'hello.yaml.injected'],
      ['multi-init.yaml', 'multi-init.yaml.injected'],
      ['traffic-annotations-wildcards.yaml', 'traffic-annotations-wildcards.yaml.injected'],
    ]) {
      const objs = parseDocuments(readFileSync(join(ISTIO_FIXTURES, 'inject', input!), 'utf8'))
        .flatMap((o) => (isList(o) ? (o.items as Record<string, unknown>[]) : [o]))
        .filter((o) => isInjectableKind(o.kind));
      const want = parseDocuments(readFileSync(join(ISTIO_FIXTURES, 'inject', golden!), 'utf8'));
      for (const [i, obj] of objs.entries()) {
        const pod = admittedPod(obj, 'default');
        const r = (await inj.post('/inject', review(pod, { uid: `g-${i}` }))).json();
        assert.equal(r.response.allowed, true, r.response.status?.message);
        const patched = applyPatch(pod, JSON.parse(Buffer.from(r.response.patch, 'base64').toString('utf8')));
        const expected = podOf(want[i]!);
        // our defaults use docker.io/istio and a released tag; Istio's goldens its test registry
        const got = JSON.parse(
          JSON.stringify(asTemplate(patched, String(obj.kind))).replaceAll(
            'docker.io/istio/proxyv2:1.28.0',
            'registry.istio.io/testing/proxyv2:latest',
          ),
        );
        assert.deepEqual(normalize(got), normalize({ metadata: expected.metadata, spec: expected.spec }), input);
      }
    }
  });

  it('skips with allowed: true and no patch, and counts it', async () => {
    const before = metricValue((await inj.ops('/metrics')).body, 'sidecar_injection_skip_total') ?? 0;
    const r = (await inj.post('/inject', review(simplePod({ 'sidecar.istio.io/inject': 'false' }), { uid: 'skip-1' }))).json();
    assert.deepEqual(r.response, { uid: 'skip-1', allowed: true });
    const metrics = (await inj.ops('/metrics')).body;
    assert.equal(metricValue(metrics, 'sidecar_injection_skip_total'), before + 1);
    assert.ok((metricValue(metrics, 'sidecar_injection_decisions_total', { result: 'skipped', reason: 'ANNOTATION_DISABLED' }) ?? 0) >= 1);
  });

  it('refuses an invalid annotation with allowed: false and a message naming it', async () => {
    const r = (await inj.post('/inject', review(simplePod({ 'traffic.sidecar.istio.io/includeOutboundIPRanges': 'bad' }), { uid: 'bad-1' }))).json();
    assert.equal(r.response.uid, 'bad-1');
    assert.equal(r.response.allowed, false);
    assert.match(r.response.status.message, /traffic\.sidecar\.istio\.io\/includeOutboundIPRanges/);
    assert.equal(r.response.patch, undefined);
  });

  it('behaves the same for dryRun requests', async () => {
    const a = (await inj.post('/inject', review(simplePod(), { uid: 'd', dryRun: true }))).json();
    const b = (await inj.post('/inject', review(simplePod(), { uid: 'd', dryRun: false }))).json();
    assert.deepEqual(a, b);
  });

  it("takes cluster and network from Istio's path parameters", async () => {
    const r = (await inj.post('/inject/cluster/east/net/net--slash--1', review(simplePod(), { uid: 'p' }))).json();
    const patched = applyPatch(simplePod(), JSON.parse(Buffer.from(r.response.patch, 'base64').toString('utf8')));
    const env = patched.spec.initContainers![1]!.env!;
    assert.deepEqual(env.slice(-2), [
      { name: 'ISTIO_META_CLUSTER_ID', value: 'east' },
      { name: 'ISTIO_META_NETWORK', value: 'net/1' },
    ]);
    assert.equal(patched.metadata.labels!['topology.istio.io/network'], 'net/1');
  });

  it('splits path parameters after decoding, as istiod does: %2F separates like /', async () => {
    const envOf = async (path: string) => {
      const r = (await inj.post(path, review(simplePod(), { uid: 's' }))).json();
      const patched = applyPatch(simplePod(), JSON.parse(Buffer.from(r.response.patch, 'base64').toString('utf8')));
      return Object.fromEntries(patched.spec.initContainers![1]!.env!.map((e) => [e.name, e.value]));
    };
    const split = await envOf('/inject/cluster%2Feast/net/n1');
    assert.equal(split.ISTIO_META_CLUSTER_ID, 'east');
    assert.equal(split.ISTIO_META_NETWORK, 'n1');
    const legacy = await envOf('/inject/:ENV:cluster=c--slash--1:ENV:net=n1');
    assert.equal(legacy.ISTIO_META_CLUSTER_ID, 'c--slash--1', 'the deprecated :ENV: form keeps --slash-- as istiod does');
  });

  it('answers /inject with a query string or a trailing slash, and refuses malformed path parameters with 400 naming the path', async () => {
    for (const path of ['/inject?timeout=10s', '/inject/']) {
      const r = await inj.post(path, review(simplePod(), { uid: 'q' }));
      assert.equal(r.status, 200, `${path}: ${r.body}`);
      assert.equal(r.json().response.uid, 'q');
    }
    const bad = await inj.post('/inject/cluster/%E0%A4%A', review(simplePod()));
    assert.equal(bad.status, 400);
    assert.match(bad.body, /invalid \/inject path parameters: "\/inject\/cluster\/%E0%A4%A"/);
  });

  describe('error paths', () => {
    it('415 for a body that is not JSON by Content-Type', async () => {
      const r = await inj.post('/inject', review(simplePod()), { 'content-type': 'text/plain' });
      assert.equal(r.status, 415);
      assert.match(r.body, /want `application\/json`/);
    });
    it('400 for an empty body', async () => {
      const r = await inj.post('/inject', '');
      assert.equal(r.status, 400);
      assert.match(r.body, /no body found/);
    });
    it('413 for a body over 6 MiB, without keeping it, then the connection closes', async () => {
      const big = Buffer.alloc(6 * 1024 * 1024 + 1, 0x20);
      const r = await inj.post('/inject', big);
      assert.equal(r.status, 413);
      assert.equal(r.headers.connection, 'close');
    });
    const bad: Array<[string, string, RegExp]> = [
      ['malformed JSON', '{"apiVersion": ', /not an AdmissionReview/],
      ['a JSON array', '[1,2]', /not an AdmissionReview/],
      ['another kind', JSON.stringify({ apiVersion: 'v1', kind: 'Pod' }), /not an AdmissionReview/],
      ['no request', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), /no request/],
      [
        'no uid',
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { kind: { kind: 'Pod' }, object: simplePod() } }),
        /no uid/,
      ],
      [
        'a Deployment',
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: { uid: 'x', kind: { group: 'apps', kind: 'Deployment' }, object: {} },
        }),
        /only Pods/,
      ],
      ['a pod without spec', review({ metadata: {} }), /request\.object is not a Pod/],
      ['containers not a list', review({ metadata: {}, spec: { containers: {} } }), /containers must be a list/],
      ['labels not strings', review({ metadata: { labels: { a: 1 } }, spec: { containers: [] } }), /metadata\.labels must map strings to strings/],
    ];
    for (const [what, body, why] of bad) {
      it(`answers ${what} with a valid AdmissionReview: allowed false, clear message`, async () => {
        const r = await inj.post('/inject', body);
        assert.equal(r.status, 200);
        const b = r.json();
        assert.equal(b.kind, 'AdmissionReview');
        assert.equal(b.response.allowed, false);
        assert.match(b.response.status.message, why);
        assert.equal(typeof b.response.uid, 'string');
      });
    }
  });

  it('serves TLS 1.2 and above only', async () => {
    const err = await new Promise<Error | undefined>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: inj.webhookPort, ca: inj.ca.cert, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => {
        s.end();
        resolve(undefined);
      });
      s.on('error', resolve);
    });
    assert.ok(err, 'a TLS 1.1 handshake must fail');
  });

  it('logs one line per admission with uid, namespace, pod, decision, reason and duration, and no env values', async () => {
    const secret = 'hunter2-secret-value';
    const pod = simplePod();
    pod.spec.containers[0]!.env = [{ name: 'PASSWORD', value: secret }];
    await inj.post('/inject', review(pod, { uid: 'log-1', namespace: 'payments' }));
    const line = inj.logs.find((l) => l.uid === 'log-1');
    assert.ok(line);
    assert.equal(line.namespace, 'payments');
    assert.equal(line.pod, 'web-6d8f-');
    assert.equal(line.decision, 'injected');
    assert.equal(line.reason, 'POLICY_ENABLED');
    assert.equal(typeof line.durationMs, 'number');
    assert.ok(!JSON.stringify(inj.logs).includes(secret));
  });

  it('keeps /inject and /preview off the plain-HTTP port, which serves health and metrics', async () => {
    assert.equal((await inj.ops('/inject')).status, 404);
    assert.equal((await inj.ops('/preview')).status, 404);
    assert.equal((await inj.ops('/healthz')).status, 200);
    assert.equal((await inj.ops('/readyz')).status, 200);
    const m = (await inj.ops('/metrics')).body;
    for (const name of [
      'sidecar_injection_requests_total',
      'sidecar_injection_success_total',
      'sidecar_injection_failure_total',
      'sidecar_injection_skip_total',
      'sidecar_injection_time_seconds_bucket',
    ]) {
      assert.ok(m.includes(name), name);
    }
    assert.match(m, /sidecar_injector_admission_duration_seconds_bucket\{le="0.0005",endpoint="inject"\}/);
  });
});
