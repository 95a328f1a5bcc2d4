// What a pod author can send through annotations, at its limits: every cap refuses with the annotation's
// name, parsing is linear (16,000 proxyMetadata keys took 26.6 s before), proxyMetadata keys are env
// names Kubernetes accepts and never shadow env the template injects, and the operator's
// deniedAnnotations refuses chosen annotations.
import assert from 'node:assert/strict';
import { readTemplatesDir } from '../../src/config/files.ts';
import { admit } from '../../src/core/admission.ts';
import { MAX_ANNOTATION_VALUE, MAX_TEMPLATES } from '../../src/core/annotations.ts';
import { InjectionError } from '../../src/core/errors.ts';
import { injectPod, type InjectResult } from '../../src/core/inject.ts';
import { MAX_PROXY_METADATA_ENTRIES } from '../../src/core/proxy-config-annotation.ts';
import { buildSettings, type Settings } from '../../src/core/settings/index.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings({ native: 'false' });
const pod = (annotations: Record<string, unknown>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'shop', annotations: annotations as Record<string, string> },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});
const inject = (annotations: Record<string, unknown>, s: Settings = settings): InjectResult =>
  injectPod(pod(annotations), { settings: s, namespace: 'shop' });

function refused(
  annotations: Record<string, unknown>,
  subject: string,
  why: RegExp,
  s: Settings = settings,
  code = 'INVALID_ANNOTATION',
): InjectionError {
  try {
    inject(annotations, s);
  } catch (e) {
    if (!(e instanceof InjectionError)) throw e;
    assert.equal(e.code, code, e.message);
    assert.equal(e.subject, subject, e.message);
    assert.match(e.message, why);
    assert.ok(e.message.length < 2000, `message of ${e.message.length} characters`);
    return e;
  }
  assert.fail(`${JSON.stringify(Object.keys(annotations))} was allowed`);
}

const metadata = (n: number, value = (i: number) => `v${i}`): string => {
  const lines = ['proxyMetadata:'];
  for (let i = 0; i < n; i++) lines.push(`  K${i}: ${value(i)}`);
  return lines.join('\n');
};
const envOf = (r: InjectResult, container: string) =>
  [...r.pod.spec.containers, ...(r.pod.spec.initContainers ?? [])].find((c) => c.name === container)?.env ?? [];

describe('annotation caps', () => {
  it('refuses a value of an annotation the injector reads over the size limit, naming it, and leaves other annotations alone', () => {
    const big = 'x'.repeat(MAX_ANNOTATION_VALUE + 1);
    refused({ 'sidecar.istio.io/proxyImage': big }, 'sidecar.istio.io/proxyImage', /longer than the limit of 32768 characters/);
    refused({ 'sidecar.istio.io/userVolume': big }, 'sidecar.istio.io/userVolume', /longer than the limit/);
    const e = refused({ 'proxy.istio.io/config': `concurrency: 2\n#${'x'.repeat(4_000_000)}` }, 'proxy.istio.io/config', /longer than the limit/);
    assert.ok(e.message.length < 1000, 'a 4 MB value is not echoed');
    assert.equal(inject({ 'kubectl.kubernetes.io/last-applied-configuration': big }).decision.inject, true);
  });

  it(`refuses more than ${MAX_TEMPLATES} template names (20,000 blocked the loop 5.4 s), and renders a repeated one once`, () => {
    const t0 = performance.now();
    refused({ 'inject.istio.io/templates': Array(20_000).fill('sidecar').join(',') }, 'inject.istio.io/templates', /longer than the limit/);
    refused(
      {
        'inject.istio.io/templates': Array(MAX_TEMPLATES + 1)
          .fill('sidecar')
          .join(','),
      },
      'inject.istio.io/templates',
      new RegExp(`more than ${MAX_TEMPLATES} templates`),
    );
    assert.ok(performance.now() - t0 < 5000);
    const r = inject({ 'inject.istio.io/templates': Array(MAX_TEMPLATES).fill('sidecar').join(', ') });
    assert.deepEqual(r.templates, ['sidecar']);
    assert.deepEqual(r.pod.spec, inject({ 'inject.istio.io/templates': 'sidecar' }).pod.spec);
  });

  it(`refuses more than ${MAX_PROXY_METADATA_ENTRIES} proxyMetadata entries, and 16,000 keys promptly (26.6 s before)`, () => {
    refused(
      { 'proxy.istio.io/config': metadata(MAX_PROXY_METADATA_ENTRIES + 1) },
      'proxy.istio.io/config',
      /proxyMetadata has 257 entries, more than the limit of 256/,
    );
    const t0 = performance.now();
    // within the size limit, but 2,600 entries: refused by counting separators, before yaml builds 2,600 nodes
    refused(
      { 'proxy.istio.io/config': metadata(16_000).slice(0, MAX_ANNOTATION_VALUE) },
      'proxy.istio.io/config',
      /too large a proxy config: more than 2048 separators/,
    );
    refused({ 'proxy.istio.io/config': metadata(16_000) }, 'proxy.istio.io/config', /longer than the limit/);
    assert.ok(performance.now() - t0 < 5000, 'answers within 5 s');
    const r = inject({ 'proxy.istio.io/config': metadata(MAX_PROXY_METADATA_ENTRIES) });
    assert.equal(envOf(r, 'istio-proxy').filter((e) => /^K\d+$/.test(e.name)).length, MAX_PROXY_METADATA_ENTRIES);
  });

  it("finds duplicate keys itself (yaml's own check is quadratic), at any depth, and refuses aliases and __proto__", () => {
    refused({ 'proxy.istio.io/config': 'proxyMetadata:\n  A: x\n  B: y\n  A: z' }, 'proxy.istio.io/config', /duplicate key "A"/);
    refused({ 'proxy.istio.io/config': 'concurrency: 1\nconcurrency: 2' }, 'proxy.istio.io/config', /duplicate key "concurrency"/);
    refused({ 'proxy.istio.io/config': 'tracing:\n  zipkin: {address: a, address: b}' }, 'proxy.istio.io/config', /duplicate key "address"/);
    refused({ 'proxy.istio.io/config': 'proxyMetadata: &m {A: x}\ntracing: *m' }, 'proxy.istio.io/config', /alias/);
    refused({ 'proxy.istio.io/config': '__proto__: {concurrency: 9}' }, 'proxy.istio.io/config', /__proto__/);
    refused({ 'proxy.istio.io/config': `tracing: ${'['.repeat(5000)}${']'.repeat(5000)}` }, 'proxy.istio.io/config', /too large a proxy config/);
    refused({ 'proxy.istio.io/config': `tracing: ${'{a: '.repeat(40)}1${'}'.repeat(40)}` }, 'proxy.istio.io/config', /nested deeper than 32 levels/);
  });
});

