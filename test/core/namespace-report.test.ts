import assert from 'node:assert/strict';
import { hasSidecar, namespaceInjection, namespaceReport, revisionText, type ClusterPod } from '../../src/core/namespace-report.ts';
import { injectionEntriesOf } from '../../src/core/webhooks/read.ts';
import { revisionConfig, tagConfig } from '../helpers/webhook-configs.ts';

const pod = (
  name: string,
  extra: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    hostNetwork?: boolean;
    containers?: string[];
    initContainers?: string[];
    phase?: string;
    owner?: { kind: string; name: string; hash?: string };
  } = {},
): ClusterPod => ({
  metadata: {
    name,
    namespace: 'ns',
    labels: { ...(extra.labels ?? {}), ...(extra.owner?.hash ? { 'pod-template-hash': extra.owner.hash } : {}) },
    annotations: extra.annotations ?? {},
    ...(extra.owner
      ? {
          generateName: `${extra.owner.name}-`,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: extra.owner.kind, name: extra.owner.name, controller: true }],
        }
      : {}),
  },
  spec: {
    hostNetwork: extra.hostNetwork,
    containers: (extra.containers ?? ['app']).map((n) => ({ name: n })),
    initContainers: (extra.initContainers ?? []).map((n) => ({ name: n })),
  },
  status: { phase: extra.phase ?? 'Running' },
});

