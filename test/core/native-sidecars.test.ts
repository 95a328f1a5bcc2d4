// Native sidecars `auto`, decided as Istio's DetectNativeSidecar: the pod's own node when it names a known
// one, else every node; nothing for a request to another cluster. Through injectPod, as the webhook runs it.
import assert from 'node:assert/strict';
import { injectPod } from '../../src/core/inject.ts';
import { detectNativeSidecars, kubeletSupportsNativeSidecars, nodeKubelets } from '../../src/core/native-sidecars.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

// What hashicorp/go-version v1.9.0 (Istio's parser) says, measured with a Go program: minor >= 33, or
// unparseable (false). Whitespace, a capital V or a segment past int64 do not parse; the major is not read.
const GO_VERSION_TABLE: Array<[string, boolean]> = [
  ['v1.33.0', true],
  ['v1.34.1-gke.100', true],
  ['v1.33.2+k3s1', true],
  ['v1.33.0-alpha.1', true],
  ['1.35', true],
  ['1.33rc1', true],
  ['v1.33.0.1', true],
  ['v1.033', true],
  ['v1.000', false],
  ['1.0000000000000000033', true],
  ['1.33.99999999999999999999', false],
  ['v0.33.0', true],
  ['v1.33.0-gke.100+meta', true],
  ['v2.0.0', false],
  ['v1.32.9', false],
  ['v1', false],
  ['', false],
  ['garbage', false],
  [' v1.33.0', false],
  ['v1.33.0 ', false],
  ['V1.33.0', false],
  ['v1.33.0+', false],
  ['1..33', false],
  ['1.99999999999999999999', false],
];

const NODES = new Map([
  ['new', 'v1.33.1'],
  ['old', 'v1.32.4'],
]);

function podOn(nodeName?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'app', image: 'app:1' }] },
  };
}

describe('native sidecars auto', () => {
  it("reads kubelet versions as Istio's go-version does", () => {
    for (const [v, want] of GO_VERSION_TABLE) assert.equal(kubeletSupportsNativeSidecars(v), want, JSON.stringify(v));
  });

  it("decides from the pod's own node when spec.nodeName names a known node, else from every node", () => {
    const auto = defaultSettings({ native: 'auto' });
    // nodes: 'unknown' is no map at all (no cluster, or not synced yet)
    const shape = (pod: Pod, urlEnv?: Record<string, string>, known: ReadonlyMap<string, string> | 'unknown' = NODES) => {
      const nodes = known === 'unknown' ? undefined : nodeKubelets(known);
      const r = injectPod(pod, { settings: auto, namespace: 'default', nodes, urlEnv });
      const inits = (r.pod.spec.initContainers ?? []).map((c) => c.name);
      assert.equal(r.nativeSidecars, inits.includes('istio-proxy'), 'the result says what the pod got');
      return r.nativeSidecars ? 'native' : 'classic';
    };
    assert.equal(shape(podOn('new')), 'native', 'scheduled on a 1.33 node, though another node is older');
    assert.equal(shape(podOn('old')), 'classic');
    assert.equal(shape(podOn()), 'classic', 'not scheduled: one old node is enough to hold back');
    assert.equal(shape(podOn('gone')), 'classic', 'an unknown node: every node decides');
    assert.equal(shape(podOn('gone'), undefined, new Map([['new', 'v1.34.0']])), 'native');
    assert.equal(shape(podOn(), undefined, new Map()), 'native', 'no nodes at all: nothing holds back, as in Istio');
    assert.equal(shape(podOn('new'), undefined, 'unknown'), 'classic', 'nodes unknown (no cluster, not synced)');
    assert.equal(shape(podOn('new'), { ISTIO_META_CLUSTER_ID: 'remote' }), 'classic', "another cluster's request: its nodes are not ours");
    assert.equal(shape(podOn('new'), { ISTIO_META_CLUSTER_ID: 'Kubernetes' }), 'native', "Istio's default cluster ID is ours");
  });

  it('takes the local cluster ID from values.global.multiCluster.clusterName, as istiod from its chart', () => {
    const c1 = defaultSettings({ native: 'auto', sets: ['values.global.multiCluster.clusterName=c1'] });
    const native = (urlEnv?: Record<string, string>) =>
      injectPod(podOn('new'), { settings: c1, namespace: 'default', nodes: nodeKubelets(NODES), urlEnv }).nativeSidecars;
    assert.equal(native(), true);
    assert.equal(native({ ISTIO_META_CLUSTER_ID: 'c1' }), true);
    assert.equal(native({ ISTIO_META_CLUSTER_ID: 'Kubernetes' }), false);
  });

  it('says why, for the preview', () => {
    assert.match(
      detectNativeSidecars({ nodes: nodeKubelets(NODES), nodeName: 'old', requestCluster: '', localCluster: '' }).why,
      /node "old" runs kubelet "v1.32.4"/,
    );
    assert.match(detectNativeSidecars({ nodes: nodeKubelets(NODES), nodeName: '', requestCluster: 'x', localCluster: '' }).why, /cluster "x"/);
  });
});
