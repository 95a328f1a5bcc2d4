// Pods as Istio's gateway Helm chart (manifests/charts/gateway/templates/deployment.yaml) makes them: one
// `istio-proxy` container with `image: auto`, the `gateway` template asked for by annotation, the chart's
// security contexts and probe, and the values a platform team sets (network, env, resources, labels).
import fc from 'fast-check';
import type { GeneratedPod } from './pod.ts';

const chartLabels = fc.constantFrom<Record<string, string>>(
  { app: 'istio-ingressgateway', istio: 'ingressgateway' },
  { app: 'istio-egressgateway', istio: 'egressgateway', 'app.kubernetes.io/name': 'istio-egressgateway' },
  { app: 'east-west', istio: 'eastwestgateway', 'topology.istio.io/network': 'network1' },
);

const envArb = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom('ISTIO_META_ROUTER_MODE', 'ISTIO_META_REQUESTED_NETWORK_VIEW', 'FOO'),
    value: fc.constantFrom('sni-dnat', 'network1', 'x'),
  }),
  { maxLength: 2, selector: (e) => e.name },
);

const resourcesArb = fc.constantFrom<Record<string, unknown>>(
  { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } },
  { requests: { cpu: '1' } },
  {},
);

/** The chart's podAnnotations, plus what an operator may add (a template list, proxy config, a stray one). */
const annotationsArb = fc
  .record(
    {
      templates: fc.constantFrom('gateway', 'gateway', 'gateway,sidecar', 'sidecar', 'gateway '),
      scrape: fc.boolean(),
      proxyConfig: fc.option(
        fc.constantFrom('{"concurrency": 2}', '{"proxyMetadata": {"ISTIO_META_DNS_CAPTURE": "true"}}', '{"holdApplicationUntilProxyStarts": true}'),
        { freq: 3 },
      ),
      extra: fc.option(
        fc.constantFrom<[string, string]>(['sidecar.istio.io/proxyCPU', '500m'], ['sidecar.istio.io/logLevel', 'debug'], ['team', 'edge']),
        { freq: 2 },
      ),
    },
    { requiredKeys: ['templates', 'scrape'] },
  )
  .map((a) => {
    const out: Record<string, string> = { 'inject.istio.io/templates': a.templates };
    if (a.scrape) Object.assign(out, { 'prometheus.io/port': '15020', 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/stats/prometheus' });
    if (a.proxyConfig) out['proxy.istio.io/config'] = a.proxyConfig;
    if (a.extra) out[a.extra[0]] = a.extra[1];
    return out;
  });

export const gatewayPodArb: fc.Arbitrary<GeneratedPod> = fc
  .record({
    labels: chartLabels,
    annotations: annotationsArb,
    env: envArb,
    resources: resourcesArb,
    namespace: fc.constantFrom('istio-ingress', 'istio-system'),
    pullSecrets: fc.boolean(),
    injectLabel: fc.constantFrom('true', 'true', 'false'),
  })
  .map((g) => {
    const labels: Record<string, string> = { ...g.labels, 'sidecar.istio.io/inject': g.injectLabel, 'pod-template-hash': '5c8f6d' };
    const app = labels.app ?? 'gateway';
    const proxy: Record<string, unknown> = {
      name: 'istio-proxy',
      image: 'auto',
      securityContext: {
        capabilities: { drop: ['ALL'] },
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
      },
      env: g.env,
      ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }],
      resources: g.resources,
    };
    const spec: Record<string, unknown> = {
      serviceAccountName: app,
      securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
      containers: [proxy],
      terminationGracePeriodSeconds: 30,
    };
    if (g.pullSecrets) spec.imagePullSecrets = [{ name: 'regcred' }];
    const metadata = {
      namespace: g.namespace,
      generateName: `${app}-5c8f6d-`,
      labels,
      annotations: g.annotations,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-5c8f6d`, uid: 'u-2', controller: true }],
      creationTimestamp: null,
    };
    return { pod: JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata, spec, status: {} })), namespace: g.namespace };
  });
