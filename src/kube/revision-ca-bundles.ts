// The caBundle of every MutatingWebhookConfiguration of the revision served, kept current: its own (by
// name, --webhook-config) and its tags' (labelled istio.io/rev=<revision> and istio.io/tag, as
// `sidecar-injector tag set` and `istioctl tag set` write them), each by a patcher of ca-bundle.ts, so each
// still needs the sidecar-injector.io/owned label (others are refused, logged and left alone) and keeps its
// own metrics (by name).
//
// Tags are found by a watch (a ResilientInformer on that label selector), not a periodic list: a tag set
// after the injector started, or re-applied without its caBundle, is patched within moments, as Istio's
// own patcher (an informer over every configuration) does; a list every few minutes would leave a tag made
// from a stale configuration without a working caBundle, failing every pod of its namespaces, that long.
// The watch is one long request on a selector that matches a handful of objects.
import { AdmissionregistrationV1Api, type V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import type { BackoffOptions } from './backoff.ts';
import { REVISION_LABEL, startCaBundlePatcher, type CaBundlePatcher, type CaBundlePatcherOptions, type CaBundleSyncResult } from './ca-bundle.ts';
import { requestTimeout } from './request-timeout.ts';
import { ResilientInformer, type InformerEvent, type KubeLogger } from './resilient-informer.ts';

export const TAG_LABEL = 'istio.io/tag';

export interface RevisionCaBundleOptions extends Omit<CaBundlePatcherOptions, 'webhookConfigurationName' | 'revision'> {
  revision: string;
  /** The revision's own configuration (--webhook-config), kept by name. */
  webhookConfigurationName: string;
  /** The tag watch's events (synced, error, restart, relist, stall), for metrics. */
  onInformerEvent?: (e: InformerEvent<'webhookconfigurations'>) => void;
  informerLogger?: KubeLogger;
  informerBackoff?: BackoffOptions;
  /** A silent watch is restarted after this long (default 5 min). */
  stallAfterMs?: number;
}

export interface RevisionCaBundlePatcher {
  /** The own configuration's first pass. */
  readonly firstSync: Promise<CaBundleSyncResult>;
  /** Every configuration kept (own and tags) carries the current CA once this resolves (a rotation calls it). */
  sync(): Promise<Record<string, CaBundleSyncResult>>;
  /** Names of the configurations kept now: the own one, then the tags' known to the watch. */
  names(): string[];
  stop(): void;
}

/** The label selector of the revision's tag configurations. */
export const tagSelector = (revision: string): string => `${REVISION_LABEL}=${revision},${TAG_LABEL}`;

export function startRevisionCaBundlePatcher(opts: RevisionCaBundleOptions): RevisionCaBundlePatcher {
  const { revision, webhookConfigurationName: own } = opts;
  const patcherFor = (name: string) => startCaBundlePatcher({ ...opts, webhookConfigurationName: name, revision });
  const ownPatcher = patcherFor(own);
  const tags = new Map<string, { patcher: CaBundlePatcher; resourceVersion: string }>();
  let stopped = false;

  const api = opts.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const labelSelector = tagSelector(revision);
  const informer = new ResilientInformer<V1MutatingWebhookConfiguration, string, 'webhookconfigurations'>({
    name: 'webhookconfigurations',
    kubeConfig: opts.kubeConfig,
    path: `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?labelSelector=${encodeURIComponent(labelSelector)}`,
    list: (ms) => api.listMutatingWebhookConfiguration({ labelSelector }, requestTimeout(ms)),
    project: (o) => o.metadata?.resourceVersion ?? '',
    onEvent: opts.onInformerEvent,
    logger: opts.informerLogger,
    backoff: opts.informerBackoff,
    stallAfterMs: opts.stallAfterMs,
    // a tag's change (a re-apply may drop the caBundle) or creation starts a pass for it; its end stops its patcher
    onChange: () => {
      if (stopped) return;
      const seen = informer.view();
      for (const [name, rv] of seen) {
        if (name === own) continue; // kept by name already
        const kept = tags.get(name);
        if (!kept) tags.set(name, { patcher: patcherFor(name), resourceVersion: rv });
        else if (kept.resourceVersion !== rv) {
          kept.resourceVersion = rv;
          void kept.patcher.sync();
        }
      }
      for (const [name, kept] of tags) {
        if (seen.has(name)) continue;
        kept.patcher.stop();
        tags.delete(name);
      }
    },
  });
  informer.start();

  return {
    firstSync: ownPatcher.firstSync,
    async sync() {
      const all: Array<[string, CaBundlePatcher]> = [[own, ownPatcher], ...[...tags].map(([n, t]) => [n, t.patcher] as [string, CaBundlePatcher])];
      const results = await Promise.all(all.map(async ([name, p]) => [name, await p.sync()] as const));
      return Object.fromEntries(results);
    },
    names: () => [own, ...tags.keys()],
    stop() {
      stopped = true;
      informer.stop();
      ownPatcher.stop();
      for (const t of tags.values()) t.patcher.stop();
      tags.clear();
    },
  };
}
