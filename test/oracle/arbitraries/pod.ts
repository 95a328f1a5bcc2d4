// Pods as the API server hands them to the webhook: owned by a workload (or bare), with containers that
// have ports, probes of every kind, security contexts, volumes and env.
import fc from 'fast-check';
import { reviewObject } from '../../helpers/admission.ts';
import { annotationsArb, injectLabelArb } from './annotations.ts';

const portArb = fc.record(
  {
    containerPort: fc.oneof(fc.constantFrom(80, 8080, 9090, 15020, 15090), fc.integer({ min: 1, max: 65535 })),
    name: fc.constantFrom('http', 'grpc', 'metrics', 'tcp-db'),
    protocol: fc.constantFrom('TCP', 'UDP'),
  },
  { requiredKeys: ['containerPort'] },
);

const probePort = fc.oneof(fc.constantFrom(8080, 9090), fc.constantFrom('http', 'metrics'));
const handlerArb = fc.oneof(
  fc.record({
    httpGet: fc.record(
      { path: fc.constantFrom('/healthz', '/ready', '/'), port: probePort, scheme: fc.constantFrom('HTTP', 'HTTPS') },
      { requiredKeys: ['port'] },
    ),
  }),
  fc.record({ tcpSocket: fc.record({ port: probePort }) }),
  fc.record({ grpc: fc.record({ port: fc.constantFrom(8080, 9090), service: fc.constantFrom('health', '') }, { requiredKeys: ['port'] }) }),
  fc.record({ exec: fc.record({ command: fc.constant(['cat', '/tmp/ready']) }) }),
);
const probeArb = handlerArb.chain((h) =>
  fc
    .record({ periodSeconds: fc.integer({ min: 1, max: 30 }), timeoutSeconds: fc.integer({ min: 1, max: 5 }) }, { requiredKeys: [] })
    .map((t) => ({ ...h, ...t })),
);

const securityContextArb = fc.record(
  { runAsUser: fc.constantFrom(0, 1000, 1337), runAsGroup: fc.constantFrom(0, 1000, 1337), runAsNonRoot: fc.boolean(), privileged: fc.boolean() },
  { requiredKeys: [] },
);

const envArb = fc.uniqueArray(fc.record({ name: fc.constantFrom('FOO', 'BAR', 'ISTIO_META_X', 'PORT'), value: fc.constantFrom('1', 'x', '') }), {
  maxLength: 3,
  selector: (e) => e.name,
});

const containerArb = (name: string) =>
  fc.record(
    {
      name: fc.constant(name),
      image: fc.constantFrom('nginx', 'docker.io/library/busybox:1.36', 'app:1', 'nginx@sha256:abc123', 'registry:5000/shop/app:1.2@sha256:def456'),
      ports: fc.uniqueArray(portArb, { maxLength: 3, selector: (p) => `${p.containerPort}/${p.protocol ?? 'TCP'}` }),
      readinessProbe: probeArb,
      livenessProbe: probeArb,
      startupProbe: probeArb,
      securityContext: securityContextArb,
      env: envArb,
      volumeMounts: fc.constant([{ name: 'data', mountPath: '/data' }]),
      resources: fc.record({ requests: fc.record({ cpu: fc.constantFrom('100m', '1', '0.5'), memory: fc.constantFrom('64Mi', '1Gi') }) }),
    },
    { requiredKeys: ['name', 'image'] },
  );

const containersArb = fc
  .integer({ min: 1, max: 3 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => containerArb(i === 0 ? 'app' : `side${i}`))));

