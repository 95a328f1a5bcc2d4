// `kube-inject` without setting files: istiod's ConfigMaps read from the cluster, as istioctl kube-inject reads
// them (`istio-sidecar-injector` for config and values, `istio` for mesh, `-<revision>` suffixed). Loaded only
// then, so kube-inject with files does not load the Kubernetes client.
import { CoreV1Api } from '@kubernetes/client-node';
import { KubeApiError, toKubeApiError } from '../kube/api-errors.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { requestTimeout } from '../kube/request-timeout.ts';

export interface ConfigMapRef {
  name: string;
  key: string;
  /** The flag that names this ConfigMap, for the error. */
  flag: string;
}

/** data[key] of each ConfigMap in `namespace`; a KubeApiError naming the ConfigMap, key and flag otherwise. */
export async function readConfigMapKeys(kubeconfig: string | undefined, namespace: string, refs: ConfigMapRef[]): Promise<string[]> {
  const kc = loadKubeConfig({ kubeconfigPath: kubeconfig });
  if (!kc)
    throw new KubeApiError(
      'no-cluster',
      'no cluster configured to read the ConfigMaps from: pass --injectConfigFile, --valuesFile and --meshConfigFile, or --kubeconfig FILE',
    );
  const api = kc.makeApiClient(CoreV1Api);
  const byName = new Map<string, Promise<Record<string, string>>>();
  const read = (name: string) =>
    api.readNamespacedConfigMap({ name, namespace }, requestTimeout(10_000)).then(
      (cm) => cm.data ?? {},
      (e: unknown) => {
        throw toKubeApiError(e, `read ConfigMap ${namespace}/${name}`, kc.getCurrentCluster()?.server);
      },
    );
  return Promise.all(
    refs.map(async (r) => {
      if (!byName.has(r.name)) byName.set(r.name, read(r.name));
      let data: Record<string, string>;
      try {
        data = await byName.get(r.name)!;
      } catch (e) {
        if (e instanceof KubeApiError && e.kind === 'not-found')
          throw new KubeApiError('not-found', `${e.message} (${r.flag}, -i/--istioNamespace)`, e.status);
        throw e;
      }
      const v = data[r.key];
      if (typeof v !== 'string') throw new KubeApiError('not-found', `ConfigMap ${namespace}/${r.name} has no key "${r.key}" (${r.flag})`);
      return v;
    }),
  );
}
