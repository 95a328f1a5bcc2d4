import assert from 'node:assert/strict';
import { allNodesSupportNativeSidecars, kubeletSupportsNativeSidecars } from '../../src/kube/native-sidecars.ts';

describe('native sidecar support from kubelet versions', () => {
  it('accepts kubelets from 1.33 on, with or without a vendor suffix', () => {
    for (const v of ['v1.33.0', 'v1.34.1-gke.100', 'v1.33.2+k3s1', 'v1.33.0-alpha.1', '1.35', 'v2.0.0']) {
      assert.equal(kubeletSupportsNativeSidecars(v), true, v);
    }
  });

  it('rejects older kubelets and versions it cannot read (as Istio does)', () => {
    for (const v of ['v1.32.9', 'v1.28.0', 'v1.9.0', '', 'garbage', 'v1', 'vx.y.z', 'v1.33.0 extra', 'one.33']) {
      assert.equal(kubeletSupportsNativeSidecars(v), false, JSON.stringify(v));
    }
  });

  it('needs every node to qualify, and has no answer without nodes', () => {
    assert.equal(allNodesSupportNativeSidecars([]), undefined);
    assert.equal(allNodesSupportNativeSidecars(['v1.33.0', 'v1.34.0']), true);
    assert.equal(allNodesSupportNativeSidecars(['v1.33.0', 'v1.32.0']), false);
    assert.equal(allNodesSupportNativeSidecars(['v1.33.0', '']), false, 'a node with no reported version counts as old');
  });
});
