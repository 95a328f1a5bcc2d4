// Istio's ProxyConfig resources through the whole injection: which one applies (root namespace <
// namespace < annotation < workload selector, over the mesh's defaultConfig), what each field becomes in
// the pod (concurrency in PROXY_CONFIG, environmentVariables as env of istio-proxy and istio-init,
// image.imageType on istio-proxy only), and resources Istio would not read left out with a warning.
import assert from 'node:assert/strict';
import { injectPod } from '../../src/core/inject.ts';
import { proxyConfigSet, proxyConfigsFromText, readProxyConfigs, type ProxyConfigSet } from '../../src/core/proxy-configs.ts';
import type { Container, Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings({ native: 'false', sets: ['mesh.defaultConfig.concurrency=3'] });

function pc(namespace: string, name: string, spec: Record<string, unknown>, creationTimestamp?: string) {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'ProxyConfig',
    metadata: { name, namespace, ...(creationTimestamp ? { creationTimestamp } : {}) },
    spec,
  };
}

function setOf(...objects: unknown[]): ProxyConfigSet {
  const { resources, warnings } = readProxyConfigs(objects);
  assert.deepEqual(warnings, []);
  return proxyConfigSet(resources);
}

function pod(labels: Record<string, string> = { app: 'web' }, annotations: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', labels, annotations },
    spec: { containers: [{ name: 'web', image: 'web:1' }] },
  };
}

function inject(p: Pod, proxyConfigs: ProxyConfigSet | undefined, namespace = 'shop', s = settings) {
  const r = injectPod({ ...p, metadata: { ...p.metadata, namespace } }, { settings: s, namespace, proxyConfigs });
  const find = (list: Container[] | undefined, name: string) => list?.find((c) => c.name === name);
  const proxy = find(r.pod.spec.containers, 'istio-proxy')!;
  const init = find(r.pod.spec.initContainers, 'istio-init')!;
  const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
  const proxyEnv = envOf(proxy);
  return { r, proxy, init, proxyEnv, initEnv: envOf(init), proxyConfig: JSON.parse(String(proxyEnv.PROXY_CONFIG)) };
}

