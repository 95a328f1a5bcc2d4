// The three listeners with their doors (webhook, preview, ops), the preview's worker runner and the large
// admissions' workers, started together and closed together.
import type { CertKeyPair } from '../config/cert-source.ts';
import type { InjectorRuntime } from '../http/injector-runtime.ts';
import { LARGE_ADMISSION_DEFAULTS, LargeAdmissions, type LargeAdmissionLimits } from '../http/large-admission.ts';
import { opsApp } from '../http/ops-app.ts';
import { previewApp, PREVIEW_DOOR_DEFAULTS, type PreviewDoorOptions } from '../http/preview-app.ts';
import { PREVIEW_DEFAULTS, PreviewRunner, type PreviewLimits } from '../http/preview-runner.ts';
import { OPS_LIMITS, PREVIEW_LIMITS, startServers, WEBHOOK_LIMITS, type ConnectionLimits, type Listen, type Servers } from '../http/servers.ts';
import { webhookApp } from '../http/webhook-app.ts';

export interface ListenerOptions {
  webhook: Listen;
  /** The dry-run preview's own HTTPS listener (same certificate as the webhook). */
  preview: Listen;
  ops: Listen;
  /** Overrides of the preview's budgets and of each listener's connection limits (tests shorten them). */
  previewLimits?: Partial<PreviewLimits & PreviewDoorOptions>;
  /** Overrides of the large admissions' threshold, budgets and queue (tests shorten them). */
  largeAdmissionLimits?: Partial<LargeAdmissionLimits>;
  connectionLimits?: { webhook?: Partial<ConnectionLimits>; preview?: Partial<ConnectionLimits>; ops?: Partial<ConnectionLimits> };
}

export interface Listeners extends Pick<Servers, 'webhookPort' | 'previewPort' | 'opsPort' | 'setCertificate'> {
  close(graceMs: number): Promise<void>;
}

export async function startListeners(opts: ListenerOptions, rt: InjectorRuntime, pair: CertKeyPair): Promise<Listeners> {
  const { metrics } = rt;
  const runner = new PreviewRunner(
    { ...PREVIEW_DEFAULTS, ...opts.previewLimits },
    (reason) => metrics.workerTerminations.inc({ worker: 'preview', reason }),
    (running) => metrics.workerThreads.set({ worker: 'preview' }, running ? 1 : 0),
  );
  const large = new LargeAdmissions({ ...LARGE_ADMISSION_DEFAULTS, ...opts.largeAdmissionLimits }, metrics);
  const limits = opts.connectionLimits ?? {};
  let servers: Servers | undefined;
  try {
    servers = await startServers(
      {
        webhook: {
          handler: webhookApp(rt, () => servers?.previewPort ?? opts.preview.port, large),
          at: opts.webhook,
          limits: { ...WEBHOOK_LIMITS, ...limits.webhook },
        },
        preview: {
          handler: previewApp(rt, runner, { ...PREVIEW_DOOR_DEFAULTS, ...opts.previewLimits }),
          at: opts.preview,
          limits: { ...PREVIEW_LIMITS, ...limits.preview },
        },
        ops: { handler: opsApp(rt), at: opts.ops, limits: { ...OPS_LIMITS, ...limits.ops } },
      },
      pair,
      (listener, delta) => metrics.openConnections.inc({ listener }, delta),
    );
  } catch (e) {
    runner.close();
    large.close();
    throw e;
  }
  const running = servers;
  return {
    webhookPort: running.webhookPort,
    previewPort: running.previewPort,
    opsPort: running.opsPort,
    setCertificate: (p) => running.setCertificate(p),
    async close(graceMs) {
      await running.close(graceMs);
      runner.close();
      large.close();
    },
  };
}
