// Istio's ProxyConfig resources (proxyconfigs.networking.istio.io, every namespace), kept current by a
// ResilientInformer like the namespace and node views. A cluster without Istio's CRDs has none: the
// list's 404 counts as an empty list (synced, so readiness does not wait for a CRD that may never come),
// and the watch that then fails is retried with the informers' backoff, which finds the CRD once it is
// installed. Resources Istio would not read (a field of the wrong type) are left out with a warning.
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { EMPTY_PROXY_CONFIG_SET, proxyConfigSet, readProxyConfigs, type ProxyConfigSet } from '../core/proxy-configs.ts';
import type { BackoffOptions } from './backoff.ts';
import { requestTimeout } from './request-timeout.ts';
import { ResilientInformer, type InformerEvent, type KubeLogger } from './resilient-informer.ts';

export const PROXY_CONFIG_GROUP = 'networking.istio.io';
export const PROXY_CONFIG_VERSION = 'v1beta1';
export const PROXY_CONFIG_PLURAL = 'proxyconfigs';

export interface ProxyConfigWatchOptions {
  kubeConfig: KubeConfig;
  logger?: KubeLogger;
  onEvent?: (e: InformerEvent<'proxyconfigs'>) => void;
  backoff?: BackoffOptions;
  stallAfterMs?: number;
  listTimeoutMs?: number;
}

export interface ProxyConfigWatch {
  /** The resources as last seen (empty until listed, and when the CRD is absent). */
  current(): ProxyConfigSet;
  synced(): boolean;
  stop(): void;
}

type ProxyConfigObject = KubernetesObject & { spec?: unknown };

function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown } | undefined;
  const s = e?.statusCode ?? e?.code;
  return typeof s === 'number' ? s : undefined;
}

export function startProxyConfigWatch(opts: ProxyConfigWatchOptions): ProxyConfigWatch {
  const api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
  const coordinates = { group: PROXY_CONFIG_GROUP, version: PROXY_CONFIG_VERSION, plural: PROXY_CONFIG_PLURAL };
  let dirty = true;
  let set = EMPTY_PROXY_CONFIG_SET;
  const warned = new Set<string>();
  let crdMissing = false;

  const list = async (ms: number): Promise<KubernetesListObject<ProxyConfigObject>> => {
    try {
      const res = (await api.listClusterCustomObject(coordinates, requestTimeout(ms))) as KubernetesListObject<ProxyConfigObject>;
      crdMissing = false;
      return res;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      if (!crdMissing)
        opts.logger?.info(
          { informer: 'proxyconfigs' },
          'no ProxyConfig CRD (proxyconfigs.networking.istio.io) in the cluster: no ProxyConfig resources apply',
        );
      crdMissing = true;
      return { apiVersion: `${PROXY_CONFIG_GROUP}/${PROXY_CONFIG_VERSION}`, kind: 'ProxyConfigList', metadata: {}, items: [] };
    }
  };

  const informer = new ResilientInformer<ProxyConfigObject, ProxyConfigObject, 'proxyconfigs'>({
    name: 'proxyconfigs',
    kubeConfig: opts.kubeConfig,
    path: `/apis/${PROXY_CONFIG_GROUP}/${PROXY_CONFIG_VERSION}/${PROXY_CONFIG_PLURAL}`,
    list,
    // only what the injector reads: no managedFields or status kept
    project: (o) => ({
      apiVersion: o.apiVersion ?? `${PROXY_CONFIG_GROUP}/${PROXY_CONFIG_VERSION}`,
      kind: o.kind ?? 'ProxyConfig',
      metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace, creationTimestamp: o.metadata?.creationTimestamp },
      spec: o.spec,
    }),
    key: (o) => (o.metadata?.name ? `${o.metadata.namespace ?? ''}/${o.metadata.name}` : undefined),
    onChange: () => {
      dirty = true;
    },
    logger: opts.logger,
    onEvent: opts.onEvent,
    backoff: opts.backoff,
    stallAfterMs: opts.stallAfterMs,
    listTimeoutMs: opts.listTimeoutMs,
  });
  informer.start();

  // rebuilt on the first read after a change, not per event: a relist of many resources sorts once
  const rebuild = (): ProxyConfigSet => {
    // creationTimestamp comes back from the client as a Date; the core reads RFC 3339 text
    const objects = informer.entries().map(([, o]) => {
      const ts = o.metadata?.creationTimestamp as unknown;
      return { ...o, metadata: { ...o.metadata, creationTimestamp: ts instanceof Date ? ts.toISOString() : ts } };
    });
    const { resources, warnings } = readProxyConfigs(objects);
    for (const w of warnings) {
      if (warned.has(w)) continue;
      warned.add(w);
      opts.logger?.warn({ informer: 'proxyconfigs' }, w);
    }
    return proxyConfigSet(resources);
  };

  return {
    current: () => {
      if (dirty) {
        dirty = false;
        set = rebuild();
      }
      return set;
    },
    synced: () => informer.synced(),
    stop: () => informer.stop(),
  };
}
