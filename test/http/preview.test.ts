// The dry-run preview: Pods and workloads in (JSON or YAML, one or many), decision + patch + injected
// object out, from the same core as /inject.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { applyPatch } from '../../src/core/patch.ts';
import { podOf } from '../../src/core/workloads.ts';
import { ConfigMapDir } from '../helpers/configmap-dir.ts';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';
import { ISTIO_FIXTURES } from '../helpers/settings.ts';

const deployment = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name }, annotations }, spec: { containers: [{ name: 'app', image: 'app:1' }] } },
  },
});

describe('webhook /preview', () => {
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector({ nativeSidecars: 'false' });
  });
  after(() => inj.stop(1000));

  it('previews a Deployment: decision, a patch for its pod template, and the injected Deployment', async () => {
    const d = deployment('shop');
    const r = await inj.post('/preview?namespace=store&namespaceLabels=istio-injection=enabled', JSON.stringify(d));
    assert.equal(r.status, 200, r.body);
    const body = r.json();
    assert.equal(body.namespace, 'store');
    assert.equal(body.namespaceLabelsSource, 'query');
    const [item] = body.items;
    assert.equal(item.kind, 'Deployment');
    assert.equal(item.inject, true);
    assert.equal(item.reason, 'POLICY_ENABLED');
    assert.ok(item.decidedBy.some((x: string) => x.includes('namespace.sidecar-injector.istio.io')));
    const pod = podOf(d);
    const patched = applyPatch({ metadata: pod.metadata, spec: pod.spec }, item.patch);
    assert.deepEqual(patched.spec, item.injected.spec.template.spec, 'the patch applies to the pod template');
    assert.deepEqual(
      item.injected.spec.template.spec.containers.map((c: { name: string }) => c.name),
      ['app', 'istio-proxy'],
    );
  });

  it('shows a Pod as the API server would store it after the patch: its managedFields kept, never patched', async () => {
    const managedFields = [
      { manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:containers': {} } } },
    ];
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'store', managedFields },
      spec: { containers: [{ name: 'web', image: 'web:1' }] },
    };
    const r = await inj.post('/preview?namespaceLabels=istio-injection=enabled', JSON.stringify(pod));
    assert.equal(r.status, 200, r.body);
    const [item] = r.json().items;
    assert.equal(item.inject, true);
    assert.deepEqual(item.injected.metadata.managedFields, managedFields);
    assert.ok(
      item.patch.every((op: { path: string }) => !op.path.startsWith('/metadata/managedFields')),
      'the patch leaves managedFields alone',
    );
    assert.deepEqual(
      item.injected.spec.containers.map((c: { name: string }) => c.name),
      ['web', 'istio-proxy'],
    );
  });

  it('previews a List and a multi-document YAML, and says why a namespace is not opted in', async () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [deployment('a'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }] };
    const l = (await inj.post('/preview?namespaceLabels=team=x', JSON.stringify(list))).json();
    assert.deepEqual(
      l.items.map((i: { kind: string; inject: boolean | null }) => [i.kind, i.inject]),
      [
        ['Deployment', false],
        ['Service', null],
      ],
    );
    assert.equal(l.items[0].reason, 'NAMESPACE_NOT_SELECTED');
    assert.deepEqual(l.items[0].patch, []);
    const yaml = [deployment('b'), deployment('c', { 'sidecar.istio.io/inject': 'false' })].map((o) => stringify(o)).join('---\n');
    const y = (await inj.post('/preview', yaml, { 'content-type': 'application/yaml' })).json();
    assert.deepEqual(
      y.items.map((i: { name: string; reason: string }) => [i.name, i.reason]),
      [
        ['b', 'POLICY_ENABLED'],
        ['c', 'ANNOTATION_DISABLED'],
      ],
    );
    assert.equal(y.namespaceLabelsSource, 'unknown');
  });

  it("takes Istio's own example files", async () => {
    const text = readFileSync(join(ISTIO_FIXTURES, 'inject', 'list.yaml'), 'utf8');
    const r = (await inj.post('/preview', text, { 'content-type': 'application/yaml' })).json();
    assert.equal(r.items.length, 2);
    assert.ok(r.items.every((i: { inject: boolean }) => i.inject));
  });

  it('reports an object it cannot inject with the error code, and bad input with 400/415', async () => {
    const r = (await inj.post('/preview', JSON.stringify(deployment('x', { 'sidecar.istio.io/proxyCPU': 'lots' })))).json();
    assert.equal(r.items[0].error.code, 'INVALID_ANNOTATION');
    assert.equal(r.items[0].error.subject, 'sidecar.istio.io/proxyCPU');
    assert.equal((await inj.post('/preview', 'kind: [', { 'content-type': 'application/yaml' })).status, 400);
    assert.equal((await inj.post('/preview', '{}', { 'content-type': 'text/plain' })).status, 415);
    const labels = await inj.post('/preview?namespaceLabels=team=x,novalue', '{}');
    assert.equal(labels.status, 400);
    assert.match(labels.json().error.message, /^namespaceLabels: "novalue" is not KEY=VALUE$/);
  });
});

describe('webhook /preview: traffic capture', () => {
  let inj: TestInjector;
  before(async () => {
    // capture-native (a Go template) through the config's templates, as an operator adds one
    const captureNative = readFileSync(join(import.meta.dirname, '..', '..', 'templates', 'capture-native.tmpl'), 'utf8');
    const dir = new ConfigMapDir({ config: stringify({ templates: { 'capture-native': captureNative } }) });
    inj = await startTestInjector({ nativeSidecars: 'true', configDir: dir.dir });
  });
  after(() => inj.stop(1000));

  it('shows the iptables rules the pod will get, from its injected init container', async () => {
    const d = deployment('cap', { 'traffic.sidecar.istio.io/excludeOutboundPorts': '25', 'inject.istio.io/templates': 'sidecar,capture-native' });
    const [item] = (await inj.post('/preview', JSON.stringify(d))).json().items;
    assert.equal(item.capture.container, 'istio-init');
    assert.equal(item.capture.runner, 'native');
    assert.match(item.capture.ipv4, /^\* nat$/m);
    assert.match(item.capture.ipv4, /-A ISTIO_OUTPUT -p tcp --dport 25 -j RETURN/);
    assert.match(item.capture.ipv4, /-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006/);
    const none = (await inj.post('/preview', JSON.stringify(deployment('n', { 'sidecar.istio.io/interceptionMode': 'NONE' })))).json().items[0];
    assert.equal(none.capture, undefined, 'no capture container, no rules');
  });
});
