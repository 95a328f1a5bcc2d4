// Webhook entries: Istio's table of injection entries for a revision (what its chart and deploy/ write),
// and the entries the API server would evaluate, each with the configuration, revision and tag it belongs to.
import { ANNOTATION } from '../annotations.ts';
import type { LabelSelector } from '../settings/injector-config.ts';

/** Namespaces Istio never injects (and our built-in auto entry leaves out). */
export const IGNORED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];

export interface WebhookEntry {
  name: string;
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
}

/**
 * Istio's MutatingWebhookConfiguration entries for a revision, as its chart writes them. One piece on
 * purpose: it is a table, entry by entry in the chart's order, and reads best whole.
 */
export function webhookEntries(revision: string | undefined, enableNamespacesByDefault = false): WebhookEntry[] {
  const rev = revision || 'default';
  const notFalse = { key: ANNOTATION.inject, operator: 'NotIn' as const, values: ['false'] };
  const entries: WebhookEntry[] = [
    {
      name: 'rev.namespace.sidecar-injector.istio.io',
      namespaceSelector: {
        matchExpressions: [
          { key: 'istio.io/rev', operator: 'In', values: [rev] },
          { key: 'istio-injection', operator: 'DoesNotExist' },
        ],
      },
      objectSelector: { matchExpressions: [notFalse] },
    },
    {
      name: 'rev.object.sidecar-injector.istio.io',
      namespaceSelector: {
        matchExpressions: [
          { key: 'istio.io/rev', operator: 'DoesNotExist' },
          { key: 'istio-injection', operator: 'DoesNotExist' },
        ],
      },
      objectSelector: { matchExpressions: [notFalse, { key: 'istio.io/rev', operator: 'In', values: [rev] }] },
    },
  ];
  if (rev === 'default') {
    entries.push(
      {
        name: 'namespace.sidecar-injector.istio.io',
        namespaceSelector: { matchExpressions: [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }] },
        objectSelector: { matchExpressions: [notFalse] },
      },
      {
        name: 'object.sidecar-injector.istio.io',
        namespaceSelector: {
          matchExpressions: [
            { key: 'istio-injection', operator: 'DoesNotExist' },
            { key: 'istio.io/rev', operator: 'DoesNotExist' },
          ],
        },
        objectSelector: {
          matchExpressions: [
            { key: ANNOTATION.inject, operator: 'In', values: ['true'] },
            { key: 'istio.io/rev', operator: 'DoesNotExist' },
          ],
        },
      },
    );
  }
  if (enableNamespacesByDefault) {
    entries.push({
      name: 'auto.sidecar-injector.istio.io',
      namespaceSelector: {
        matchExpressions: [
          { key: 'istio-injection', operator: 'DoesNotExist' },
          { key: 'istio.io/rev', operator: 'DoesNotExist' },
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: IGNORED_NAMESPACES },
        ],
      },
      objectSelector: {
        matchExpressions: [
          { key: ANNOTATION.inject, operator: 'DoesNotExist' },
          { key: 'istio.io/rev', operator: 'DoesNotExist' },
        ],
      },
    });
  }
  return entries;
}

/** One injection entry of a MutatingWebhookConfiguration, as the API server evaluates it. */
export interface InjectionEntry {
  /** The MutatingWebhookConfiguration's name. */
  configuration: string;
  /** The entry's name (e.g. rev.namespace.sidecar-injector.istio.io). */
  name: string;
  /** The configuration's istio.io/rev label ("default" without one). */
  revision: string;
  /** The configuration's istio.io/tag label: the entry is a revision tag's. */
  tag?: string;
  /** Absent: every namespace (the API server's nil selector). */
  namespaceSelector?: LabelSelector;
  /** Absent: every pod. */
  objectSelector?: LabelSelector;
}

/** The configuration deploy/ names for a revision: sidecar-injector, or sidecar-injector-<R> (deploy/revisions/<R>). */
export const builtInConfigurationName = (revision: string | undefined): string =>
  !revision || revision === 'default' ? 'sidecar-injector' : `sidecar-injector-${revision}`;

/**
 * With no configurations given: the entries deploy/ makes for this injector's revision (the auto entry too
 * with enableNamespacesByDefault), under the name deploy/ gives its configuration.
 */
export function builtInEntries(revision: string | undefined, enableNamespacesByDefault = false): InjectionEntry[] {
  const configuration = builtInConfigurationName(revision);
  const rev = revision || 'default';
  return webhookEntries(revision, enableNamespacesByDefault).map((e) => ({ configuration, revision: rev, ...e }));
}
