// Istio's injection test cases this suite runs (test/fixtures/istio/CASES.md), with the settings
// each golden was made with.

export interface InjectCase {
  input: string;
  golden: string;
  native: boolean;
  sets?: string[];
  /** More values files, merged over the shared injector values in order (as repeated --values). */
  valuesFiles?: string[];
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
];

export const ERROR_CASES: Array<{ input: string; mentions: string }> = [
  { input: 'traffic-annotations-bad-includeipranges.yaml', mentions: 'includeipranges' },
  { input: 'traffic-annotations-bad-excludeinboundports.yaml', mentions: 'excludeinboundports' },
];
