// A running injector: settings (with reload), certificate (with reload), optional cluster view, the three
// listeners (webhook, preview, ops), metrics and logs, wired together. `serve` and the integration tests
// both start it from here.
import { pino, type Logger } from 'pino';
import type { ProxyConfigSet } from '../core/proxy-configs.ts';
import { Metrics } from '../http/metrics.ts';
import type { ClusterInfo } from '../http/injector-runtime.ts';
import { certDirSource, watchCertificate, type OpenCertSource } from './cert-watch.ts';
import type { ServingCertificate } from '../config/cert-source.ts';
import { startListeners, type ListenerOptions, type Listeners } from './listeners.ts';
import { injectorRuntime } from './readiness.ts';
import { watchSettings, type SettingsWatchOptions } from './settings-watch.ts';

/** Where to listen and the limits there (ListenerOptions), and what to serve: settings from a directory,
 * or from another source (openSettings: istiod's ConfigMaps). */
export interface InjectorOptions extends ListenerOptions, SettingsWatchOptions {
  /** The certificate directory (tls.crt, tls.key, ca.crt), unless certSource is given. */
  certDir?: string;
  /** Or: the certificate from another source (a Secret, --cert-secret), named in logs by `certFrom`. */
  certSource?: { open: OpenCertSource; from: string };
  /** ProxyConfig resources from a file (--proxy-configs); without it, the cluster's when there is one. */
  proxyConfigs?: ProxyConfigSet;
  cluster?: ClusterInfo & { stop?(): Promise<void> | void };
  /** Or: start the cluster view here, so its informer events reach the metrics. */
  startCluster?: (hooks: { onEvent(e: { informer: string; type: string }): void }) => ClusterInfo & { stop?(): Promise<void> | void };
  logger?: Logger;
  /** Called after every certificate load (the first included), e.g. to publish the CA as the webhook's caBundle. */
  onCertificate?: (hooks: { metrics: Metrics; certificate: ServingCertificate }) => void;
  /** How often files are re-read even without change events (tests shorten it). */
  pollMs?: number;
  processMetrics?: boolean;
}

export interface RunningInjector {
  webhookPort: number;
  previewPort: number;
  opsPort: number;
  metrics: Metrics;
  stop(graceMs?: number): Promise<void>;
}

export async function startInjector(opts: InjectorOptions): Promise<RunningInjector> {
  const logger = opts.logger ?? pino({ base: undefined });
  const metrics = new Metrics({ processMetrics: opts.processMetrics });
  let stopping = false;
  const settings = await watchSettings(opts, metrics, logger);
  let listeners: Listeners | undefined;
  const open = opts.certSource?.open ?? certDirSource(opts.certDir ?? '.', opts.pollMs);
  const where: Record<string, string> = opts.certSource ? { certSecret: opts.certSource.from } : { certDir: opts.certDir ?? '.' };
  const certs = watchCertificate(open, where, metrics, logger, (p) => {
    listeners?.setCertificate(p);
    opts.onCertificate?.({ metrics, certificate: p });
  });
  const cluster = opts.cluster ?? opts.startCluster?.({ onEvent: (e) => metrics.informerEvents.inc({ informer: e.informer, type: e.type }) });
  const closeSources = async () => {
    settings.close();
    certs.close();
    await cluster?.stop?.();
  };
  const rt = injectorRuntime({ settings, certs, cluster, proxyConfigs: opts.proxyConfigs, metrics, logger, stopping: () => stopping });
  const pair = certs.current();
  if (!pair) {
    await closeSources();
    throw new Error(`no usable certificate in ${opts.certSource?.from ?? opts.certDir} (want tls.crt and tls.key)`);
  }
  const running = await startListeners(opts, rt, pair).catch(async (e: unknown) => {
    await closeSources();
    throw e;
  });
  listeners = running;
  logger.info(
    {
      webhook: `https://${opts.webhook.host}:${running.webhookPort}`,
      preview: `https://${opts.preview.host}:${running.previewPort}`,
      ops: `http://${opts.ops.host}:${running.opsPort}`,
      revision: opts.revision ?? settings.current()?.summary.revision ?? 'default',
    },
    'serving',
  );
  return {
    webhookPort: running.webhookPort,
    previewPort: running.previewPort,
    opsPort: running.opsPort,
    metrics,
    async stop(graceMs = 10_000) {
      stopping = true;
      await running.close(graceMs);
      await closeSources();
    },
  };
}
