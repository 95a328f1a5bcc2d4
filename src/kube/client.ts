// Loads the Kubernetes client configuration from where config-source.ts finds it.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { describeKubeConfigSource, findKubeConfigSource, type KubeConfigLookup } from './config-source.ts';

export { describeKubeConfigSource, findKubeConfigSource, type KubeConfigLookup, type KubeConfigSource } from './config-source.ts';

/** The client configuration, or undefined when no cluster is configured. Throws naming the file when a kubeconfig is unusable. */
export function loadKubeConfig(lookup: KubeConfigLookup = {}): KubeConfig | undefined {
  const src = findKubeConfigSource(lookup);
  if (!src) return undefined;
  const kc = new KubeConfig();
  if (src.kind === 'in-cluster') {
    kc.loadFromCluster(lookup.serviceAccountRoot);
    return kc;
  }
  const [first, ...rest] = src.paths;
  if (!existsSync(first!)) throw new Error(`kubeconfig ${first} does not exist`);
  for (const path of [first!, ...rest]) {
    try {
      if (path === first) {
        kc.loadFromFile(path);
      } else {
        const more = new KubeConfig();
        more.loadFromFile(path);
        kc.mergeConfig(more, Boolean(kc.getCurrentContext())); // as kubectl: the first current-context wins
      }
    } catch (e) {
      throw new Error(`kubeconfig ${path} cannot be read: ${(e as Error).message}`);
    }
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(
      `kubeconfig ${describeKubeConfigSource(src)} has no current context with a cluster (current-context: "${kc.getCurrentContext() ?? ''}")`,
    );
  }
  return kc;
}
