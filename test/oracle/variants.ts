// Settings variants: each is rendered by Istio's own renderer (istioctl-style --set) and given, as the
// same ConfigMap data, to both injectors.
export interface Variant {
  name: string;
  /** istioctl --set flags for Istio's renderer (values.…, meshConfig.…, revision=…). */
  sets: string[];
  native: 'true' | 'false' | 'auto';
  /** Values the rendered `values` must hold (dotted paths): Istio's renderer ignores some --set paths silently. */
  expect?: Record<string, unknown>;
  /** istiod's own environment (the chart sets it from values.pilot.env, which ours reads). */
  istiodEnv?: Record<string, string>;
  /** Nodes (name -> kubelet version) both injectors see, for native `auto`. */
  nodes?: Record<string, string>;
  /** ProxyConfig resources in the cluster ([{name, namespace, spec}]). */
  proxyConfigs?: Array<{ name: string; namespace: string; spec: Record<string, unknown> }>;
}

export const VARIANTS: Variant[] = [
  { name: 'default profile, classic sidecar', sets: [], native: 'false' },
  { name: 'default profile, native sidecar', sets: [], native: 'true' },
  {
    name: 'native auto, nodes of two kubelet versions',
    sets: [],
    native: 'auto',
    nodes: { 'node-new': 'v1.33.2', 'node-old': 'v1.30.4-eks-1a2b3c' },
  },
  { name: 'native auto, every node 1.33 or later', sets: [], native: 'auto', nodes: { 'node-new': 'v1.33.2', 'node-newer': 'v1.34.0+k3s1' } },
  {
    name: 'FIPS compliance policy and OpenTelemetry semantic conventions',
    sets: [
      'values.pilot.env.COMPLIANCE_POLICY=fips-140-3',
      'meshConfig.extensionProviders[0].name=otel',
      'meshConfig.extensionProviders[0].opentelemetry.service=otel-collector.observability.svc.cluster.local',
      'meshConfig.extensionProviders[0].opentelemetry.port=4317',
      'meshConfig.extensionProviders[0].opentelemetry.serviceAttributeEnrichment=OTEL_SEMANTIC_CONVENTIONS',
    ],
    istiodEnv: { COMPLIANCE_POLICY: 'fips-140-3' },
    native: 'true',
  },
  { name: 'CNI (istio-validation)', sets: ['components.cni.enabled=true'], native: 'false', expect: { 'pilot.cni.enabled': true } },
  {
    name: 'hold application until proxy starts',
    sets: ['values.global.proxy.holdApplicationUntilProxyStarts=true'],
    native: 'false',
    expect: { 'global.proxy.holdApplicationUntilProxyStarts': true },
  },
  { name: 'TPROXY interception', sets: ['meshConfig.defaultConfig.interceptionMode=TPROXY'], native: 'false' },
  {
    name: 'revision canary, image pull secrets',
    sets: ['revision=canary', 'values.global.imagePullSecrets[0]=barSecret', 'values.global.imagePullSecrets[1]=regcred'],
    native: 'true',
    expect: { revision: 'canary', 'global.imagePullSecrets': ['barSecret', 'regcred'] },
  },
  {
    name: 'seccomp, status port, proxy resources, log levels, core dumps',
    sets: [
      'values.global.proxy.seccompProfile.type=RuntimeDefault',
      'values.global.proxy.statusPort=15021',
      'values.global.proxy.resources.requests.cpu=200m',
      'values.global.proxy.resources.limits.memory=1Gi',
      'values.global.proxy.logLevel=debug',
      'values.global.logging.level=default:debug',
      'values.global.proxy.componentLogLevel=misc:info',
      'values.global.proxy.enableCoreDump=true',
    ],
    native: 'false',
    expect: { 'global.proxy.seccompProfile.type': 'RuntimeDefault', 'global.proxy.statusPort': 15021, 'global.logging.level': 'default:debug' },
  },
  {
    name: 'mesh defaultConfig and ProxyConfig resources',
    sets: [
      'meshConfig.defaultConfig.proxyMetadata.FOO=bar',
      'meshConfig.defaultConfig.concurrency=2',
      'meshConfig.defaultConfig.holdApplicationUntilProxyStarts=true',
      'meshConfig.defaultConfig.image.imageType=distroless',
    ],
    native: 'true',
    proxyConfigs: [
      { name: 'mesh-wide', namespace: 'istio-system', spec: { environmentVariables: { MESH_WIDE: '1' } } },
      { name: 'apps', namespace: 'apps', spec: { concurrency: 3, image: { imageType: 'debug' } } },
      { name: 'web', namespace: 'default', spec: { selector: { matchLabels: { app: 'web' } }, environmentVariables: { WEB: 'yes' } } },
    ],
  },
];