describe('ProxyConfig resources: precedence, as istiod resolves the effective proxy config', () => {
  const root = pc('istio-system', 'mesh-wide', { concurrency: 4, environmentVariables: { LAYER: 'root', ROOT_ONLY: 'r' } });
  const ns = pc('shop', 'shop-wide', { concurrency: 5, environmentVariables: { LAYER: 'namespace', NS_ONLY: 'n' } });
  const workload = pc('shop', 'web', { selector: { matchLabels: { app: 'web' } }, concurrency: 7, environmentVariables: { LAYER: 'workload' } });
  const annotated = { 'proxy.istio.io/config': 'concurrency: 6\nproxyMetadata:\n  LAYER: annotation\n  ANN_ONLY: a\n' };

  it('mesh defaultConfig alone, then each layer over the one below', () => {
    assert.equal(inject(pod(), undefined).proxyConfig.concurrency, 3);
    assert.equal(inject(pod(), setOf(root)).proxyConfig.concurrency, 4);
    assert.equal(inject(pod(), setOf(root, ns)).proxyConfig.concurrency, 5);
    assert.equal(inject(pod({ app: 'web' }, annotated), setOf(root, ns)).proxyConfig.concurrency, 6);
    // Istio merges the annotation below the workload's ProxyConfig
    assert.equal(inject(pod({ app: 'web' }, annotated), setOf(root, ns, workload)).proxyConfig.concurrency, 7);
  });

  it('merges environmentVariables key by key with the same precedence, into istio-proxy and istio-init env', () => {
    const { proxyEnv, initEnv, proxyConfig, r } = inject(pod({ app: 'web' }, annotated), setOf(root, ns, workload));
    for (const env of [proxyEnv, initEnv]) {
      assert.equal(env.LAYER, 'workload');
      assert.equal(env.ROOT_ONLY, 'r');
      assert.equal(env.NS_ONLY, 'n');
      assert.equal(env.ANN_ONLY, 'a');
    }
    assert.deepEqual(proxyConfig.proxyMetadata, { ANN_ONLY: 'a', LAYER: 'workload', NS_ONLY: 'n', ROOT_ONLY: 'r' });
    assert.ok(r.notes.some((n) => n.includes('ProxyConfig shop/web') && n.includes('selects the pod')));
    assert.ok(r.notes.some((n) => n.includes('ProxyConfig istio-system/mesh-wide') && n.includes('root namespace')));
  });

  it('applies a workload ProxyConfig only to pods whose labels include its whole selector', () => {
    const narrow = pc('shop', 'narrow', { selector: { matchLabels: { app: 'web', tier: 'front' } }, concurrency: 9 });
    assert.equal(inject(pod({ app: 'web' }), setOf(narrow)).proxyConfig.concurrency, 3);
    assert.equal(inject(pod({ app: 'web', tier: 'front', x: 'y' }), setOf(narrow)).proxyConfig.concurrency, 9);
  });

  it('never applies a ProxyConfig with an empty selector (neither namespace-wide nor a workload match, as in Istio)', () => {
    const empty = pc('shop', 'empty-selector', { selector: {}, concurrency: 9 });
    const emptyLabels = pc('shop', 'empty-labels', { selector: { matchLabels: {} }, concurrency: 8 });
    assert.equal(inject(pod(), setOf(empty, emptyLabels)).proxyConfig.concurrency, 3);
  });

  it("ignores other namespaces, and the root namespace's selector ProxyConfigs for pods elsewhere", () => {
    const other = pc('other', 'other-wide', { concurrency: 9 });
    const rootSelector = pc('istio-system', 'root-web', { selector: { matchLabels: { app: 'web' } }, concurrency: 8 });
    assert.equal(inject(pod(), setOf(other, rootSelector)).proxyConfig.concurrency, 3);
    // a pod in the root namespace: the namespace-wide one once, and the selector one there
    assert.equal(inject(pod(), setOf(root), 'istio-system').proxyConfig.concurrency, 4);
    assert.equal(inject(pod(), setOf(root, rootSelector), 'istio-system').proxyConfig.concurrency, 8);
  });

  it('takes the root namespace from mesh rootNamespace', () => {
    const s = defaultSettings({ native: 'false', sets: ['mesh.rootNamespace=mesh-root'] });
    const meshRoot = pc('mesh-root', 'wide', { concurrency: 6 });
    assert.equal(inject(pod(), setOf(root, meshRoot), 'shop', s).proxyConfig.concurrency, 6);
  });

  it('lets the oldest win among several that qualify, then the first by name', () => {
    const newer = pc('shop', 'a-newer', { concurrency: 10 }, '2026-02-01T00:00:00Z');
    const older = pc('shop', 'z-older', { concurrency: 11 }, '2026-01-01T00:00:00Z');
    assert.equal(inject(pod(), setOf(newer, older)).proxyConfig.concurrency, 11);
    const sameA = pc('shop', 'a', { concurrency: 12 }, '2026-01-01T00:00:00Z');
    const sameB = pc('shop', 'b', { concurrency: 13 }, '2026-01-01T00:00:00Z');
    assert.equal(inject(pod(), setOf(sameB, sameA)).proxyConfig.concurrency, 12);
    const wA = pc('shop', 'w-new', { selector: { matchLabels: { app: 'web' } }, concurrency: 14 }, '2026-03-01T00:00:00Z');
    const wB = pc('shop', 'w-old', { selector: { matchLabels: { app: 'web' } }, concurrency: 15 }, '2025-03-01T00:00:00Z');
    assert.equal(inject(pod(), setOf(wA, wB)).proxyConfig.concurrency, 15);
  });

  it("writes any concurrency that is set into PROXY_CONFIG, 2 included (Istio's DefaultProxyConfig sets none)", () => {
    const plain = defaultSettings({ native: 'false' });
    assert.equal('concurrency' in inject(pod(), undefined, 'shop', plain).proxyConfig, false);
    assert.equal(inject(pod(), setOf(pc('shop', 'two', { concurrency: 2 })), 'shop', plain).proxyConfig.concurrency, 2);
    const meshTwo = defaultSettings({ native: 'false', sets: ['mesh.defaultConfig.concurrency=2'] });
    assert.equal(inject(pod(), undefined, 'shop', meshTwo).proxyConfig.concurrency, 2);
  });

  it('sets concurrency 0 when a ProxyConfig says so (a wrapper field: zero is a value)', () => {
    assert.equal(inject(pod(), setOf(pc('shop', 'zero', { concurrency: 0 }))).proxyConfig.concurrency, 0);
  });

  it('keeps a lower layer where the annotation gives a protobuf zero value (Istio merges through protobuf)', () => {
    const s = defaultSettings({ native: 'false', sets: ['mesh.defaultConfig.interceptionMode=TPROXY'] });
    const { init } = inject(pod({ app: 'web' }, { 'proxy.istio.io/config': 'interceptionMode: REDIRECT' }), undefined, 'shop', s);
    const args = init.args ?? [];
    assert.equal(args[args.indexOf('-m') + 1], 'TPROXY');
  });
});

