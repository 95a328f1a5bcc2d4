// `explain --kubeconfig F`: what the API server would decide with, read from the cluster: its
// MutatingWebhookConfigurations (the injection entries, tags included) and the namespace's labels.
// Loaded only with --kubeconfig, so a plain `explain` does not load the Kubernetes client.
import type { InjectionEntry } from '../core/webhooks/entries.ts';
import { KubeApiError } from '../kube/api-errors.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { NamespaceClient } from '../kube/namespace-client.ts';
import { clusterInjectionEntries, noClusterEntriesWarning, TagClient } from '../kube/tag-client.ts';
import { reportClusterError } from './cluster-error.ts';
import type { CliIO } from './io.ts';

export interface ClusterInputs {
  /** Undefined when the cluster has no injection entries (deploy/'s for the settings' revision apply). */
  webhooks: InjectionEntry[] | undefined;
  namespaceLabels: Record<string, string>;
}

/** The cluster's entries and the namespace's labels; a KubeApiError when either cannot be read. */
export async function readClusterInputs(kubeconfigPath: string, namespace: string, io: CliIO, revision?: string): Promise<ClusterInputs> {
  const kc = loadKubeConfig({ kubeconfigPath });
  if (!kc) throw new KubeApiError('no-cluster', `no cluster configured in ${kubeconfigPath}`);
  const [webhooks, ns] = await Promise.all([clusterInjectionEntries(new TagClient(kc)), new NamespaceClient(kc).get(namespace)]);
  if (webhooks.length === 0) io.stderr(noClusterEntriesWarning(revision));
  return { webhooks: webhooks.length > 0 ? webhooks : undefined, namespaceLabels: ns.labels };
}

/** readClusterInputs, or the one-line report of why not (undefined). */
export async function clusterInputsOrReport(
  kubeconfigPath: string,
  namespace: string,
  io: CliIO,
  revision?: string,
): Promise<ClusterInputs | undefined> {
  try {
    return await readClusterInputs(kubeconfigPath, namespace, io, revision);
  } catch (e) {
    if (!(e instanceof KubeApiError)) throw e;
    reportClusterError(e, kubeconfigPath, io);
    return undefined;
  }
}
