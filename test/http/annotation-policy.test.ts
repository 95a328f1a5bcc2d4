// Through the real webhook: the operator's deniedAnnotations, and the capture values the init container
// would refuse, answered allowed: false with the annotation's name while /healthz keeps answering.
import assert from 'node:assert/strict';
import { previewObjects } from '../../src/core/preview.ts';
import { ConfigMapDir } from '../helpers/configmap-dir.ts';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';
import { defaultSettings } from '../helpers/settings.ts';

const review = (annotations: Record<string, string>, uid: string) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'shop',
      operation: 'CREATE',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', annotations }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
    },
  });

describe('annotation policy through /inject', function () {
  this.timeout(30_000);
  let inj: TestInjector;
  before(async () => {
    const cm = new ConfigMapDir({
      config: 'deniedAnnotations:\n- sidecar.istio.io/proxyImage\n- proxy.istio.io/overrides\n- sidecar.istio.io/userVolume*\n',
      values: '{}',
      mesh: '',
    });
    inj = await startTestInjector({ configDir: cm.dir, nativeSidecars: 'false' });
  });
  after(() => inj.stop(1000));

  it('refuses a pod that sets a denied annotation, naming it and the setting', async () => {
    for (const name of ['sidecar.istio.io/proxyImage', 'proxy.istio.io/overrides', 'sidecar.istio.io/userVolumeMount']) {
      const r = await inj.post('/inject', review({ [name]: '{}' }, `deny-${name}`));
      assert.equal(r.status, 200);
      const { response } = r.json();
      assert.equal(response.allowed, false, name);
      assert.equal(response.status.reason, 'DENIED_ANNOTATION');
      assert.ok(
        response.status.message.includes(`annotation '${name}'`) && response.status.message.includes('deniedAnnotations'),
        response.status.message,
      );
    }
  });

  it('injects a pod that sets only allowed annotations', async () => {
    const { response } = (await inj.post('/inject', review({ 'sidecar.istio.io/proxyCPU': '100m' }, 'ok-1'))).json();
    assert.equal(response.allowed, true);
    assert.ok(response.patch);
  });

  it('refuses the capture values the init container would refuse, and /healthz answers', async () => {
    const cases: Record<string, string> = {
      'traffic.sidecar.istio.io/excludeInterfaces': '--dry-run',
      'traffic.sidecar.istio.io/kubevirtInterfaces': '-n',
      'traffic.sidecar.istio.io/includeOutboundIPRanges': '1:2:3:4:5:6:7::1:2:3:4:5:6:7:8/64',
      'proxy.istio.io/config': 'proxyMetadata: {POD_NAME: spoofed}',
    };
    for (const [name, value] of Object.entries(cases)) {
      const { response } = (await inj.post('/inject', review({ [name]: value }, `cap-${name}`))).json();
      assert.equal(response.allowed, false, `${name}=${value}`);
      assert.ok(response.status.message.includes(`annotation '${name}'`), response.status.message);
    }
    assert.equal((await inj.ops('/healthz')).status, 200);
  });
});

describe('the same capture values in a preview', () => {
  it('are an error item naming the annotation, not an exception', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', annotations: { 'traffic.sidecar.istio.io/excludeInterfaces': 'a:b' } },
      spec: { containers: [{ name: 'a', image: 'a' }] },
    };
    const [item] = previewObjects([pod], { settings: defaultSettings(), namespace: 'default' });
    assert.equal(item?.error?.code, 'INVALID_ANNOTATION');
    assert.equal(item?.error?.subject, 'traffic.sidecar.istio.io/excludeInterfaces');
  });
});