describe('proxyMetadata keys become env vars', () => {
  it('refuses names Kubernetes would refuse, naming the key', () => {
    for (const bad of ['1ABC', 'A B', 'A=B', 'Ä', '']) {
      refused(
        { 'proxy.istio.io/config': `proxyMetadata: {${JSON.stringify(bad)}: x}` },
        'proxy.istio.io/config',
        /is not a valid environment variable name/,
      );
    }
    const r = inject({ 'proxy.istio.io/config': 'proxyMetadata: {-a.b_C: x, .d: y, ISTIO_META_DNS_CAPTURE: "true"}' });
    assert.deepEqual(
      envOf(r, 'istio-proxy')
        .filter((e) => ['-a.b_C', '.d'].includes(e.name))
        .map((e) => e.value),
      ['x', 'y'],
    );
  });

  it('refuses every env name the rendered istio-proxy already sets, found in the render itself', () => {
    const plain = inject({});
    const injected = envOf(plain, 'istio-proxy').map((e) => e.name);
    assert.ok(injected.includes('POD_NAME') && injected.includes('ISTIO_META_CLUSTER_ID') && injected.length > 10, injected.join());
    for (const name of injected) {
      refused(
        { 'proxy.istio.io/config': `proxyMetadata: {${name}: spoofed}` },
        'proxy.istio.io/config',
        new RegExp(`proxyMetadata key '${name}' names an env var the injected istio-proxy container already sets`),
      );
    }
  });

  it("still lets proxyMetadata set a key the mesh config's own proxyMetadata sets (an override, as in Istio)", () => {
    const s = buildSettings({
      templates: readTemplatesDir(),
      mesh: 'defaultConfig:\n  proxyMetadata:\n    FEATURE_X: "on"\n',
      nativeSidecars: 'false',
    });
    const r = inject({ 'proxy.istio.io/config': 'proxyMetadata: {FEATURE_X: "off"}' }, s);
    assert.deepEqual(
      envOf(r, 'istio-proxy')
        .filter((e) => e.name === 'FEATURE_X')
        .map((e) => e.value),
      ['off'],
    );
  });
});

describe('deniedAnnotations (injector config, ours)', () => {
  const denying = buildSettings({
    templates: readTemplatesDir(),
    config: 'deniedAnnotations: ["sidecar.istio.io/userVolume", "proxy.istio.io/*"]\n',
    nativeSidecars: 'false',
  });

  it('refuses a pod setting a listed annotation or one under a listed prefix, naming both and the setting', () => {
    refused(
      { 'sidecar.istio.io/userVolume': '{}' },
      'sidecar.istio.io/userVolume',
      /annotation 'sidecar\.istio\.io\/userVolume' is not allowed here: the injector config's deniedAnnotations lists it;/,
      denying,
      'DENIED_ANNOTATION',
    );
    refused(
      { 'proxy.istio.io/overrides': '{}' },
      'proxy.istio.io/overrides',
      /deniedAnnotations lists it \(entry 'proxy\.istio\.io\/\*'\)/,
      denying,
      'DENIED_ANNOTATION',
    );
  });

  it('lets other pods through, and pods that are not injected', () => {
    assert.equal(inject({ 'sidecar.istio.io/userVolumeMount': '{}', 'sidecar.istio.io/proxyCPU': '100m' }, denying).decision.inject, true);
    assert.equal(inject({ 'sidecar.istio.io/inject': 'false', 'proxy.istio.io/config': 'x' }, denying).decision.inject, false);
  });

  it('answers allowed: false through admission with the message', () => {
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'd-1',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        namespace: 'shop',
        operation: 'CREATE',
        object: pod({ 'proxy.istio.io/config': 'concurrency: 2' }),
      },
    };
    const out = admit(review, { settings: denying }).review as { response: { allowed: boolean; status: { message: string; reason: string } } };
    assert.equal(out.response.allowed, false);
    assert.equal(out.response.status.reason, 'DENIED_ANNOTATION');
    assert.match(out.response.status.message, /proxy\.istio\.io\/config.*deniedAnnotations/);
  });

  it('is refused at load when it is not a list of strings', () => {
    assert.throws(
      () => buildSettings({ templates: readTemplatesDir(), config: 'deniedAnnotations: x\n' }),
      /config\.deniedAnnotations: must be a list of strings/,
    );
  });
});
