// Pod annotations Istio's injector reads, each with valid, edge and invalid values, and the inject
// label/annotation with any string. Values are drawn from small pools so a run of a few hundred cases
// meets each of them; `fc.string()` adds the values nobody thought of.
import fc from 'fast-check';

const bools = ['true', 'false', 'TRUE', '1', '0', 'f', 'yes', '', ' true'];
const ports = ['8080', '80,443', '*', '', '0', '65535', '65536', '-1', 'http', '80, 443', '15020'];
const cidrs = ['*', '10.0.0.0/8', '10.0.0.0/8,192.168.0.0/16', '', '10.0.0.1/32', 'fd00::/8', '10.0.0.0/33', 'not-a-cidr', '10.0.0.1'];
const quantities = ['100m', '2', '1Gi', '512Mi', '0', '', '1.5', 'lots', '100 m', '2000m', '1e3'];
const uints = ['0', '1', '30', '4294967295', '4294967296', '-1', 'x', ''];
const interfaces = ['eth1', 'eth1,eth2', '', 'net1', 'a/b', '-x', 'averyveryverylongname'];

const userVolumes = ['{"datadir":{"emptyDir":{}}}', '[{"name":"datadir","emptyDir":{}}]', '{"cfg":{"configMap":{"name":"app"}}}', '{}', 'not json'];
const userVolumeMounts = ['{"datadir":{"mountPath":"/data"}}', '[{"name":"datadir","mountPath":"/data"}]', '{"x":{}}', '[]', '{'];
const proxyConfigs = [
  '',
  'holdApplicationUntilProxyStarts: true',
  'holdApplicationUntilProxyStarts: false',
  'concurrency: 2',
  'proxyMetadata:\n  FOO: bar',
  'proxyMetadata:\n  ISTIO_META_DNS_CAPTURE: "true"',
  'interceptionMode: TPROXY',
  'terminationDrainDuration: 30s',
  'image:\n  imageType: distroless',
  'proxyStatsMatcher:\n  inclusionPrefixes: ["a"]',
  'tracing:\n  sampling: 10',
  'statusPort: 15021',
  'concurrency: "two"',
  'not: [valid',
  '{"concurrency": 4}',
];
const overrides = ['{"containers":[{"name":"istio-proxy","image":"custom:1"}]}', '{}', 'nope'];

/** name → values worth trying (besides any string). */
export const ANNOTATION_VALUES: Record<string, string[]> = {
  'sidecar.istio.io/interceptionMode': ['REDIRECT', 'TPROXY', 'NONE', 'redirect', ''],
  'status.sidecar.istio.io/port': ['15020', '0', '15021', '65536', 'x', ''],
  'readiness.status.sidecar.istio.io/initialDelaySeconds': uints,
  'readiness.status.sidecar.istio.io/periodSeconds': uints,
  'readiness.status.sidecar.istio.io/failureThreshold': uints,
  'traffic.sidecar.istio.io/includeOutboundIPRanges': cidrs,
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': cidrs.filter((c) => c !== '*'),
  'traffic.sidecar.istio.io/includeInboundPorts': ports,
  'traffic.sidecar.istio.io/excludeInboundPorts': ports.filter((p) => p !== '*'),
  'traffic.sidecar.istio.io/includeOutboundPorts': ports.filter((p) => p !== '*'),
  'traffic.sidecar.istio.io/excludeOutboundPorts': ports.filter((p) => p !== '*'),
  'traffic.sidecar.istio.io/excludeInterfaces': interfaces,
  'traffic.sidecar.istio.io/kubevirtInterfaces': interfaces,
  'istio.io/reroute-virtual-interfaces': interfaces,
  'sidecar.istio.io/proxyCPU': quantities,
  'sidecar.istio.io/proxyMemory': quantities,
  'sidecar.istio.io/proxyCPULimit': quantities,
  'sidecar.istio.io/proxyMemoryLimit': quantities,
  'sidecar.istio.io/rewriteAppHTTPProbers': bools,
  'sidecar.istio.io/nativeSidecar': bools,
  'sidecar.istio.io/proxyImageType': ['distroless', 'debug', 'default', ''],
  'sidecar.istio.io/proxyImage': ['docker.io/istio/proxyv2:1.20.0', 'myproxy', 'gcr.io/x/y:z'],
  'sidecar.istio.io/logLevel': ['debug', 'info', 'warning', ''],
  'sidecar.istio.io/componentLogLevel': ['misc:error', 'upstream:debug,misc:info'],
  'sidecar.istio.io/agentLogLevel': ['debug', 'default:info'],
  'sidecar.istio.io/statsInclusionPrefixes': ['cluster.outbound', ''],
  'sidecar.istio.io/statsInclusionRegexps': ['http.*'],
  'sidecar.istio.io/statsInclusionSuffixes': ['upstream_cx_total'],
  'sidecar.istio.io/bootstrapOverride': ['my-bootstrap', ''],
  'sidecar.istio.io/discoveryAddress': ['istiod.istio-system.svc:15012', ''],
  'sidecar.istio.io/enableCoreDump': bools,
  'sidecar.istio.io/capNetBindService': bools,
  'sidecar.istio.io/userVolume': userVolumes,
  'sidecar.istio.io/userVolumeMount': userVolumeMounts,
  'sidecar.istio.io/userVolumeMountReadOnly': bools,
  'proxy.istio.io/config': proxyConfigs,
  'proxy.istio.io/overrides': overrides,
  'inject.istio.io/templates': ['sidecar', 'sidecar,sidecar', 'grpc-agent', 'grpc-simple', 'gateway', 'sidecar,grpc-agent', 'nope', '', ' sidecar '],
  'kubectl.kubernetes.io/default-container': ['app', 'istio-proxy', 'missing'],
  'kubectl.kubernetes.io/default-logs-container': ['app'],
  'prometheus.io/scrape': bools,
  'prometheus.io/port': ['9090', 'x', '', '+8080', '15020', '15090'],
  'prometheus.io/path': ['/metrics', '/stats', '/m?a=1&b=<2>'],
  'prometheus.istio.io/scrape-targets': ['9090:/metrics', '9090, 9091:/m', ':/x', '15090', '70000:/a', ''],
  'prometheus.istio.io/merge-metrics': bools,
  'sidecar.istio.io/inject': ['true', 'false', 'TRUE', 'y', '', 'enabled'],
  'resource.opentelemetry.io/service.namespace': ['payments', '', 'a,b'],
  'resource.opentelemetry.io/service.version': ['1.2.3', '', 'v2@sha256:abc'],
  'resource.opentelemetry.io/service.instance.id': ['web-1', ''],
};

const anyValue = fc.string({ maxLength: 12 });
const valueFor = (name: string) =>
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ANNOTATION_VALUES[name]!) }, { weight: 1, arbitrary: anyValue });

/** A few of the annotations above (none most often), plus now and then an unrelated one. */
export const annotationsArb: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.uniqueArray(fc.constantFrom(...Object.keys(ANNOTATION_VALUES)), { maxLength: 3 }),
    fc.option(fc.constantFrom('team', 'example.com/owner'), { freq: 4 }),
  )
  .chain(([names, other]) =>
    fc
      .tuple(...names.map((n) => valueFor(n)))
      .map((values) => Object.fromEntries([...names.map((n, i) => [n, values[i]!]), ...(other ? [[other, 'x']] : [])])),
  );

/** The inject label (Istio: the label wins over the annotation), any string. */
export const injectLabelArb = fc.option(fc.oneof(fc.constantFrom('true', 'false', 'enabled', ''), anyValue), { freq: 5 });
