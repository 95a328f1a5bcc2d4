// sidecar.istio.io/userVolume and userVolumeMount in every shape istiod's template takes (checked
// against istiod's handler): a map of name to entry, a list of entries named by index, an entry's own
// name winning; and the shapes it cannot render, refused naming the annotation.
import assert from 'node:assert/strict';
import { decide } from '../../src/core/decide.ts';
import { injectPod } from '../../src/core/inject.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings({ native: 'false' });
const ISTIO_VOLUMES = new Set([
  'workload-socket',
  'credential-socket',
  'workload-certs',
  'istio-envoy',
  'istio-data',
  'istio-podinfo',
  'istio-token',
  'istiod-ca-cert',
  'istio-ca-crl',
]);

function podWith(volumes: string, mounts?: string): Pod {
  const annotations: Record<string, string> = { 'sidecar.istio.io/userVolume': volumes };
  if (mounts !== undefined) annotations['sidecar.istio.io/userVolumeMount'] = mounts;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', annotations },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
  };
}

function userParts(pod: Pod): { volumes: unknown[]; mounts: unknown[] } {
  const proxy = pod.spec.containers.find((c) => c.name === 'istio-proxy')!;
  return {
    volumes: (pod.spec.volumes ?? []).filter((v) => !ISTIO_VOLUMES.has(String(v.name))),
    mounts: ((proxy.volumeMounts ?? []) as Array<{ name?: string }>).filter((m) => !ISTIO_VOLUMES.has(String(m.name))),
  };
}

describe('userVolume and userVolumeMount as Istio reads them', () => {
  it('takes a JSON list: entries named by their index unless they carry a name', () => {
    const r = injectPod(podWith('[{"emptyDir":{}},{"name":"cache","emptyDir":{}}]', '[{"mountPath":"/a"},{"name":"cache","mountPath":"/c"}]'), {
      settings,
      namespace: 'default',
    });
    assert.deepEqual(userParts(r.pod), {
      volumes: [
        { name: '0', emptyDir: {} },
        { name: 'cache', emptyDir: {} },
      ],
      mounts: [
        { name: '0', mountPath: '/a' },
        { name: 'cache', mountPath: '/c' },
      ],
    });
  });

  it('takes a JSON map by sorted name, where an entry of its own name wins over the key', () => {
    const r = injectPod(podWith('{"b":{"emptyDir":{}},"a":{"name":"other","emptyDir":{}}}'), { settings, namespace: 'default' });
    assert.deepEqual(userParts(r.pod).volumes, [
      { name: 'other', emptyDir: {} },
      { name: 'b', emptyDir: {} },
    ]);
  });

  it('adds nothing for null or an empty list', () => {
    for (const v of ['null', '[]']) assert.deepEqual(userParts(injectPod(podWith(v), { settings, namespace: 'default' }).pod).volumes, [], v);
  });

  it('refuses, naming the annotation, what Istio cannot render: a scalar, or an entry that is not a non-empty object', () => {
    // istiod's template cannot range over a scalar, and writes YAML it cannot read for the others
    for (const v of ['5', 'true', '"x"', '[{}]', '[null]', '{"v":{}}', '[[1]]', '{']) {
      assert.throws(
        () => injectPod(podWith(v), { settings, namespace: 'default' }),
        (e: Error & { code?: string }) => e.code === 'TEMPLATE_RENDER' && e.message.includes('annotation sidecar.istio.io/userVolume'),
        v,
      );
    }
  });

  it('does not read them for a template that does not use them (grpc-simple), as istiod', () => {
    const p = podWith('{');
    p.metadata.annotations!['inject.istio.io/templates'] = 'grpc-simple';
    assert.ok(injectPod(p, { settings, namespace: 'default' }).pod);
  });
});

describe('an injection policy that is neither enabled nor disabled', () => {
  const config = { policy: 'sometimes', neverInjectSelector: [], alwaysInjectSelector: [{ matchLabels: { team: 'a' } }] };
  it('injects no pod, whatever its label, annotation or the selectors ask (as istiod)', () => {
    const inputs: Array<{ labels?: Record<string, string>; annotations?: Record<string, string> }> = [
      { labels: { 'sidecar.istio.io/inject': 'true' } },
      { annotations: { 'sidecar.istio.io/inject': 'true' } },
      { labels: { team: 'a' } },
      {},
    ];
    for (const input of inputs) {
      const d = decide({ namespace: 'apps', config, ...input });
      assert.equal(d.inject, false, JSON.stringify(input));
      assert.equal(d.reason, 'POLICY_INVALID');
      assert.match(d.message, /"sometimes" is neither enabled nor disabled/);
    }
  });
});
