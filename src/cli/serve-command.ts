// `sidecar-injector serve`: the webhook. With no flags (npm start) it serves the built-in configuration
// over HTTPS on :9443 (/inject) and :9444 (/preview) with a self-signed certificate it creates in
// .sidecar-injector/certs, and health and metrics over HTTP on :8080.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ensureSelfSigned } from '../config/cert-source.ts';
import { readTemplatesDir } from '../config/files.ts';
import { buildSettings, type NativeSidecarMode } from '../core/settings/index.ts';
import { parseSet } from '../core/settings/set-flags.ts';
import { startInjector } from '../http/injector.ts';
import { findKubeConfigSource } from '../kube/config-source.ts';
import { UsageError, type CliIO } from './io.ts';

export const SELF_SIGNED_DIR = '.sidecar-injector/certs';

function port(v: string | undefined, flag: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`${flag} must be a port number (got ${v})`);
  return Number(v);
}

function seconds(v: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new UsageError(`${flag} must be a positive number of seconds (got ${v})`);
  return Number(v);
}

const NATIVE_MODES: readonly string[] = ['true', 'false', 'auto'];

/** Each --set must parse, and hold a value of the type its key wants (whatever the config directory says,
 * a --set is applied last, so a wrong type there can never load). */
function checkSet(expr: string, builtin: Record<string, string>): void {
  try {
    parseSet(expr);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  try {
    buildSettings({ templates: builtin, sets: [expr] });
  } catch (e) {
    throw new UsageError(`--set ${expr}: ${(e as Error).message}`);
  }
}

function checkServeFlags(f: { port?: string; 'ops-port'?: string; 'preview-port'?: string; 'native-sidecars'?: string; 'log-level'?: string; 'poll-seconds'?: string; set?: string[] }) {
  const native = f['native-sidecars'];
  if (native !== undefined && !NATIVE_MODES.includes(native)) throw new UsageError(`--native-sidecars must be true, false or auto (got ${JSON.stringify(native)})`);
  const levels = [...Object.keys(pino.levels.values), 'silent'];
  const logLevel = f['log-level'] ?? 'info';
  if (!levels.includes(logLevel)) throw new UsageError(`--log-level must be one of ${levels.join(', ')} (got ${JSON.stringify(logLevel)})`);
  if (f.set?.length) {
    const builtin = readTemplatesDir();
    for (const expr of f.set) checkSet(expr, builtin);
  }
  return {
    nativeSidecars: native as NativeSidecarMode | undefined, logLevel,
    port: port(f.port, '--port', 9443), opsPort: port(f['ops-port'], '--ops-port', 8080), previewPort: port(f['preview-port'], '--preview-port', 9444),
    pollMs: seconds(f['poll-seconds'] ?? '10', '--poll-seconds') * 1000,
  };
}

export async function run(argv: string[], _io: CliIO): Promise<number> {
  const { values: f } = parseArgs({
    args: argv,
    options: {
      'config-dir': { type: 'string' }, 'cert-dir': { type: 'string' }, host: { type: 'string', default: '0.0.0.0' },
      port: { type: 'string' }, 'ops-port': { type: 'string' }, 'ops-host': { type: 'string' }, set: { type: 'string', multiple: true },
      'preview-port': { type: 'string' }, 'preview-host': { type: 'string' },
      'native-sidecars': { type: 'string' }, 'log-level': { type: 'string', default: 'info' },
      'poll-seconds': { type: 'string', default: '10' },
      kubeconfig: { type: 'string' }, 'no-cluster': { type: 'boolean', default: false },
      'webhook-config': { type: 'string', default: process.env.WEBHOOK_CONFIGURATION_NAME },
    },
    strict: true,
  });
  // every flag is checked before anything is created or served: a typo is a usage error, not a replica
  // that starts and then refuses every pod
  const flags = checkServeFlags(f);
  const logger = pino({ level: flags.logLevel, base: undefined });
  let certDir = f['cert-dir'];
  if (certDir === undefined) {
    const made = await ensureSelfSigned(SELF_SIGNED_DIR, new Date());
    certDir = made.dir;
    logger.warn({ certDir }, made.created ? 'no --cert-dir: created a self-signed certificate for 127.0.0.1 and localhost' : 'no --cert-dir: using the self-signed certificate made earlier');
  }
  // a cluster when one is configured (in-cluster, --kubeconfig, $KUBECONFIG, ~/.kube/config); none is fine,
  // and then the Kubernetes client is never loaded
  const clusterConfigured = !f['no-cluster'] && findKubeConfigSource({ kubeconfigPath: f.kubeconfig }) !== undefined;
  const cluster = clusterConfigured
    ? (await import('./serve-cluster.ts')).wireCluster({ kubeconfigPath: f.kubeconfig, webhookConfig: f['webhook-config'], certDir, logger })
    : undefined;
  if (!cluster) logger.info('no cluster configured: namespace labels come from /preview queries, native sidecars "auto" means classic');
  const injector = await startInjector({
    onCertificate: cluster?.onCertificate,
    startCluster: cluster?.startCluster,
    configDir: f['config-dir'], certDir, sets: f.set, nativeSidecars: flags.nativeSidecars, logger, pollMs: flags.pollMs,
    webhook: { host: f.host!, port: flags.port },
    preview: { host: f['preview-host'] ?? f.host!, port: flags.previewPort },
    ops: { host: f['ops-host'] ?? f.host!, port: flags.opsPort },
  }).catch((e: unknown) => {
    cluster?.stop(); // nothing served: the process exits with the reason (main prints it)
    throw e;
  });
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      logger.info({ signal, inFlight: 'finishing' }, 'shutting down');
      cluster?.stop();
      injector.stop(10_000).then(resolveStop, resolveStop);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.info('stopped');
  return 0;
}
