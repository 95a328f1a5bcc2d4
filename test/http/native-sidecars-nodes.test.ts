// Native sidecars `auto` through /inject, with the node kubelet versions the cluster view holds: the pod's
// own node decides when it is known, else every node; a request for another cluster gets classic. The
// large-review path (admission worker) gets the same nodes.
import { nodeKubelets } from '../../src/core/native-sidecars.ts';
import assert from 'node:assert/strict';
import { applyPatch } from '../../src/core/patch.ts';
import type { Pod } from '../../src/core/types.ts';
import type { ClusterInfo } from '../../src/http/injector-runtime.ts';
import { reviewJson } from '../helpers/admission.ts';
import { metricValue, startTestInjector, type TestInjector } from '../helpers/server.ts';

function podOn(name: string, nodeName?: string, padding = 0): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(padding ? { annotations: { 'example.com/padding': 'x'.repeat(padding) } } : {}) },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'app', image: 'app:1' }] },
  };
}

describe('native sidecars auto from the nodes the cluster view holds', function () {
  this.timeout(30_000);
  const nodes = new Map([
    ['node-new', 'v1.33.2'],
    ['node-old', 'v1.32.7'],
  ]);
  const cluster: ClusterInfo = { namespaceLabels: () => undefined, nodeKubeletVersions: () => nodeKubelets(nodes), synced: () => true };
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector({ cluster, nativeSidecars: 'auto' });
  });
  after(async () => {
    await inj.stop(1000);
  });

  async function shape(pod: Pod, path = '/inject'): Promise<'native' | 'classic'> {
    const r = await inj.post(path, reviewJson(pod.metadata.name!, pod));
    assert.equal(r.status, 200, r.body);
    const res = r.json().response;
    assert.equal(res.allowed, true, JSON.stringify(res));
    const out = applyPatch(pod, JSON.parse(Buffer.from(res.patch, 'base64').toString()));
    const native = (out.spec.initContainers ?? []).some((c) => c.name === 'istio-proxy' && c.restartPolicy === 'Always');
    const classic = out.spec.containers.some((c) => c.name === 'istio-proxy');
    assert.notEqual(native, classic, 'one shape or the other');
    return native ? 'native' : 'classic';
  }

  it("follows the pod's own node when spec.nodeName names a known node", async () => {
    assert.equal(await shape(podOn('on-new', 'node-new')), 'native');
    assert.equal(await shape(podOn('on-old', 'node-old')), 'classic');
  });

  it('falls back to every node when the pod is not scheduled or its node is unknown', async () => {
    assert.equal(await shape(podOn('unscheduled')), 'classic');
    assert.equal(await shape(podOn('elsewhere', 'node-gone')), 'classic');
  });

  it('gives classic to a request for another cluster (/inject/cluster/<id>), whose nodes it does not watch', async () => {
    assert.equal(await shape(podOn('remote', 'node-new'), '/inject/cluster/remote/net/n1'), 'classic');
    assert.equal(await shape(podOn('local', 'node-new'), '/inject/cluster/Kubernetes'), 'native');
  });

  it('decides the same for a review large enough for the admission worker', async () => {
    assert.equal(await shape(podOn('big-new', 'node-new', 100_000)), 'native');
    assert.equal(await shape(podOn('big-old', 'node-old', 100_000)), 'classic');
    const answered = metricValue((await inj.ops('/metrics')).body, 'sidecar_injector_large_admissions_total', { outcome: 'answered' });
    assert.equal(answered, 2, 'both went through the admission worker');
  });
});