describe('namespace injection report', () => {
  it('a namespace is opted in by istio-injection=enabled, or by istio.io/rev of this revision without istio-injection', () => {
    assert.deepEqual(namespaceInjection('a', { 'istio-injection': 'enabled' }), {
      optedIn: true,
      webhook: { configuration: 'sidecar-injector', name: 'namespace.sidecar-injector.istio.io', revision: 'default' },
      revision: 'default',
      why: 'istio-injection=enabled',
    });
    assert.equal(namespaceInjection('a', { 'istio.io/rev': 'default' }).webhook?.name, 'rev.namespace.sidecar-injector.istio.io');
    assert.equal(namespaceInjection('a', { 'istio.io/rev': 'canary' }, { revision: 'canary' }).optedIn, true);
    assert.deepEqual(namespaceInjection('a', { 'istio.io/rev': 'canary' }), {
      optedIn: false,
      webhook: null,
      revision: null,
      why: 'istio.io/rev=canary; not revision "default"',
    });
    assert.deepEqual(namespaceInjection('a', {}), { optedIn: false, webhook: null, revision: null, why: 'no istio-injection label' });
    assert.equal(namespaceInjection('a', { 'istio-injection': 'disabled' }).optedIn, false);
    // Istio's revision entry needs istio-injection absent: with both labels, istio-injection decides.
    assert.deepEqual(namespaceInjection('a', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }, { revision: 'canary' }), {
      optedIn: false,
      webhook: null,
      revision: null,
      why: 'istio-injection=enabled; istio.io/rev=canary ignored',
    });
  });

  it('a pod has the sidecar when it carries the status annotation or an istio-proxy container (classic or native)', () => {
    assert.equal(hasSidecar(pod('a')), false);
    assert.equal(hasSidecar(pod('a', { annotations: { 'sidecar.istio.io/status': '{}' } })), true);
    assert.equal(hasSidecar(pod('a', { containers: ['app', 'istio-proxy'] })), true);
    assert.equal(hasSidecar(pod('a', { initContainers: ['istio-proxy'] })), true);
  });

  it('in an opted-in namespace, pods without the sidecar need a restart unless the injector would skip them anyway', () => {
    const pods = [
      pod('plain'),
      pod('web-5d4f8c6b7-x2x9z', { owner: { kind: 'ReplicaSet', name: 'web-5d4f8c6b7', hash: '5d4f8c6b7' } }),
      pod('injected', { containers: ['app', 'istio-proxy'] }),
      pod('host', { hostNetwork: true }),
      pod('label-off', { labels: { 'sidecar.istio.io/inject': 'false' } }),
      pod('annotation-off', { annotations: { 'sidecar.istio.io/inject': 'false' } }),
      pod('done', { phase: 'Succeeded' }),
    ];
    const r = namespaceReport('ns', { 'istio-injection': 'enabled' }, pods);
    assert.equal(r.pods, 7);
    assert.equal(r.withSidecar, 1);
    assert.deepEqual(r.needRestart, [
      { name: 'plain', owner: 'Pod/plain' },
      { name: 'web-5d4f8c6b7-x2x9z', owner: 'Deployment/web' },
    ]);
    assert.deepEqual(
      r.skipped.map((p) => `${p.name}:${p.reason}`),
      ['annotation-off:ANNOTATION_DISABLED', 'host:HOST_NETWORK', 'label-off:LABEL_DISABLED'],
    );
  });

  it('nothing needs a restart in a namespace that is not opted in, or with the injector policy disabled', () => {
    assert.deepEqual(namespaceReport('ns', {}, [pod('plain')]).needRestart, []);
    assert.deepEqual(namespaceReport('ns', { 'istio-injection': 'disabled' }, [pod('plain')]).needRestart, []);
    const r = namespaceReport(
      'ns',
      { 'istio-injection': 'enabled' },
      [pod('plain'), pod('asks', { labels: { 'sidecar.istio.io/inject': 'true' } })],
      { policy: 'disabled' },
    );
    assert.deepEqual(
      r.needRestart.map((p) => p.name),
      ['asks'],
    );
    assert.deepEqual(
      r.skipped.map((p) => p.reason),
      ['POLICY_DISABLED'],
    );
  });

  it('kube-system is never injected, even when labelled', () => {
    const r = namespaceReport('kube-system', { 'istio-injection': 'enabled' }, [pod('dns')]);
    assert.equal(r.optedIn, true);
    assert.deepEqual(r.needRestart, []);
    assert.deepEqual(
      r.skipped.map((p) => p.reason),
      ['IGNORED_NAMESPACE'],
    );
  });

  describe("with the cluster's webhook configurations", () => {
    const webhooks = injectionEntriesOf([revisionConfig('default'), revisionConfig('canary'), tagConfig('prod', 'canary')]);

    it('a namespace labelled istio.io/rev=prod is opted in through the tag, on revision canary (shown prod→canary)', () => {
      const r = namespaceInjection('shop', { 'istio.io/rev': 'prod' }, { webhooks });
      assert.equal(r.optedIn, true);
      assert.equal(r.revision, 'canary');
      assert.equal(r.webhook?.configuration, 'istio-revision-tag-prod');
      assert.equal(revisionText(r.webhook), 'prod→canary');
      assert.deepEqual(namespaceInjection('shop', { 'istio.io/rev': 'nowhere' }, { webhooks }), {
        optedIn: false,
        webhook: null,
        revision: null,
        why: 'istio.io/rev=nowhere; no webhook entry selects it',
      });
    });

    it('pods injected by another revision, or not injected, are not on the revision', () => {
      const pods = [
        pod('on-canary', { containers: ['app', 'istio-proxy'], annotations: { 'istio.io/rev': 'canary' } }),
        pod('on-default', { containers: ['app', 'istio-proxy'], annotations: { 'istio.io/rev': 'default' } }),
        pod('plain'),
        pod('old', { containers: ['app', 'istio-proxy'], annotations: { 'istio.io/rev': 'default' }, phase: 'Succeeded' }),
      ];
      const r = namespaceReport('shop', { 'istio.io/rev': 'prod' }, pods, { webhooks });
      assert.deepEqual(r.notOnRevision, [
        { name: 'on-default', owner: 'Pod/on-default', revision: 'default' },
        { name: 'plain', owner: 'Pod/plain', revision: null },
      ]);
    });
  });
});
