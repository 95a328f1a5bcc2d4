// Pure: which namespaces are opted in to injection and which of their pods lack the sidecar although they
// would get it if created now (created before the label, or while the injector was down), decided by the
// same webhook selectors and decide() the injector uses.
import { ANNOTATION } from './annotations.ts';
import { decide, webhookEntries, type ReasonCode } from './decide.ts';
import type { Pod } from './types.ts';
import { workloadOfPod } from './workloads.ts';

/** The fields of a pod (as listed from the API) that the report reads. */
export interface ClusterPod {
  metadata?: {
    name?: string;
    namespace?: string;
    generateName?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; controller?: boolean }>;
    deletionTimestamp?: unknown;
  };
  spec?: { hostNetwork?: boolean; containers?: Array<{ name: string }>; initContainers?: Array<{ name: string }> };
  status?: { phase?: string };
}

export interface PodRef {
  name: string;
  /** The workload to restart, e.g. "Deployment/web"; "Pod/x" for a bare pod. */
  owner: string;
}

export interface NamespaceReport {
  namespace: string;
  optedIn: boolean;
  /** The webhook entry that sends this namespace's pods to the injector, when opted in. */
  webhook?: string;
  /** Why, in labels: "istio-injection=enabled", "no istio-injection label", … */
  why: string;
  labels: { 'istio-injection'?: string; 'istio.io/rev'?: string };
  pods: number;
  withSidecar: number;
  needRestart: PodRef[];
  /** Pods the injector leaves alone by design (host network, opted out, …), with decide()'s reason. */
  skipped: Array<PodRef & { reason: ReasonCode }>;
}

export interface ReportOptions {
  revision?: string;
  /** Injector config policy (default "enabled", Istio's default). */
  policy?: string;
}

const PROXY = 'istio-proxy';

export function hasSidecar(pod: ClusterPod): boolean {
  if (pod.metadata?.annotations?.[ANNOTATION.status] !== undefined) return true;
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.name === PROXY);
}

/** Entries that select by namespace (as opposed to by pod label): these make a namespace "opted in". */
function namespaceEntryNames(revision: string | undefined): string[] {
  return webhookEntries(revision)
    .map((e) => e.name)
    .filter((n) => n.startsWith('namespace.') || n.startsWith('rev.namespace.'));
}

export function namespaceInjection(
  namespace: string,
  labels: Record<string, string>,
  opts: ReportOptions = {},
): Pick<NamespaceReport, 'optedIn' | 'webhook' | 'why'> {
  // A pod with no labels or annotations: the entry that would send it is the namespace's own opt-in.
  const d = decide({ namespace, namespaceLabels: labels, labels: {}, config: configOf(opts), revision: opts.revision });
  const optedIn = d.webhook !== undefined && namespaceEntryNames(opts.revision).includes(d.webhook);
  const inj = labels['istio-injection'];
  const rev = labels['istio.io/rev'];
  const why =
    inj !== undefined
      ? `istio-injection=${inj}${rev !== undefined ? `; istio.io/rev=${rev} ignored` : ''}`
      : rev !== undefined
        ? `istio.io/rev=${rev}${optedIn ? '' : `; not revision "${opts.revision || 'default'}"`}`
        : 'no istio-injection label';
  return { optedIn, ...(optedIn ? { webhook: d.webhook } : {}), why };
}

function configOf(opts: ReportOptions) {
  return { policy: opts.policy ?? 'enabled', neverInjectSelector: [], alwaysInjectSelector: [] };
}

function ownerOf(pod: ClusterPod, namespace: string): string {
  const w = workloadOfPod({ metadata: { ...pod.metadata }, spec: { containers: [] } } as Pod, namespace);
  return `${w.kind}/${w.name}`;
}

/** Finished or terminating pods are not restarted to get a sidecar; they are only counted. */
function isLive(pod: ClusterPod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata?.deletionTimestamp == null;
}

export function namespaceReport(namespace: string, nsLabels: Record<string, string>, pods: ClusterPod[], opts: ReportOptions = {}): NamespaceReport {
  const state = namespaceInjection(namespace, nsLabels, opts);
  const report: NamespaceReport = {
    namespace,
    ...state,
    labels: {
      ...(nsLabels['istio-injection'] !== undefined ? { 'istio-injection': nsLabels['istio-injection'] } : {}),
      ...(nsLabels['istio.io/rev'] !== undefined ? { 'istio.io/rev': nsLabels['istio.io/rev'] } : {}),
    },
    pods: pods.length,
    withSidecar: 0,
    needRestart: [],
    skipped: [],
  };
  for (const pod of pods) {
    if (hasSidecar(pod)) {
      report.withSidecar++;
      continue;
    }
    if (!state.optedIn || !isLive(pod)) continue;
    const ref = { name: pod.metadata?.name ?? '', owner: ownerOf(pod, namespace) };
    const d = decide({
      namespace,
      namespaceLabels: nsLabels,
      config: configOf(opts),
      revision: opts.revision,
      labels: pod.metadata?.labels ?? {},
      annotations: pod.metadata?.annotations ?? {},
      hostNetwork: pod.spec?.hostNetwork,
    });
    if (d.inject) report.needRestart.push(ref);
    else report.skipped.push({ ...ref, reason: d.reason });
  }
  report.needRestart.sort((a, b) => a.name.localeCompare(b.name));
  report.skipped.sort((a, b) => a.name.localeCompare(b.name));
  return report;
}
