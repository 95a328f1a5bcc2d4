// Pure: which namespaces are opted in to injection and which of their pods lack the sidecar although they
// would get it if created now (created before the label, or while the injector was down), decided by the
// same webhook selectors and decide() the injector uses.
import { ANNOTATION } from './annotations.ts';
import { decide, type ReasonCode } from './decide.ts';
import type { Pod } from './types.ts';
import type { InjectionEntry } from './webhooks/entries.ts';
import type { WebhookRef } from './webhooks/match.ts';
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
  /** The webhook entry that sends this namespace's pods to an injector, when opted in; else null. */
  webhook: WebhookRef | null;
  /** The revision the namespace's new pods get (the tag resolved), when opted in. */
  revision: string | null;
  /** Why, in labels: "istio-injection=enabled", "no istio-injection label", … */
  why: string;
  labels: { 'istio-injection'?: string; 'istio.io/rev'?: string };
  pods: number;
  withSidecar: number;
  needRestart: PodRef[];
  /** Pods the injector leaves alone by design (host network, opted out, …), with decide()'s reason. */
  skipped: Array<PodRef & { reason: ReasonCode }>;
  /**
   * Live pods not on the namespace's revision: injected by another (their istio.io/rev annotation, else
   * label; null when they carry none), or not injected although they would be now (revision null).
   */
  notOnRevision: Array<PodRef & { revision: string | null }>;
}

export interface ReportOptions {
  revision?: string;
  /** Injector config policy (default "enabled", Istio's default). */
  policy?: string;
  /** The cluster's injection entries (webhooks/read.ts); absent: deploy/'s for `revision`. */
  webhooks?: readonly InjectionEntry[];
}

const PROXY = 'istio-proxy';
/** Istio's sidecar template stamps the injecting revision as this annotation (templates/sidecar.tmpl: ours too). */
const REVISION = 'istio.io/rev';

export function hasSidecar(pod: ClusterPod): boolean {
  if (pod.metadata?.annotations?.[ANNOTATION.status] !== undefined) return true;
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.name === PROXY);
}

/** Entries that select by namespace (as opposed to by pod label): these make a namespace "opted in". */
const selectsByNamespace = (w: WebhookRef | null | undefined): w is WebhookRef =>
  w != null && (w.name.startsWith('namespace.') || w.name.startsWith('rev.namespace.'));

/** "canary", or "prod→canary" for a tag. */
export function revisionText(w: WebhookRef | null): string {
  if (!w) return '-';
  return w.tag !== undefined ? `${w.tag}→${w.revision}` : w.revision;
}

export function namespaceInjection(
  namespace: string,
  labels: Record<string, string>,
  opts: ReportOptions = {},
): Pick<NamespaceReport, 'optedIn' | 'webhook' | 'revision' | 'why'> {
  // A pod with no labels or annotations: the entry that would send it is the namespace's own opt-in.
  const d = decide({ namespace, namespaceLabels: labels, labels: {}, config: configOf(opts), revision: opts.revision, webhooks: opts.webhooks });
  const webhook = selectsByNamespace(d.webhook) ? d.webhook : null;
  const optedIn = webhook !== null;
  const inj = labels['istio-injection'];
  const rev = labels['istio.io/rev'];
  const notServed = opts.webhooks ? 'no webhook entry selects it' : `not revision "${opts.revision || 'default'}"`;
  const why =
    inj !== undefined
      ? `istio-injection=${inj}${rev !== undefined ? `; istio.io/rev=${rev} ignored` : ''}`
      : rev !== undefined
        ? `istio.io/rev=${rev}${optedIn ? '' : `; ${notServed}`}`
        : 'no istio-injection label';
  return { optedIn, webhook, revision: webhook?.revision ?? null, why };
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
    notOnRevision: [],
  };
  for (const pod of pods) {
    const ref = { name: pod.metadata?.name ?? '', owner: ownerOf(pod, namespace) };
    if (hasSidecar(pod)) {
      report.withSidecar++;
      const rev = pod.metadata?.annotations?.[REVISION] ?? pod.metadata?.labels?.[REVISION] ?? null;
      if (state.optedIn && isLive(pod) && rev !== state.revision) report.notOnRevision.push({ ...ref, revision: rev });
      continue;
    }
    if (!state.optedIn || !isLive(pod)) continue;
    const d = decide({
      namespace,
      namespaceLabels: nsLabels,
      config: configOf(opts),
      revision: opts.revision,
      labels: pod.metadata?.labels ?? {},
      annotations: pod.metadata?.annotations ?? {},
      hostNetwork: pod.spec?.hostNetwork,
      webhooks: opts.webhooks,
    });
    if (d.inject) {
      report.needRestart.push(ref);
      report.notOnRevision.push({ ...ref, revision: null });
    } else report.skipped.push({ ...ref, reason: d.reason });
  }
  report.needRestart.sort((a, b) => a.name.localeCompare(b.name));
  report.skipped.sort((a, b) => a.name.localeCompare(b.name));
  report.notOnRevision.sort((a, b) => a.name.localeCompare(b.name));
  return report;
}
