// What the HTTP doors need from the running injector: the settings in use (swapped on reload), what the
// cluster says (when there is one), metrics and the logger.
import type { Logger } from 'pino';
import type { NodeKubelets } from '../core/native-sidecars.ts';
import type { ProxyConfigSet } from '../core/proxy-configs.ts';
import type { Settings } from '../core/settings/index.ts';
import type { InjectionEntry } from '../core/webhooks/entries.ts';
import type { Metrics } from './metrics.ts';

export interface ClusterInfo {
  /** Labels of a namespace, or undefined when not known (not synced, or no such namespace). */
  namespaceLabels(name: string): Record<string, string> | undefined;
  /** Kubelet version by node name (native sidecars `auto` decides from them); undefined until the nodes are listed. */
  nodeKubeletVersions(): NodeKubelets | undefined;
  /** Istio's ProxyConfig resources as the cluster has them (a watch of proxyconfigs.networking.istio.io). */
  proxyConfigs?(): ProxyConfigSet;
  /** The cluster's injection entries (its MutatingWebhookConfigurations), in call order; undefined until listed. */
  webhooks?(): readonly InjectionEntry[] | undefined;
  synced(): boolean;
}

export interface InjectorRuntime {
  settings(): Settings | undefined;
  cluster?: ClusterInfo;
  /** The ProxyConfig resources that apply: from --proxy-configs, else the cluster's; undefined: none. */
  proxyConfigs?(): ProxyConfigSet | undefined;
  metrics: Metrics;
  logger: Logger;
  /** Readiness beyond settings: certificate loaded, caches synced, not shutting down; `detail`: what an operator should know even when ready. */
  readiness(): { ready: boolean; reasons: string[]; detail?: string[] };
}
