// Istio's injection test cases this suite runs (shared/conformance/istio/CASES.md), with the settings
// each golden was made with.

export interface InjectCase {
  input: string;
  golden: string;
  native: boolean;
  sets?: string[];
  /** Istio runs CronJob through kube-inject only: the webhook never sees a CronJob's pod. */
  skipWebhook?: boolean;
}

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
];

export const ERROR_CASES: Array<{ input: string; mentions: string }> = [
  { input: 'traffic-annotations-bad-includeipranges.yaml', mentions: 'includeipranges' },
  { input: 'traffic-annotations-bad-excludeinboundports.yaml', mentions: 'excludeinboundports' },
];
