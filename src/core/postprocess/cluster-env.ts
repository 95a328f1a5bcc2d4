// Cluster and network identity of the proxy (Istio's overwriteClusterInfo): values, then the webhook
// URL's path parameters, then the pod's topology.istio.io/network label decide; the resulting env vars
// replace any the template wrote and go last, sorted by name.
import type { Container } from '../types.ts';

export interface ClusterInputs {
  clusterName: string;
  network: string;
  /** Env vars from the webhook URL path (`/inject/cluster/c1/net/n1`). */
  urlEnv: Record<string, string>;
  networkLabel: string | undefined;
}

export function resolveProxyEnv(i: ClusterInputs): Record<string, string> {
  const env = { ...i.urlEnv };
  const cluster = env.ISTIO_META_CLUSTER_ID ?? i.clusterName;
  const network = i.networkLabel || env.ISTIO_META_NETWORK || i.network;
  if (cluster) env.ISTIO_META_CLUSTER_ID = cluster;
  if (network) env.ISTIO_META_NETWORK = network;
  return env;
}

export function applyProxyEnv(proxy: Container, env: Record<string, string>): void {
  const names = Object.keys(env).sort();
  if (names.length === 0) return;
  // own names only: an env var the pod author named `constructor` is not one of ours
  proxy.env = [...(proxy.env ?? []).filter((e) => !Object.hasOwn(env, e.name)), ...names.map((name) => ({ name, value: env[name]! }))];
}
