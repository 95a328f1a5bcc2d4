// istiod's own ConfigMaps as the settings source (`serve --istio-configmaps NAMESPACE`): `istio-sidecar-injector`
// (config, values) and `istio` (mesh), `-<revision>` suffixed with --revision, each watched by name (a
// fieldSelector, so RBAC can grant these two names only) with a ResilientInformer. Every change reloads the
// settings with the semantics of a configuration directory (settings-loader.ts): a broken update keeps the
// last good settings serving and is reported. Start-up waits, bounded, for both to be listed.
import { CoreV1Api, type KubeConfig, type KubernetesListObject, type V1ConfigMap } from '@kubernetes/client-node';
import { settingsLoader, type SettingsFiles, type SettingsSource, type SettingsSourceEvents } from '../config/settings-loader.ts';
import { istioConfigMapNames } from '../core/settings/configmap.ts';
import type { NativeSidecarMode } from '../core/settings/index.ts';
import type { BackoffOptions } from './backoff.ts';
import { requestTimeout } from './request-timeout.ts';
import { ResilientInformer, type InformerEvent, type KubeLogger } from './resilient-informer.ts';
import type { SetOverride } from '../core/settings/set-flags.ts';

export interface IstioConfigMapsOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  revision?: string;
  /** The built-in templates, which config.templates add to or replace (as with a directory). */
  templates: Record<string, string>;
  sets?: SetOverride[];
  nativeSidecars?: NativeSidecarMode;
  logger?: KubeLogger;
  onEvent?: (e: InformerEvent<'configmaps'>) => void;
  backoff?: BackoffOptions;
  stallAfterMs?: number;
  listTimeoutMs?: number;
  /** Bound on waiting for the first list of both ConfigMaps at start (default 60 s). */
  syncTimeoutMs?: number;
  /** Changes closer together than this are loaded once (default 100 ms). */
  debounceMs?: number;
}

type Data = Record<string, string>;

function watchOne(
  opts: IstioConfigMapsOptions,
  name: string,
  onChange: () => void,
  lastError: (e: string) => void,
): ResilientInformer<V1ConfigMap, Data, 'configmaps'> {
  const api = opts.kubeConfig.makeApiClient(CoreV1Api);
  const fieldSelector = `metadata.name=${name}`;
  return new ResilientInformer<V1ConfigMap, Data, 'configmaps'>({
    name: 'configmaps',
    kubeConfig: opts.kubeConfig,
    path: `/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/configmaps?fieldSelector=${encodeURIComponent(fieldSelector)}`,
    list: async (ms) =>
      (await api.listNamespacedConfigMap({ namespace: opts.namespace, fieldSelector }, requestTimeout(ms))) as KubernetesListObject<V1ConfigMap>,
    project: (cm) => ({ ...(cm.data ?? {}) }),
    onChange,
    logger: opts.logger,
    onEvent: (e) => {
      if (e.type === 'error') lastError(e.detail);
      opts.onEvent?.(e);
    },
    backoff: opts.backoff,
    stallAfterMs: opts.stallAfterMs,
    listTimeoutMs: opts.listTimeoutMs,
  });
}

/** Settings from istiod's ConfigMaps, kept current; resolves once the first load was tried (loaded or failed). */
export async function startIstioConfigMapSettings(opts: IstioConfigMapsOptions, events: SettingsSourceEvents): Promise<SettingsSource> {
  const names = istioConfigMapNames(opts.revision);
  const where = `ConfigMaps ${opts.namespace}/${names.injector} and ${opts.namespace}/${names.mesh}`;
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let error = '';
  const changed = () => {
    if (!started) return;
    clearTimeout(timer);
    timer = setTimeout(() => loader.reload(), opts.debounceMs ?? 100);
    timer.unref();
  };
  const noteError = (e: string) => {
    error = e;
  };
  const injector = watchOne(opts, names.injector, changed, noteError);
  const mesh = watchOne(opts, names.mesh, changed, noteError);
  const read = (): SettingsFiles => {
    if (!injector.synced() || !mesh.synced()) throw new Error(`not listed from the API server yet${error ? ` (${error})` : ''}`);
    const inj = injector.get(names.injector);
    const m = mesh.get(names.mesh);
    if (!inj) throw new Error(`ConfigMap ${opts.namespace}/${names.injector} (config, values) not found`);
    if (!m) throw new Error(`ConfigMap ${opts.namespace}/${names.mesh} (mesh) not found`);
    return { config: inj.config, values: inj.values, mesh: m.mesh, templates: opts.templates };
  };
  const loader = settingsLoader({ read, where, sets: opts.sets, nativeSidecars: opts.nativeSidecars }, events);
  injector.start();
  mesh.start();
  const deadline = Date.now() + (opts.syncTimeoutMs ?? 60_000);
  while (!(injector.synced() && mesh.synced()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  started = true;
  loader.reload();
  return {
    ...loader,
    readFrom: `in ${where}`,
    close: () => {
      clearTimeout(timer);
      injector.stop();
      mesh.stop();
    },
  };
}
