// `sidecar-injector serve`: the webhook. With no flags (npm start) it serves the built-in configuration
// over HTTPS on :9443 with a self-signed certificate it creates in .sidecar-injector/certs, and health
// and metrics over HTTP on :8080.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ensureSelfSigned } from '../config/cert-source.ts';
import type { NativeSidecarMode } from '../core/settings/index.ts';
import { startInjector } from '../http/injector.ts';
import { startCaBundlePatcher, type CaBundlePatcher } from '../kube/ca-bundle.ts';
import { startClusterView } from '../kube/cluster-view.ts';
import type { Metrics } from '../http/metrics.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { UsageError, type CliIO } from './io.ts';

export const SELF_SIGNED_DIR = '.sidecar-injector/certs';

function port(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`${flag} must be a port number (got ${v})`);
  return Number(v);
}

/** The CA to publish: ca.crt beside the serving certificate (a TLS Secret from cert-manager or our docs), else the certificate itself (self-signed). */
function caOf(certDir: string): string | undefined {
  for (const f of ['ca.crt', 'tls.crt']) {
    const p = join(certDir, f);
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  return undefined;
}

function seconds(v: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new UsageError(`${flag} must be a positive number of seconds (got ${v})`);
  return Number(v);
}

export async function run(argv: string[], _io: CliIO): Promise<number> {
  const { values: f } = parseArgs({
    args: argv,
    options: {
      'config-dir': { type: 'string' }, 'cert-dir': { type: 'string' }, host: { type: 'string', default: '0.0.0.0' },
      port: { type: 'string' }, 'ops-port': { type: 'string' }, 'ops-host': { type: 'string' }, set: { type: 'string', multiple: true },
      'native-sidecars': { type: 'string' }, 'log-level': { type: 'string', default: 'info' },
      'poll-seconds': { type: 'string', default: '10' },
      kubeconfig: { type: 'string' }, 'no-cluster': { type: 'boolean', default: false },
      'webhook-config': { type: 'string', default: process.env.WEBHOOK_CONFIGURATION_NAME },
    },
    strict: true,
  });
  const logger = pino({ level: f['log-level'], base: undefined });
  let certDir = f['cert-dir'];
  if (certDir === undefined) {
    const made = await ensureSelfSigned(SELF_SIGNED_DIR, new Date());
    certDir = made.dir;
    logger.warn({ certDir }, made.created ? 'no --cert-dir: created a self-signed certificate for 127.0.0.1 and localhost' : 'no --cert-dir: using the self-signed certificate made earlier');
  }
  // a cluster when one is configured (in-cluster, --kubeconfig, $KUBECONFIG, ~/.kube/config); none is fine
  const kubeConfig = f['no-cluster'] ? undefined : loadKubeConfig({ kubeconfigPath: f.kubeconfig });
  if (kubeConfig) logger.info({ server: kubeConfig.getCurrentCluster()?.server }, 'watching namespaces and nodes of the cluster');
  else logger.info('no cluster configured: namespace labels come from /preview queries, native sidecars "auto" means classic');
  // with a cluster and a webhook configuration to own: publish our CA as its caBundle, now and after each rotation
  let patcher: CaBundlePatcher | undefined;
  const webhookConfig = f['webhook-config'];
  const onCertificate = kubeConfig && webhookConfig ? ({ metrics }: { metrics: Metrics }) => {
    if (patcher) {
      void patcher.sync(); // a rotation: publish the new CA
      return;
    }
    patcher = startCaBundlePatcher({
      kubeConfig, webhookConfigurationName: webhookConfig, caBundle: () => caOf(certDir!), logger: logger.child({ component: 'ca-bundle' }),
      onEvent: (e) => {
        if (e.type === 'attempt') metrics.patchAttempts.inc({ name: e.name });
        if (e.type === 'retry') metrics.patchRetries.inc({ name: e.name });
        if (e.type === 'failure') metrics.patchFailures.inc({ name: e.name, reason: e.reason });
      },
      resyncMs: 5 * 60_000, // puts back a caBundle that a re-apply of the configuration wiped
    });
  } : undefined;
  const injector = await startInjector({
    onCertificate,
    startCluster: kubeConfig ? ({ onEvent }) => startClusterView({ kubeConfig, logger: logger.child({ component: 'cluster' }), onEvent }) : undefined,
    configDir: f['config-dir'], certDir, sets: f.set, nativeSidecars: f['native-sidecars'] as NativeSidecarMode | undefined, logger,
    pollMs: seconds(f['poll-seconds']!, '--poll-seconds') * 1000,
    webhook: { host: f.host!, port: port(f.port, '--port', 9443) },
    ops: { host: f['ops-host'] ?? f.host!, port: port(f['ops-port'], '--ops-port', 8080) },
  });
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      logger.info({ signal, inFlight: 'finishing' }, 'shutting down');
      patcher?.stop();
      injector.stop(10_000).then(resolveStop, resolveStop);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.info('stopped');
  return 0;
}
