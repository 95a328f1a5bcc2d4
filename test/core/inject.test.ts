import assert from 'node:assert/strict';
import { injectPod } from '../../src/core/inject.ts';
import { applyPatch } from '../../src/core/patch.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings({ native: 'false' });

function pod(meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'web-', namespace: 'shop', ...meta },
    spec: { containers: [{ name: 'web', image: 'web:1' }] },
  };
}

describe('injectPod: the patch the API server applies', () => {
  it('never touches managedFields, and the patch applied to the request gives the injected pod', () => {
    const p = pod({ managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }] });
    const r = injectPod(p, { settings, namespace: 'shop' });
    assert.ok(r.patch.length > 0);
    assert.ok(r.patch.every((op) => !op.path.startsWith('/metadata/managedFields')));
    const { managedFields: _, ...metaWithout } = p.metadata;
    assert.deepEqual(applyPatch({ ...p, metadata: metaWithout }, r.patch), r.pod);
  });

  it('adds whole maps the pod lacks and escapes "/" in annotation keys (~1)', () => {
    const r = injectPod(pod({ annotations: { keep: 'me' } }), { settings, namespace: 'shop' });
    assert.ok(r.patch.some((op) => op.op === 'add' && op.path === '/metadata/annotations/sidecar.istio.io~1status'));
    assert.ok(
      r.patch.some((op) => op.op === 'add' && op.path === '/metadata/labels'),
      'labels are added as one map',
    );
  });

  it('uses the request namespace for a pod from generateName and names the owner it infers', () => {
    const p = pod({
      labels: { 'pod-template-hash': '6d8f' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6d8f', controller: true }],
    });
    delete p.metadata.namespace;
    const r = injectPod(p, { settings, namespace: 'shop' });
    const env = Object.fromEntries(r.pod.spec.containers.find((c) => c.name === 'istio-proxy')!.env!.map((e) => [e.name, e.value]));
    assert.equal(env.ISTIO_META_OWNER, 'kubernetes://apis/apps/v1/namespaces/shop/deployments/web');
    assert.equal(env.ISTIO_META_WORKLOAD_NAME, 'web');
    assert.equal(r.pod.metadata.labels!['service.istio.io/canonical-name'], 'web');
  });

  it('returns the pod unchanged with an empty patch when it skips', () => {
    const p = pod({ annotations: { 'sidecar.istio.io/inject': 'false' } });
    const r = injectPod(p, { settings, namespace: 'shop' });
    assert.equal(r.decision.inject, false);
    assert.deepEqual(r.patch, []);
    assert.deepEqual(r.pod, p);
  });

  it('names the requested template that does not exist', () => {
    assert.throws(
      () => injectPod(pod({ annotations: { 'inject.istio.io/templates': 'sidecar,nope' } }), { settings, namespace: 'shop' }),
      (e: Error & { code?: string }) =>
        e.code === 'TEMPLATE_NOT_FOUND' && /"nope" not found \(inject\.istio\.io\/templates .*\); have .*sidecar/.test(e.message),
    );
  });

  it('refuses an empty template name as istiod does (an empty annotation, or a trailing comma)', () => {
    for (const value of ['', 'sidecar,']) {
      assert.throws(
        () => injectPod(pod({ annotations: { 'inject.istio.io/templates': value } }), { settings, namespace: 'shop' }),
        (e: Error & { code?: string }) => e.code === 'TEMPLATE_NOT_FOUND' && /requested template "" not found/.test(e.message),
        JSON.stringify(value),
      );
    }
  });
});

describe('the nativeSidecar annotation, read as the template of Istio reads it', () => {
  const shape = (value: string | undefined, native: 'true' | 'false') => {
    const annotations: Record<string, string> = value === undefined ? {} : { 'sidecar.istio.io/nativeSidecar': value };
    const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'n', annotations }, spec: { containers: [{ name: 'app', image: 'a' }] } };
    const r = injectPod(p, { settings: defaultSettings({ native }), namespace: 'shop' });
    return r.pod.spec.initContainers?.some((c) => c.name === 'istio-proxy') ? 'native' : 'classic';
  };

  it('any value but "false" asks for native, as `ne (annotation) "false"` does ("0" and "no" included)', () => {
    for (const v of ['true', '0', 'no', 'TRUE']) assert.equal(shape(v, 'false'), 'native', v);
    assert.equal(shape('false', 'true'), 'classic');
  });

  it('an empty value is unset: the setting decides', () => {
    assert.equal(shape('', 'true'), 'native');
    assert.equal(shape('', 'false'), 'classic');
  });
});
