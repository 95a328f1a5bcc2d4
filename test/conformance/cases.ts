// Istio's injection test cases this suite runs (test/fixtures/istio/CASES.md), with the settings
// each golden was made with.

export interface InjectCase {
  input: string;
  golden: string;
  native: boolean;
  sets?: string[];
  /** More values files, merged over the shared injector values in order (as repeated --values). */
  valuesFiles?: string[];
  /** A mesh file (test/fixtures/templates) in place of the shared mesh.yaml. */
  meshFile?: string;
  /**
   * Re-injection settles on the second pass instead of the first (a named exception, as in Istio):
   * merge-probers turns a classic injection into a native one, so the old proxy container counts as the
   * user's override once.
   */
  settlesOnSecondPass?: string;
  /** Istio runs CronJob through kube-inject only: the webhook never sees a CronJob's pod. */
  skipWebhook?: boolean;
}

const HOLD = 'values.global.proxy.holdApplicationUntilProxyStarts=true';
const STATUS_PARAMS = [
  'values.global.proxy.statusPort=123',
  'values.global.proxy.readinessInitialDelaySeconds=100',
  'values.global.proxy.readinessPeriodSeconds=200',
  'values.global.proxy.readinessFailureThreshold=300',
];
const CNI = ['values.pilot.cni.enabled=true'];
/** values.global.proxy.resources as two limits then two requests, [resource, quantity or null]. */
function resources(...entries: Array<[string, string | null]>): string[] {
  return entries.map(([res, q], i) => `values.global.proxy.resources.${i < 2 ? 'limits' : 'requests'}.${res}=${q ?? 'null'}`);
}
const MULTUS = [...CNI, 'values.pilot.cni.provider=multus'];
const TLS_KEY = 'mesh.defaultConfig.proxyMetadata.ISTIO_META_TLS_CLIENT_KEY=/etc/identity/client/keys/client-key.pem';

