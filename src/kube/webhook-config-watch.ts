// The cluster's MutatingWebhookConfigurations, kept current by a ResilientInformer like the namespace and
// node views, read into the injection entries the API server evaluates (core/webhooks/read.ts): /preview
// decides with them, tags included. Until the first list, or if the configurations cannot be read, there
// are none to give, and the preview decides with deploy/'s entries for its revision.
import { AdmissionregistrationV1Api, type KubeConfig, type V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import { isInjectionError } from '../core/errors.ts';
import type { InjectionEntry } from '../core/webhooks/entries.ts';
import { injectionEntriesOf } from '../core/webhooks/read.ts';
import type { BackoffOptions } from './backoff.ts';
import { requestTimeout } from './request-timeout.ts';
import { ResilientInformer, type InformerEvent, type KubeLogger } from './resilient-informer.ts';

export const WEBHOOK_CONFIGURATIONS_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

export interface WebhookConfigWatchOptions {
  kubeConfig: KubeConfig;
  logger?: KubeLogger;
  onEvent?: (e: InformerEvent<'webhookconfigurations'>) => void;
  backoff?: BackoffOptions;
  stallAfterMs?: number;
  listTimeoutMs?: number;
}

export interface WebhookConfigWatch {
  /** The cluster's injection entries in call order; undefined until listed, when there are none, or when they cannot be read. */
  entries(): readonly InjectionEntry[] | undefined;
  synced(): boolean;
  stop(): void;
}

type Projected = { kind: string; metadata: { name?: string; labels?: Record<string, string> }; webhooks: unknown[] };

// what the matching reads: names, labels and the entries' rules and selectors (no clientConfig, no caBundle)
function project(o: V1MutatingWebhookConfiguration): Projected {
  return {
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: o.metadata?.name, ...(o.metadata?.labels ? { labels: { ...o.metadata.labels } } : {}) },
    webhooks: (o.webhooks ?? []).map((w) => ({
      name: w.name,
      rules: w.rules,
      namespaceSelector: w.namespaceSelector,
      objectSelector: w.objectSelector,
    })),
  };
}

export function startWebhookConfigWatch(opts: WebhookConfigWatchOptions): WebhookConfigWatch {
  const api = opts.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  let dirty = true;
  let entries: InjectionEntry[] | undefined;
  let warned = '';
  const informer = new ResilientInformer<V1MutatingWebhookConfiguration, Projected, 'webhookconfigurations'>({
    ...opts, // kubeConfig, logger, onEvent, backoff, stallAfterMs, listTimeoutMs
    name: 'webhookconfigurations',
    path: WEBHOOK_CONFIGURATIONS_PATH,
    list: (ms) => api.listMutatingWebhookConfiguration({}, requestTimeout(ms)),
    project,
    onChange: () => {
      dirty = true;
    },
  });
  informer.start();

  // read on the first use after a change, not per event
  const rebuild = (): InjectionEntry[] | undefined => {
    try {
      const found = injectionEntriesOf(informer.entries().map(([, o]) => o));
      return found.length > 0 ? found : undefined;
    } catch (e) {
      if (!isInjectionError(e)) throw e;
      if (e.message !== warned) opts.logger?.warn({ informer: 'webhookconfigurations', code: e.code }, e.message);
      warned = e.message;
      return undefined;
    }
  };
  return {
    entries: () => {
      if (!informer.synced()) return undefined;
      if (dirty) {
        dirty = false;
        entries = rebuild();
      }
      return entries;
    },
    synced: () => informer.synced(),
    stop: () => informer.stop(),
  };
}
