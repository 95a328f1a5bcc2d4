// Pods as the API server hands them to a webhook: a workload's pod carries generateName, the
// controller's ownerReference and (for Deployments) the pod-template-hash label.
import { podOf } from '../../src/core/workloads.ts';
import type { Pod } from '../../src/core/types.ts';

const HASH = '5d4f8c6b7';

export function admittedPod(obj: Record<string, unknown>, namespace: string): Pod {
  const pod = structuredClone(podOf(obj)) as Pod;
  const kind = String(obj.kind);
  const name = String((obj.metadata as { name?: string }).name);
  pod.metadata.namespace = namespace;
  const owner = (apiVersion: string, k: string, n: string) => [
    { apiVersion, kind: k, name: n, uid: `uid-${n}`, controller: true, blockOwnerDeletion: true },
  ];
  switch (kind) {
    case 'Pod':
      break;
    case 'Deployment':
      pod.metadata.generateName = `${name}-${HASH}-`;
      pod.metadata.labels = { ...(pod.metadata.labels ?? {}), 'pod-template-hash': HASH };
      pod.metadata.ownerReferences = owner('apps/v1', 'ReplicaSet', `${name}-${HASH}`);
      break;
    case 'StatefulSet':
      pod.metadata.generateName = `${name}-`;
      pod.metadata.name = `${name}-0`;
      pod.metadata.ownerReferences = owner('apps/v1', 'StatefulSet', name);
      break;
    default:
      pod.metadata.generateName = `${name}-`;
      pod.metadata.ownerReferences = owner(String(obj.apiVersion), kind, name);
  }
  return pod;
}

/** Takes back what admittedPod added, so the result compares with the workload's pod template. */
export function asTemplate(pod: Pod, kind: string): Record<string, unknown> {
  const p = structuredClone(pod);
  delete p.metadata.namespace;
  if (kind !== 'Pod') {
    delete p.metadata.generateName;
    delete p.metadata.ownerReferences;
    if (kind === 'StatefulSet') delete p.metadata.name;
    if (p.metadata.labels) delete p.metadata.labels['pod-template-hash'];
    return { metadata: p.metadata, spec: p.spec };
  }
  return p as unknown as Record<string, unknown>;
}

/** A plain pod named `name`, with one container. */
export const plainPod = (name: string, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...metadata },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});

/** An AdmissionReview for creating `pod` in `namespace`, as the API server sends it. */
export const reviewObject = (uid: string, pod: unknown, namespace = 'apps', version = 'admission.k8s.io/v1') => ({
  apiVersion: version,
  kind: 'AdmissionReview',
  request: {
    uid,
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace,
    operation: 'CREATE',
    object: pod,
  },
});

/** Its JSON, for a pod in namespace apps. */
export const reviewJson = (uid: string, pod: unknown = plainPod(uid), version = 'admission.k8s.io/v1') =>
  JSON.stringify(reviewObject(uid, pod, 'apps', version));
