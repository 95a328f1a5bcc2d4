// A running injector: settings (with reload), certificate (with reload), optional cluster view, the three
// listeners (webhook, preview, ops), metrics and logs, wired together. `serve` and the integration tests
// both start it from here.
import { pino, type Logger } from 'pino';
import { startCertSource, type CertPair } from '../config/cert-source.ts';
import { startSettingsSource } from '../config/config-dir.ts';
import { InjectionError } from '../core/errors.ts';
import { LARGE_ADMISSION_DEFAULTS, LargeAdmissions, type LargeAdmissionLimits } from './large-admission.ts';
import type { NativeSidecarMode } from '../core/settings/index.ts';
import { Metrics } from './metrics.ts';
import { opsApp } from './ops-app.ts';
import { previewApp, PREVIEW_DOOR_DEFAULTS, type PreviewDoorOptions } from './preview-app.ts';
import { PREVIEW_DEFAULTS, PreviewRunner, type PreviewLimits } from './preview-runner.ts';
import type { ClusterInfo, InjectorRuntime } from './injector-runtime.ts';
import { OPS_LIMITS, PREVIEW_LIMITS, startServers, WEBHOOK_LIMITS, type ConnectionLimits, type Listen } from './servers.ts';
import { webhookApp } from './webhook-app.ts';