describe('ProxyConfig image.imageType', () => {
  const distroless = pc('shop', 'distroless', { image: { imageType: 'distroless' } });

  it('changes the istio-proxy image, not istio-init (Istio: ProxyImage uses it, ProxyInitImage does not)', () => {
    const plain = inject(pod(), undefined);
    const { proxy, init } = inject(pod(), setOf(distroless));
    assert.equal(proxy.image, `${plain.proxy.image}-distroless`);
    assert.equal(init.image, plain.init.image);
  });

  it('gives way to the sidecar.istio.io/proxyImageType annotation, even an empty one', () => {
    const plain = inject(pod(), undefined);
    assert.equal(
      inject(pod({ app: 'web' }, { 'sidecar.istio.io/proxyImageType': 'debug' }), setOf(distroless)).proxy.image,
      `${plain.proxy.image}-debug`,
    );
    assert.equal(inject(pod({ app: 'web' }, { 'sidecar.istio.io/proxyImageType': '' }), setOf(distroless)).proxy.image, plain.proxy.image);
  });
});

describe('reading ProxyConfig resources', () => {
  it('leaves out, with a warning naming it and the field, a resource Istio could not read; keeps the others', () => {
    const good = pc('shop', 'good', { concurrency: 2 });
    const { resources, warnings } = readProxyConfigs([
      good,
      pc('shop', 'bad-concurrency', { concurrency: 'two' }),
      pc('shop', 'negative', { concurrency: -1 }),
      pc('shop', 'bad-env', { environmentVariables: { A: 1 } }),
      pc('shop', 'bad-env-name', { environmentVariables: { 'not valid': 'x' } }),
      pc('shop', 'bad-image', { image: 'distroless' }),
      pc('shop', 'bad-selector', { selector: { matchLabels: { app: 'web*' } } }),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } },
      { apiVersion: 'networking.istio.io/v1beta1', kind: 'ProxyConfig', metadata: { name: 'no-namespace' }, spec: {} },
      'text',
    ]);
    assert.deepEqual(
      resources.map((r) => r.name),
      ['good'],
    );
    const expect = [
      /shop\/bad-concurrency: spec\.concurrency must be a whole number/,
      /shop\/negative: spec\.concurrency/,
      /shop\/bad-env: spec\.environmentVariables\.A must be a string/,
      /shop\/bad-env-name: .*"not valid" is not a valid environment variable name/,
      /shop\/bad-image: spec\.image must be a mapping/,
      /shop\/bad-selector: spec\.selector\.matchLabels: wildcards/,
      /object 8 \(ConfigMap\) is not a networking\.istio\.io ProxyConfig/,
      /\?\/no-namespace: metadata\.name and metadata\.namespace are required/,
      /object 10 \(string\)/,
    ];
    assert.equal(warnings.length, expect.length, warnings.join('\n'));
    for (const [i, re] of expect.entries()) assert.match(warnings[i]!, re);
  });

  it('keeps a resource with unknown fields, and says which were ignored', () => {
    const { resources, warnings } = readProxyConfigs([pc('shop', 'extra', { concurrency: 2, tracing: {}, image: { imageType: 'debug', hub: 'x' } })]);
    assert.deepEqual(resources[0]!.spec, { concurrency: 2, image: { imageType: 'debug' } });
    assert.deepEqual(warnings, ['ProxyConfig shop/extra: unknown fields ignored: spec.tracing, spec.image.hub']);
  });

  it('reads `kubectl get proxyconfigs -A -o yaml` (a List) and multi-document YAML alike', () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: networking.istio.io/v1beta1
  kind: ProxyConfig
  metadata: {name: a, namespace: shop, creationTimestamp: "2026-01-01T00:00:00Z"}
  spec: {concurrency: 1}
- apiVersion: networking.istio.io/v1beta1
  kind: ProxyConfig
  metadata: {name: b, namespace: istio-system}
  spec: {environmentVariables: {X: "1"}}
`;
    const docs = list
      .replace(/^apiVersion: v1\nkind: List\nitems:\n/, '')
      .replace(/^- /gm, '---\n')
      .replace(/^ {2}/gm, '');
    for (const text of [list, docs]) {
      const { set, warnings } = proxyConfigsFromText(text, 'pcs.yaml');
      assert.deepEqual(warnings, []);
      assert.equal(set.size, 2);
      assert.equal(set.byNamespace.get('shop')![0]!.spec.concurrency, 1);
      assert.deepEqual(set.byNamespace.get('istio-system')![0]!.spec.environmentVariables, { X: '1' });
    }
  });
});
