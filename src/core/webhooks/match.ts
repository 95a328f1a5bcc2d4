// Which injection entry the API server would call for a pod: every entry whose namespaceSelector matches
// the namespace's labels and whose objectSelector matches the pod's, in the API server's order
// (configurations by name, entries in order). An absent or empty selector matches everything, as there.
// More than one match means more than one webhook is called: the pod would be injected twice.
import { selectorMatches } from '../selectors.ts';
import type { InjectionEntry } from './entries.ts';

/** The entry that matched, as the decision and `explain` show it. */
export interface WebhookRef {
  configuration: string;
  name: string;
  revision: string;
  tag?: string;
}

export interface WebhookMatch {
  /** The first entry the API server would call; null when none selects the pod. */
  webhook: WebhookRef | null;
  /** Other entries that select it too: the API server would call them as well. */
  alsoMatched?: WebhookRef[];
}

export const refOf = (e: InjectionEntry): WebhookRef => ({
  configuration: e.configuration,
  name: e.name,
  revision: e.revision,
  ...(e.tag !== undefined ? { tag: e.tag } : {}),
});

/** "configuration/entry (revision R, tag T)". */
export function describeWebhook(w: WebhookRef): string {
  return `${w.configuration}/${w.name} (revision ${w.revision}${w.tag !== undefined ? `, tag ${w.tag}` : ''})`;
}

/** The API server's order of webhook calls: by configuration name, then entry order (a stable sort keeps it). */
export function inCallOrder(entries: readonly InjectionEntry[]): InjectionEntry[] {
  return [...entries].sort((a, b) => (a.configuration < b.configuration ? -1 : a.configuration > b.configuration ? 1 : 0));
}

/**
 * The entries that select the pod. `entries` must be in call order (readWebhookConfigurations and
 * builtInEntries give them so); the namespace's labels get kubernetes.io/metadata.name as the API server sets it.
 */
export function matchWebhook(
  namespace: string,
  namespaceLabels: Record<string, string>,
  podLabels: Record<string, string> | undefined,
  entries: readonly InjectionEntry[],
): WebhookMatch {
  const ns = { ...namespaceLabels, 'kubernetes.io/metadata.name': namespace };
  const pod = podLabels ?? {};
  const matched = entries.filter((e) => selectorMatches(e.namespaceSelector ?? {}, ns, true) && selectorMatches(e.objectSelector ?? {}, pod, true));
  if (matched.length === 0) return { webhook: null };
  const [first, ...rest] = matched.map(refOf);
  return { webhook: first!, ...(rest.length > 0 ? { alsoMatched: rest } : {}) };
}