export interface InjectorOptions {
  configDir?: string;
  certDir: string;
  sets?: string[];
  nativeSidecars?: NativeSidecarMode;
  webhook: Listen;
  /** The dry-run preview's own HTTPS listener (same certificate as the webhook). */
  preview: Listen;
  ops: Listen;
  /** Overrides of the preview's budgets and of each listener's connection limits (tests shorten them). */
  previewLimits?: Partial<PreviewLimits & PreviewDoorOptions>;
  /** Overrides of the large admissions' threshold, budgets and queue (tests shorten them). */
  largeAdmissionLimits?: Partial<LargeAdmissionLimits>;
  connectionLimits?: { webhook?: Partial<ConnectionLimits>; preview?: Partial<ConnectionLimits>; ops?: Partial<ConnectionLimits> };
  cluster?: ClusterInfo & { stop?(): Promise<void> | void };
  /** Or: start the cluster view here, so its informer events reach the metrics. */
  startCluster?: (hooks: { onEvent(e: { informer: string; type: string }): void }) => ClusterInfo & { stop?(): Promise<void> | void };
  logger?: Logger;
  /** Called after every certificate load (the first included), e.g. to publish the CA as the webhook's caBundle. */
  onCertificate?: (hooks: { metrics: Metrics }) => void;
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

/** Reasons can quote a whole template line: a log line or /readyz body stays short. */
const clip = (text: string, max = 500): string => (text.length > max ? `${text.slice(0, max)}... (${text.length - max} more characters)` : text);

export async function startInjector(opts: InjectorOptions): Promise<RunningInjector> {
  const logger = opts.logger ?? pino({ base: undefined });
  const metrics = new Metrics({ processMetrics: opts.processMetrics });
  let stopping = false;
  const settings = startSettingsSource({ dir: opts.configDir, sets: opts.sets, nativeSidecars: opts.nativeSidecars, pollMs: opts.pollMs }, {
    loaded(s, first, restored) {
      metrics.configReloads.inc({ result: 'success' });
      metrics.configLastSuccess.set(Date.now() / 1000);
      metrics.configBroken.set(0);
      logger.info({ configDir: opts.configDir ?? '(built-in)', templates: s.templates.names, ...(restored ? { note: 'the files on disk are again those of the configuration in use' } : {}) },
        first ? 'configuration loaded' : 'configuration reloaded');
    },
    failed(e, serving) {
      metrics.configReloads.inc({ result: 'failure' });
      metrics.configLastFailure.set(Date.now() / 1000);
      metrics.configBroken.set(1);
      logger.error({ configDir: opts.configDir, error: clip(e.message) },
        serving ? 'configuration failed to load; the last good one keeps serving' : 'configuration failed to load; there is no good one to serve');
    },
  });
  if (!settings.current()) {
    settings.close();
    // nothing to serve: stop here, so a rollout with a bad config stalls while the old replicas serve
    throw new InjectionError('INVALID_SETTING', `the configuration in ${opts.configDir ?? '(built-in)'} does not load: ${clip(settings.problem() ?? 'unknown')}`);
  }
  let servers: Awaited<ReturnType<typeof startServers>> | undefined;
  let certLoaded = false;
  const certs = startCertSource(opts.certDir, {
    loaded(p: CertPair, first) {
      certLoaded = true;
      metrics.certReloads.inc({ result: 'success' });
      metrics.certLastSuccess.set(Date.now() / 1000);
      metrics.certExpiry.set(p.notAfter.getTime() / 1000);
      servers?.setCertificate(p);
      opts.onCertificate?.({ metrics });
      logger.info({ certDir: opts.certDir, notAfter: p.notAfter.toISOString() }, first ? 'certificate loaded' : 'certificate reloaded');
    },
    failed(e) {
      metrics.certReloads.inc({ result: 'failure' });
      // before the first good one there is none to keep: start-up fails instead (below)
      logger.error({ certDir: opts.certDir, error: e.message }, certLoaded ? 'certificate failed to load; the last good one keeps serving' : 'certificate failed to load');
    },
  }, { pollMs: opts.pollMs });

  const cluster = opts.cluster ?? opts.startCluster?.({ onEvent: (e) => metrics.informerEvents.inc({ informer: e.informer, type: e.type }) });
  const rt: InjectorRuntime = {
    settings: settings.current,
    cluster,
    metrics,
    logger,
    readiness() {
      const reasons: string[] = [];
      if (stopping) reasons.push('shutting down');
      if (!certs.current()) reasons.push('certificate not loaded');
      if (cluster && !cluster.synced()) reasons.push('cluster caches not synced');
      // the replica still serves its last good configuration, so it stays ready; the detail says why the
      // one on disk is not in use (sidecar_injector_config_broken says it to alerts)
      const broken = settings.problem();
      const detail = broken === undefined ? [] : [`serving the last good configuration; the configuration on disk is broken: ${clip(broken)}`];
      return { ready: reasons.length === 0, reasons, detail };
    },
  };
  const pair = certs.current();
  if (!pair) {
    settings.close();
    certs.close();
    await cluster?.stop?.();
    throw new Error(`no usable certificate in ${opts.certDir} (want tls.crt and tls.key)`);
  }
  const runner = new PreviewRunner({ ...PREVIEW_DEFAULTS, ...opts.previewLimits }, (reason) => metrics.workerTerminations.inc({ worker: 'preview', reason }));
  const large = new LargeAdmissions({ ...LARGE_ADMISSION_DEFAULTS, ...opts.largeAdmissionLimits }, metrics);
  const limits = opts.connectionLimits ?? {};
  try {
    servers = await startServers({
      webhook: { handler: webhookApp(rt, () => servers?.previewPort ?? opts.preview.port, large), at: opts.webhook, limits: { ...WEBHOOK_LIMITS, ...limits.webhook } },
      preview: { handler: previewApp(rt, runner, { ...PREVIEW_DOOR_DEFAULTS, ...opts.previewLimits }), at: opts.preview, limits: { ...PREVIEW_LIMITS, ...limits.preview } },
      ops: { handler: opsApp(rt), at: opts.ops, limits: { ...OPS_LIMITS, ...limits.ops } },
    }, pair, (listener, delta) => metrics.openConnections.inc({ listener }, delta));
  } catch (e) {
    runner.close();
    large.close();
    settings.close();
    certs.close();
    await cluster?.stop?.();
    throw e;
  }
  const running = servers;
  logger.info({ webhook: `https://${opts.webhook.host}:${running.webhookPort}`, preview: `https://${opts.preview.host}:${running.previewPort}`, ops: `http://${opts.ops.host}:${running.opsPort}` }, 'serving');
  return {
    webhookPort: running.webhookPort,
    previewPort: running.previewPort,
    opsPort: running.opsPort,
    metrics,
    async stop(graceMs = 10_000) {
      stopping = true;
      await running.close(graceMs);
      runner.close();
      large.close();
      settings.close();
      certs.close();
      await cluster?.stop?.();
    },
  };
}