export const INJECT_CASES: InjectCase[] = [
  { input: 'pod.yaml', golden: 'pod.yaml.injected', native: true },
  { input: 'pod.yaml', golden: 'pod-old-version.yaml.injected', native: false },
  { input: 'hello.yaml', golden: 'hello.yaml.injected', native: true },
  { input: 'hello.yaml', golden: 'hello-old-version.yaml.injected', native: false },
  { input: 'statefulset.yaml', golden: 'statefulset.yaml.injected', native: true },
  { input: 'statefulset.yaml', golden: 'statefulset-old-version.yaml.injected', native: false },
  { input: 'job.yaml', golden: 'job.yaml.injected', native: true },
  { input: 'job.yaml', golden: 'job-old-version.yaml.injected', native: false },
  { input: 'cronjob.yaml', golden: 'cronjob.yaml.injected', native: true, skipWebhook: true },
  { input: 'cronjob.yaml', golden: 'cronjob-old-version.yaml.injected', native: false, skipWebhook: true },
  { input: 'multi-container.yaml', golden: 'multi-container.yaml.injected', native: true },
  { input: 'multi-init.yaml', golden: 'multi-init.yaml.injected', native: true },
  { input: 'hello-host-network.yaml', golden: 'hello-host-network.yaml.injected', native: true },
  { input: 'hello-ignore.yaml', golden: 'hello-ignore.yaml.injected', native: true },
  { input: 'resource_annotations.yaml', golden: 'resource_annotations.yaml.injected', native: true },
  { input: 'traffic-annotations.yaml', golden: 'traffic-annotations.yaml.injected', native: true, sets: [TLS_KEY] },
  { input: 'traffic-annotations-wildcards.yaml', golden: 'traffic-annotations-wildcards.yaml.injected', native: true },
  { input: 'traffic-annotations-empty-includes.yaml', golden: 'traffic-annotations-empty-includes.yaml.injected', native: true },
  { input: 'status_annotations.yaml', golden: 'status_annotations.yaml.injected', native: true },
  { input: 'status_annotations_zeroport.yaml', golden: 'status_annotations_zeroport.yaml.injected', native: true },
  { input: 'native-sidecar.yaml', golden: 'native-sidecar.yaml.injected', native: true },
  { input: 'native-sidecar.yaml', golden: 'native-sidecar-old-version.yaml.injected', native: false },
  { input: 'native-sidecar-opt-in.yaml', golden: 'native-sidecar-opt-in.yaml.injected', native: true },
  { input: 'native-sidecar-opt-in.yaml', golden: 'native-sidecar-opt-in.yaml.injected', native: false },
  { input: 'init-no-intercept-no-native-sidecar.yaml', golden: 'init-no-intercept-no-native-sidecar.yaml.injected', native: true },
  { input: 'list.yaml', golden: 'list.yaml.injected', native: true },
  // probes, startup order, proxy config, overrides, custom templates, user volumes, CNI
  { input: 'hello-probes.yaml', golden: 'hello-probes.yaml.injected', native: true },
  { input: 'hello-probes.yaml', golden: 'hello-probes.proxyHoldsApplication.yaml.injected', native: true, sets: [HOLD] },
  { input: 'ready_live.yaml', golden: 'ready_live.yaml.injected', native: true },
  {
    input: 'merge-probers.yaml',
    golden: 'merge-probers.yaml.injected',
    native: true,
    sets: [HOLD],
    settlesOnSecondPass:
      'the classic istio-proxy of the input moves to initContainers and is kept as an override once; the next injection renders it anew',
  },
  { input: 'hello.yaml', golden: 'hello.proxyHoldsApplication.yaml.injected', native: true, sets: [HOLD] },
  {
    input: 'hello-probes-proxyHoldApplication-ProxyConfig.yaml',
    golden: 'hello-probes-proxyHoldApplication-ProxyConfig.yaml.injected',
    native: true,
  },
  {
    input: 'hello-probes-noProxyHoldApplication-ProxyConfig.yaml',
    golden: 'hello-probes-noProxyHoldApplication-ProxyConfig.yaml.injected',
    native: true,
    sets: [HOLD],
  },
  { input: 'proxy-override.yaml', golden: 'proxy-override.yaml.injected', native: true },
  { input: 'proxy-override-args.yaml', golden: 'proxy-override-args.yaml.injected', native: true },
  { input: 'proxy-override-args.yaml', golden: 'proxy-override-args-native.yaml.injected', native: true },
  { input: 'multiple-templates.yaml', golden: 'multiple-templates.yaml.injected', native: true },
  { input: 'custom-template.yaml', golden: 'custom-template.yaml.injected', native: true, valuesFiles: ['custom-template.values.yaml'] },
  { input: 'user-volume.yaml', golden: 'user-volume.yaml.injected', native: true },
  {
    input: 'hello.yaml',
    golden: 'hello.yaml.cni.injected',
    native: true,
    sets: ['values.pilot.cni.enabled=true', 'values.pilot.cni.provider=default', 'values.global.network=network1'],
  },
  // Istio's goldens at the oracle's version (eed52ebb66ad), each with the settings TestInjection gives it
  { input: 'enable-core-dump.yaml', golden: 'enable-core-dump.yaml.injected', native: true },
  { input: 'hello.yaml', golden: 'hello-fips-140-3.yaml.injected', native: true, sets: ['values.pilot.env.COMPLIANCE_POLICY=fips-140-3'] },
  { input: 'hello-otel-semconv.yaml', golden: 'hello-otel-semconv.yaml.injected', native: true, meshFile: 'otel-semconv.mesh.yaml' },
  { input: 'kubevirtInterfaces.yaml', golden: 'kubevirtInterfaces.yaml.injected', native: true, sets: STATUS_PARAMS },
  { input: 'reroute-virtual-interfaces.yaml', golden: 'reroute-virtual-interfaces.yaml.injected', native: true, sets: STATUS_PARAMS },
  { input: 'status_params.yaml', golden: 'status_params.yaml.injected', native: true, sets: STATUS_PARAMS },
  {
    input: 'traffic-params.yaml',
    golden: 'traffic-params.yaml.injected',
    native: true,
    sets: [
      'values.global.proxy.includeIPRanges=127.0.0.1/24\\,10.96.0.1/24',
      'values.global.proxy.excludeIPRanges=10.96.0.2/24\\,10.96.0.3/24',
      'values.global.proxy.excludeInboundPorts=4\\,5\\,6',
      'values.global.proxy.statusPort=0',
    ],
  },
  { input: 'hello.yaml', golden: 'hello.yaml.proxyImageName.injected', native: true, sets: ['values.global.proxy.image=proxyTest'] },
  { input: 'hello.yaml', golden: 'hello.yaml.proxyInitImageName.injected', native: true, sets: ['values.global.proxy_init.image=proxyInitTest'] },
  { input: 'hello.yaml', golden: 'hello-tproxy.yaml.injected', native: true, sets: ['mesh.defaultConfig.interceptionMode=TPROXY'] },
  { input: 'hello.yaml', golden: 'hello-always.yaml.injected', native: true, sets: ['values.global.imagePullPolicy=Always'] },
  { input: 'hello.yaml', golden: 'hello-never.yaml.injected', native: true, sets: ['values.global.imagePullPolicy=Never'] },
  { input: 'hello.yaml', golden: 'hello-mount-mtls-certs.yaml.injected', native: true, sets: ['values.global.mountMtlsCerts=true'] },
  { input: 'hello.yaml', golden: 'hello-cncf-networks.yaml.injected', native: true, sets: MULTUS },
  { input: 'hello-existing-cncf-networks.yaml', golden: 'hello-existing-cncf-networks.yaml.injected', native: true, sets: MULTUS },
  { input: 'hello-existing-cncf-networks-json.yaml', golden: 'hello-existing-cncf-networks-json.yaml.injected', native: true, sets: MULTUS },
  { input: 'proxy-override-runas.yaml', golden: 'proxy-override-runas.yaml.injected', native: true },
  { input: 'proxy-override-runas.yaml', golden: 'proxy-override-runas.yaml.cni.injected', native: true, sets: CNI },
  {
    input: 'proxy-override-runas.yaml',
    golden: 'proxy-override-runas.yaml.tproxy.injected',
    native: true,
    sets: ['mesh.defaultConfig.interceptionMode=TPROXY'],
  },
  {
    input: 'hello-probes-localhost.yaml',
    golden: 'hello-probes-localhost.yaml.injected',
    native: true,
    sets: ['mesh.inboundTrafficPolicy.mode=LOCALHOST'],
  },
  { input: 'format-duration.yaml', golden: 'format-duration.yaml.injected', native: true, sets: ['mesh.defaultConfig.drainDuration=23s'] },
  { input: 'hello-tracing-disabled.yaml', golden: 'hello-tracing-disabled.yaml.injected', native: true, meshFile: 'tracing-disabled.mesh.yaml' },
  // the proxy-resources-*.iop.yaml overlays: a null quantity removes the chart's default
  {
    input: 'proxy-resources-null.yaml',
    golden: 'proxy-resources-null.yaml.injected',
    native: true,
    sets: resources(['cpu', null], ['memory', '500Mi'], ['cpu', null], ['memory', '150Mi']),
  },
  {
    input: 'proxy-resources-null-no-init.yaml',
    golden: 'proxy-resources-null-no-init.yaml.injected',
    native: true,
    sets: resources(['cpu', null], ['memory', '500Mi'], ['cpu', null], ['memory', '150Mi']),
  },
  {
    input: 'proxy-resources-memory-null.yaml',
    golden: 'proxy-resources-memory-null.yaml.injected',
    native: true,
    sets: resources(['cpu', '100m'], ['memory', null], ['cpu', '50m'], ['memory', null]),
  },
  {
    input: 'proxy-resources-mixed-null.yaml',
    golden: 'proxy-resources-mixed-null.yaml.injected',
    native: true,
    sets: [
      ...resources(['cpu', null], ['memory', '500Mi'], ['cpu', '100m'], ['memory', null]),
      'values.global.proxy.resources.limits.ephemeral-storage=null',
      'values.global.proxy.resources.requests.ephemeral-storage=1Gi',
    ],
  },
];

export const ERROR_CASES: Array<{ input: string; mentions: string }> = [
  { input: 'traffic-annotations-bad-includeipranges.yaml', mentions: 'includeipranges' },
  { input: 'traffic-annotations-bad-excludeinboundports.yaml', mentions: 'excludeinboundports' },
];
