// The owner a pod's proxy reports (ISTIO_META_OWNER, ISTIO_META_WORKLOAD_NAME, the canonical-name label),
// inferred from the controller reference exactly as istiod's GetDeployMetaFromPod does (checked with the oracle).
import assert from 'node:assert/strict';
import { injectPod } from '../../src/core/inject.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings({ native: 'false' });

function owned(kind: string, apiVersion: string, name: string, labels: Record<string, string> = {}): Record<string, string | undefined> {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: `${name}-`, namespace: 'shop', labels, ownerReferences: [{ apiVersion, kind, name, uid: 'u', controller: true }] },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
  };
  const out = injectPod(pod, { settings, namespace: 'shop' }).pod;
  const env = Object.fromEntries(out.spec.containers.find((c) => c.name === 'istio-proxy')!.env!.map((e) => [e.name, e.value]));
  return { owner: env.ISTIO_META_OWNER, workload: env.ISTIO_META_WORKLOAD_NAME, canonical: out.metadata.labels?.['service.istio.io/canonical-name'] };
}

describe("workload owner: istiod's GetDeployMetaFromPod", () => {
  it('keeps the controller reference apiVersion for a Deployment and a DeploymentConfig', () => {
    assert.equal(
      owned('ReplicaSet', 'apps/v1beta2', 'web-abc', { 'pod-template-hash': 'abc' }).owner,
      'kubernetes://apis/apps/v1beta2/namespaces/shop/deployments/web',
    );
    assert.equal(
      owned('ReplicationController', 'v1', 'dc1-3', { deploymentconfig: 'dc1' }).owner,
      'kubernetes://apis/v1/namespaces/shop/deploymentconfigs/dc1',
    );
  });

  it('trims only a "-<hash>" suffix, and names an Argo Rollout from rollouts-pod-template-hash', () => {
    assert.equal(owned('ReplicaSet', 'apps/v1', 'webabc', { 'pod-template-hash': 'abc' }).workload, 'webabc');
    assert.deepEqual(owned('ReplicaSet', 'apps/v1', 'ro-abc', { 'rollouts-pod-template-hash': 'abc' }), {
      owner: 'kubernetes://apis/v1alpha1/namespaces/shop/rollouts/ro',
      workload: 'ro',
      canonical: 'ro',
    });
  });

  it('takes a Job named <name>-<8 to 10 digits> for a CronJob, and no longer suffix', () => {
    assert.equal(owned('Job', 'batch/v1', 'cj-1234567890').owner, 'kubernetes://apis/batch/v1/namespaces/shop/cronjobs/cj');
    assert.equal(owned('Job', 'batch/v1', 'cj-12345678901').owner, 'kubernetes://apis/batch/v1/namespaces/shop/jobs/cj-12345678901');
  });
});