/** Who owns the pod: how Istio infers the workload name and kind for its labels and env. */
const ownerArb = fc.constantFrom<{ kind: string; name: string; labels: Record<string, string> }>(
  { kind: 'ReplicaSet', name: 'web-7d4b9c', labels: { app: 'web', 'pod-template-hash': '7d4b9c' } },
  { kind: 'StatefulSet', name: 'db', labels: { app: 'db', version: 'v1', 'app.kubernetes.io/version': '14.2' } },
  { kind: 'Job', name: 'batch-1', labels: { 'job-name': 'batch-1' } },
  { kind: 'DaemonSet', name: 'agent', labels: { 'app.kubernetes.io/name': 'agent' } },
  { kind: '', name: 'bare', labels: {} },
);

export interface GeneratedPod {
  pod: Record<string, unknown>;
  namespace: string;
}

export const podArb: fc.Arbitrary<GeneratedPod> = fc
  .record({
    owner: ownerArb,
    containers: containersArb,
    annotations: annotationsArb,
    injectLabel: injectLabelArb,
    namespace: fc.constantFrom('default', 'apps'),
    hostNetwork: fc.integer({ min: 0, max: 11 }).map((n) => n === 0),
    volumes: fc.boolean(),
    pullSecrets: fc.boolean(),
    // set when a pod is created already bound (a DaemonSet's or a static pod's), for native `auto`
    nodeName: fc.option(fc.constantFrom('node-new', 'node-old', 'node-gone'), { freq: 3 }),
    podSecurity: fc.option(
      securityContextArb.map(({ runAsUser, runAsGroup }) => ({ runAsUser, runAsGroup, fsGroup: 1000 })),
      { freq: 4 },
    ),
  })
  .map((g) => {
    const labels: Record<string, string> = { ...g.owner.labels };
    if (g.injectLabel !== null) labels['sidecar.istio.io/inject'] = g.injectLabel;
    const metadata: Record<string, unknown> = { namespace: g.namespace, labels, annotations: g.annotations };
    if (g.owner.kind) {
      metadata.generateName = `${g.owner.name}-`;
      metadata.ownerReferences = [
        { apiVersion: g.owner.kind === 'Job' ? 'batch/v1' : 'apps/v1', kind: g.owner.kind, name: g.owner.name, uid: 'u-1', controller: true },
      ];
    } else metadata.name = g.owner.name;
    const spec: Record<string, unknown> = {
      containers: g.containers.map((c) => ({ ...c, volumeMounts: g.volumes ? c.volumeMounts : undefined })),
    };
    if (!g.volumes) for (const c of spec.containers as Array<Record<string, unknown>>) delete c.volumeMounts;
    if (g.volumes) spec.volumes = [{ name: 'data', emptyDir: {} }];
    if (g.hostNetwork) spec.hostNetwork = true;
    if (g.nodeName) spec.nodeName = g.nodeName;
    if (g.pullSecrets) spec.imagePullSecrets = [{ name: 'regcred' }];
    if (g.podSecurity) spec.securityContext = g.podSecurity;
    // As the API server serialises it: Go writes struct fields without omitempty (`resources: {}`,
    // `status: {}`, `creationTimestamp: null`), and istiod's patch assumes they are there.
    for (const c of spec.containers as Array<Record<string, unknown>>) c.resources ??= {};
    metadata.creationTimestamp = null;
    // a JSON round trip, as the API server sends it: no key holds undefined
    const pod = JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata, spec, status: {} })) as Record<string, unknown>;
    return { pod, namespace: g.namespace };
  });

/** Webhook URL paths as istiod's webhook configurations write them, and a few it never does. */
export const pathArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant('/inject') },
  { weight: 2, arbitrary: fc.constantFrom('/inject/cluster/Kubernetes/net/network1', '/inject/cluster/c2/net/n2', '/inject/net/n1') },
  { weight: 1, arbitrary: fc.constantFrom('/inject/:ENV:cluster=c1:ENV:net=n1', '/inject/', '/inject/cluster', '/inject/x/y%2Fz') },
);

/** The AdmissionReview the API server sends for a pod CREATE. */
export const reviewOf = (g: GeneratedPod, uid: string): Record<string, unknown> => reviewObject(uid, g.pod, g.namespace);
