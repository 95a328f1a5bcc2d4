// `check-inject`'s table, as `istioctl x check-inject` prints it: one row per injection entry of the
// cluster's MutatingWebhookConfigurations, the labels it looked at, whether it would inject the pod
// (or a new pod of the namespace) and why. Pure: the command reads the cluster and passes what it read.
import type { LabelSelector } from '../settings/injector-config.ts';
import { describeSelector, selectorMatches } from '../selectors.ts';
import type { InjectionEntry } from './entries.ts';

export interface CheckRow {
  /** configuration/entry */
  webhook: string;
  revision: string;
  tag?: string;
  injected: boolean;
  reason: string;
  /** The labels the entry's selectors look at, with the values the namespace and the pod have (absent: unset). */
  labels: string[];
}

export interface CheckInput {
  namespace: string;
  namespaceLabels: Record<string, string>;
  /** The pod's labels (a workload's template's); {} for --namespace-only (a new pod without labels). */
  podLabels: Record<string, string>;
  entries: readonly InjectionEntry[];
}

export interface CheckResult {
  rows: CheckRow[];
  /** One line: which webhook injects, none, or more than one (injected twice). */
  verdict: string;
}

const keysOf = (sel: LabelSelector | undefined): string[] => [
  ...Object.keys(sel?.matchLabels ?? {}),
  ...(sel?.matchExpressions ?? []).map((r) => r.key),
];

function looked(where: string, sel: LabelSelector | undefined, labels: Record<string, string>): string[] {
  return [...new Set(keysOf(sel))].map((k) => (Object.hasOwn(labels, k) ? `${where} ${k}=${labels[k]}` : `${where} ${k} (unset)`));
}

function rowOf(e: InjectionEntry, ns: Record<string, string>, pod: Record<string, string>): CheckRow {
  const nsLooked = looked('namespace', e.namespaceSelector, ns).filter((l) => !l.startsWith('namespace kubernetes.io/metadata.name'));
  const podLooked = looked('pod', e.objectSelector, pod);
  const nsOk = selectorMatches(e.namespaceSelector ?? {}, ns, true);
  const podOk = selectorMatches(e.objectSelector ?? {}, pod, true);
  const reason = !nsOk
    ? `${nsLooked.join(', ') || 'namespace labels'}: no match for {${describeSelector(e.namespaceSelector ?? {})}}`
    : !podOk
      ? `${podLooked.join(', ') || 'pod labels'}: no match for {${describeSelector(e.objectSelector ?? {})}}`
      : `${[...nsLooked, ...podLooked].filter((l) => !l.endsWith('(unset)')).join(', ') || 'no label needed'} matches`;
  return {
    webhook: `${e.configuration}/${e.name}`,
    revision: e.revision,
    ...(e.tag !== undefined ? { tag: e.tag } : {}),
    injected: nsOk && podOk,
    reason,
    labels: [...nsLooked, ...podLooked],
  };
}

export function checkInject(i: CheckInput): CheckResult {
  const ns = { ...i.namespaceLabels, 'kubernetes.io/metadata.name': i.namespace };
  const rows = i.entries.map((e) => rowOf(e, ns, i.podLabels));
  const hits = rows.filter((r) => r.injected);
  const verdict =
    hits.length === 0
      ? 'no webhook would inject the sidecar'
      : hits.length === 1
        ? `injected by ${hits[0]!.webhook} (revision ${hits[0]!.revision})`
        : `${hits.length} webhooks would inject it (${hits.map((r) => r.webhook).join(', ')}): the pod would be injected twice`;
  return { rows, verdict };
}

/** The table as istioctl prints it: WEBHOOK, REVISION, INJECTED, REASON; then the verdict. */
export function checkInjectTable(r: CheckResult): string {
  const rows = [
    ['WEBHOOK', 'REVISION', 'INJECTED', 'REASON'],
    ...r.rows.map((x) => [x.webhook, x.tag ? `${x.revision} (tag ${x.tag})` : x.revision, x.injected ? '✔' : '✘', x.reason]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) => row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  '));
  return `${lines.join('\n')}\n${r.verdict}\n`;
}
