// Istio's ProxyConfig resources (proxyconfigs.networking.istio.io, every namespace), kept current by a
// ResilientInformer like the namespace and node views. A cluster without Istio's CRDs has none: a list
// answered 404 counts as synced and empty (readiness must not wait for a CRD that may never come), and
// the list is tried again every crdPollMs, quietly, until the CRD is there; then the informer starts.
// (An informer started without the CRD would fail its watch and log an error at every backoff.) Resources
// Istio would not read (a field of the wrong type) are left out with a warning, once each.
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { EMPTY_PROXY_CONFIG_SET, proxyConfigSet, readProxyConfigs, type ProxyConfigSet } from '../core/proxy-configs.ts';
import type { BackoffOptions } from './backoff.ts';
import { requestTimeout } from './request-timeout.ts';
import { ResilientInformer, type InformerEvent, type KubeLogger } from './resilient-informer.ts';

export const PROXY_CONFIG_GROUP = 'networking.istio.io';
export const PROXY_CONFIG_VERSION = 'v1beta1';
export const PROXY_CONFIG_PLURAL = 'proxyconfigs';
const API_VERSION = `${PROXY_CONFIG_GROUP}/${PROXY_CONFIG_VERSION}`;

export interface ProxyConfigWatchOptions {
  kubeConfig: KubeConfig;
  logger?: KubeLogger;
  onEvent?: (e: InformerEvent<'proxyconfigs'>) => void;
  backoff?: BackoffOptions;
  stallAfterMs?: number;
  listTimeoutMs?: number;
  /** How often to look for the CRD while it is absent (default 30 s). */
  crdPollMs?: number;
}

export interface ProxyConfigWatch {
  /** The resources as last seen (empty until listed, and while the CRD is absent). */
  current(): ProxyConfigSet;
  synced(): boolean;
  stop(): void;
}

type ProxyConfigObject = KubernetesObject & { spec?: unknown };

const isNotFound = (err: unknown): boolean => {
  const e = err as { statusCode?: unknown; code?: unknown } | undefined;
  return (e?.statusCode ?? e?.code) === 404;
};

const EMPTY_LIST: KubernetesListObject<ProxyConfigObject> = { apiVersion: API_VERSION, kind: 'ProxyConfigList', metadata: {}, items: [] };

// only what the injector reads: no managedFields or status kept; creationTimestamp as RFC 3339 text
function project(o: ProxyConfigObject): ProxyConfigObject {
  const ts = o.metadata?.creationTimestamp as unknown;
  return {
    apiVersion: o.apiVersion ?? API_VERSION,
    kind: o.kind ?? 'ProxyConfig',
    // typed Date by client-node, but custom objects arrive as JSON (text); the core reads text
    metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace, creationTimestamp: (ts instanceof Date ? ts.toISOString() : ts) as Date },
    spec: o.spec,
  };
}

const COORDINATES = { group: PROXY_CONFIG_GROUP, version: PROXY_CONFIG_VERSION, plural: PROXY_CONFIG_PLURAL };

/** Every ProxyConfig (`limit` of them), or undefined when the API server has no such resource (no CRD). */
async function listOrNone(api: CustomObjectsApi, timeoutMs: number, limit?: number): Promise<KubernetesListObject<ProxyConfigObject> | undefined> {
  try {
    return (await api.listClusterCustomObject(
      { ...COORDINATES, ...(limit ? { limit } : {}) },
      requestTimeout(timeoutMs),
    )) as KubernetesListObject<ProxyConfigObject>;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The resources as the core reads them; each warning is logged the first time only. */
function buildSet(objects: ProxyConfigObject[], warned: Set<string>, logger: KubeLogger | undefined): ProxyConfigSet {
  const { resources, warnings } = readProxyConfigs(objects);
  for (const w of warnings) {
    if (warned.has(w)) continue;
    warned.add(w);
    logger?.warn({ informer: 'proxyconfigs' }, w);
  }
  return proxyConfigSet(resources);
}

export function startProxyConfigWatch(opts: ProxyConfigWatchOptions): ProxyConfigWatch {
  const api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
  const listTimeoutMs = opts.listTimeoutMs ?? 60_000;
  let dirty = true;
  let set = EMPTY_PROXY_CONFIG_SET;
  const warned = new Set<string>();
  let absent = false; // the last look found no CRD
  let stopped = false;
  let pollTimer: NodeJS.Timeout | undefined;

  const noCrd = () => {
    if (!absent)
      opts.logger?.info(
        { informer: 'proxyconfigs' },
        'no ProxyConfig CRD (proxyconfigs.networking.istio.io) in the cluster: no ProxyConfig resources apply',
      );
    absent = true;
    dirty = true;
  };
  const informer = new ResilientInformer<ProxyConfigObject, ProxyConfigObject, 'proxyconfigs'>({
    name: 'proxyconfigs',
    kubeConfig: opts.kubeConfig,
    path: `/apis/${API_VERSION}/${PROXY_CONFIG_PLURAL}`,
    // the CRD removed while watching: none, until it is back (the failing watch is retried with backoff)
    list: async (ms) => {
      const res = await listOrNone(api, ms);
      if (res) absent = false;
      else noCrd();
      return res ?? EMPTY_LIST;
    },
    project,
    key: (o) => (o.metadata?.name ? `${o.metadata.namespace ?? ''}/${o.metadata.name}` : undefined),
    onChange: () => {
      dirty = true;
    },
    logger: opts.logger,
    onEvent: opts.onEvent,
    backoff: opts.backoff,
    stallAfterMs: opts.stallAfterMs,
    listTimeoutMs,
  });

  // Before the informer: is the CRD there? Any answer but 404 starts the informer, which reports and retries.
  const look = async () => {
    const found = await listOrNone(api, listTimeoutMs, 1).catch(() => 'error' as const);
    if (stopped) return;
    if (found !== undefined) return informer.start();
    noCrd();
    pollTimer = setTimeout(() => void look(), opts.crdPollMs ?? 30_000);
    pollTimer.unref();
  };
  void look();

  return {
    // rebuilt on the first read after a change, not per event: a relist of many resources sorts once
    current: () => {
      if (dirty) {
        dirty = false;
        set = buildSet(
          informer.entries().map(([, o]) => o),
          warned,
          opts.logger,
        );
      }
      return set;
    },
    synced: () => absent || informer.synced(),
    stop: () => {
      stopped = true;
      clearTimeout(pollTimer);
      informer.stop();
    },
  };
}
