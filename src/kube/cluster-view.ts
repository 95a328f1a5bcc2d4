// What the injector knows of the cluster beyond the AdmissionReview: namespace labels (for the preview and
// the CLI's decisions) and node kubelet versions (native sidecars in "auto" mode). Kept current by two
// informers that restart themselves; reads never call the API server.
import { CoreV1Api, type KubeConfig, type V1Namespace, type V1Node } from '@kubernetes/client-node';
import { type NodeKubelets, nodeKubelets } from '../core/native-sidecars.ts';
import type { BackoffOptions } from './backoff.ts';
import { requestTimeout } from './request-timeout.ts';
import { ResilientInformer, type InformerEvent, type KubeLogger } from './resilient-informer.ts';

export type ClusterInformerName = 'namespaces' | 'nodes';
export type ClusterViewEvent = InformerEvent<ClusterInformerName>;

export interface ClusterViewOptions {
  kubeConfig: KubeConfig;
  logger?: KubeLogger;
  /** Every synced, error, restart, relist and stall of either informer (for metrics). */
  onEvent?: (e: ClusterViewEvent) => void;
  /** Restart backoff (default 1 s doubling to 30 s, half of it random). */
  backoff?: BackoffOptions;
  /** A watch silent this long is restarted (default 5 min). */
  stallAfterMs?: number;
  /** Bound on each list call (default 60 s). */
  listTimeoutMs?: number;
}

export interface ClusterView {
  /** Labels of a namespace, or undefined when it is not known (yet). */
  namespaceLabels(name: string): Record<string, string> | undefined;
  namespaces(): Array<{ name: string; labels: Record<string, string> }>;
  /** Kubelet version by node name, live (never copied per admission); undefined until the first list. */
  nodeKubeletVersions(): NodeKubelets | undefined;
  /** Both informers have listed at least once. */
  synced(): boolean;
  stop(): void;
}

export function startClusterView(opts: ClusterViewOptions): ClusterView {
  const api = opts.kubeConfig.makeApiClient(CoreV1Api);
  const common = {
    kubeConfig: opts.kubeConfig,
    logger: opts.logger,
    onEvent: opts.onEvent,
    backoff: opts.backoff,
    stallAfterMs: opts.stallAfterMs,
    listTimeoutMs: opts.listTimeoutMs,
  };
  const namespaces = new ResilientInformer<V1Namespace, Record<string, string>, ClusterInformerName>({
    ...common,
    name: 'namespaces',
    path: '/api/v1/namespaces',
    list: (ms) => api.listNamespace({}, requestTimeout(ms)),
    project: (ns) => ({ ...(ns.metadata?.labels ?? {}) }),
  });
  // the every-node verdict of native `auto` is made once per change of the nodes, not per admission
  let nodeSummary: NodeKubelets | undefined;
  const nodes = new ResilientInformer<V1Node, string, ClusterInformerName>({
    ...common,
    onChange: () => {
      nodeSummary = undefined;
    },
    name: 'nodes',
    path: '/api/v1/nodes',
    list: (ms) => api.listNode({}, requestTimeout(ms)),
    project: (node) => node.status?.nodeInfo?.kubeletVersion ?? '',
  });
  namespaces.start();
  nodes.start();

  return {
    namespaceLabels: (name) => {
      const labels = namespaces.get(name);
      return labels ? { ...labels } : undefined;
    },
    namespaces: () =>
      namespaces
        .entries()
        .map(([name, labels]) => ({ name, labels: { ...labels } }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    nodeKubeletVersions: () => {
      if (!nodes.synced()) return undefined;
      nodeSummary ??= nodeKubelets(nodes.view());
      return nodeSummary;
    },
    synced: () => namespaces.synced() && nodes.synced(),
    stop: () => {
      namespaces.stop();
      nodes.stop();
    },
  };
}
