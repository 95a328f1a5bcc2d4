// What the HTTP doors see of the running injector (settings, cluster, metrics, logger), and its readiness:
// certificate loaded, cluster caches synced, not shutting down.
import type { Logger } from 'pino';
import type { SettingsSource } from '../config/config-dir.ts';
import type { CertSource } from '../config/cert-source.ts';
import type { ProxyConfigSet } from '../core/proxy-configs.ts';
import type { ClusterInfo, InjectorRuntime } from '../http/injector-runtime.ts';
import type { Metrics } from '../http/metrics.ts';
import { clip } from './settings-watch.ts';

export interface RuntimeParts {
  settings: SettingsSource;
  certs: CertSource;
  cluster?: ClusterInfo;
  /** ProxyConfig resources from a file (--proxy-configs): they replace the cluster's. */
  proxyConfigs?: ProxyConfigSet;
  metrics: Metrics;
  logger: Logger;
  stopping(): boolean;
}

export function injectorRuntime({ settings, certs, cluster, proxyConfigs, metrics, logger, stopping }: RuntimeParts): InjectorRuntime {
  return {
    settings: settings.current,
    cluster,
    proxyConfigs: () => proxyConfigs ?? cluster?.proxyConfigs?.(),
    metrics,
    logger,
    readiness() {
      const reasons: string[] = [];
      if (stopping()) reasons.push('shutting down');
      if (!certs.current()) reasons.push('certificate not loaded');
      if (cluster && !cluster.synced()) reasons.push('cluster caches not synced');
      // the replica still serves its last good configuration, so it stays ready; the detail says why the
      // one on disk is not in use (sidecar_injector_config_broken says it to alerts)
      const broken = settings.problem();
      const detail =
        broken === undefined
          ? []
          : [`serving the last good configuration; the configuration ${settings.readFrom ?? 'on disk'} is broken: ${clip(broken)}`];
      // what the configuration in use holds that Istio too accepts only with a warning
      for (const w of settings.current()?.warnings ?? []) detail.push(`configuration warning: ${clip(w)}`);
      // still ready: the default templates work; only pods that ask for these are refused
      for (const [name, why] of Object.entries(settings.current()?.brokenTemplates ?? {}))
        detail.push(`template ${JSON.stringify(name)} is broken, pods that ask for it are refused: ${clip(why)}`);
      return { ready: reasons.length === 0, reasons, detail };
    },
  };
}
