// The composition root of `serve`, from checked flags: the certificate directory (or a self-signed one),
// the cluster when one is configured, then the injector (settings, certificate, listeners), until SIGTERM
// or SIGINT.
import { pino, type Logger } from 'pino';
import { ensureSelfSigned } from '../config/cert-source.ts';
import type { SettingsFilePaths } from '../config/config-dir.ts';
import type { ProxyConfigSet } from '../core/proxy-configs.ts';
import type { NativeSidecarMode } from '../core/settings/index.ts';
import type { Listen } from '../http/servers.ts';
import { findKubeConfigSource } from '../kube/config-source.ts';
import type { CertSecretConfig, ClusterWiring } from './cluster.ts';
import { startInjector, type RunningInjector } from './injector.ts';
import type { SetOverride } from '../core/settings/set-flags.ts';

export const SELF_SIGNED_DIR = '.sidecar-injector/certs';

/**
 * Node's pool for small Buffers, in bytes. Node 24 made it 64 KiB, and a small Buffer keeps its whole pool
 * alive: each TLS connection's ALPN list keeps one, and so does a request body still in flight when a
 * scavenge promotes it. Under (e) at 50 connections, external buffers at the RSS peak were 7-11 MB with
 * 64 KiB and 4-6 MB with 8 KiB, the size Node had before 24 (README, Memory).
 */
const BUFFER_POOL_BYTES = 8 * 1024;

/** What `serve` runs with: every value already checked (cli/serve-command.ts). */
export interface ServeConfig {
  configDir?: string;
  /** --config/--values/--mesh: single files (a document or a ConfigMap), winning over the directory's. */
  settingsFiles?: SettingsFilePaths;
  /** Undefined (and no certSecret): a self-signed certificate in SELF_SIGNED_DIR, made once and reused. */
  certDir?: string;
  /** --cert-secret: the CA and serving certificate from this Secret, created when absent, renewed, watched. */
  certSecret?: CertSecretConfig;
  sets?: SetOverride[];
  nativeSidecars?: NativeSidecarMode;
  logLevel: string;
  pollMs: number;
  webhook: Listen;
  preview: Listen;
  ops: Listen;
  kubeconfigPath?: string;
  noCluster: boolean;
  webhookConfig?: string;
  /** --revision: the revision served (decisions, .Revision of the templates, the webhook configurations kept current). */
  revision: string;
  /** From --proxy-configs: these ProxyConfig resources apply, and the cluster's are not watched. */
  proxyConfigs?: ProxyConfigSet;
  /** --istio-configmaps NAMESPACE (and --revision): the settings are istiod's ConfigMaps there, watched. */
  istioConfigMaps?: { namespace: string; revision?: string };
}

async function certDirOrSelfSigned(certDir: string | undefined, logger: Logger): Promise<string> {
  if (certDir !== undefined) return certDir;
  const made = await ensureSelfSigned(SELF_SIGNED_DIR, new Date());
  logger.warn(
    { certDir: made.dir },
    made.created
      ? 'no --cert-dir: created a self-signed certificate for 127.0.0.1 and localhost'
      : 'no --cert-dir: using the self-signed certificate made earlier',
  );
  return made.dir;
}

/** A cluster when one is configured (in-cluster, --kubeconfig, $KUBECONFIG, ~/.kube/config); none is fine,
 * and then the Kubernetes client is never loaded. */
async function clusterFor(cfg: ServeConfig, logger: Logger): Promise<ClusterWiring | undefined> {
  const configured = !cfg.noCluster && findKubeConfigSource({ kubeconfigPath: cfg.kubeconfigPath }) !== undefined;
  const cluster = configured
    ? (await import('./cluster.ts')).wireCluster({
        kubeconfigPath: cfg.kubeconfigPath,
        webhookConfig: cfg.webhookConfig,
        revision: cfg.revision,
        certSecret: cfg.certSecret,
        logger,
        watchProxyConfigs: cfg.proxyConfigs === undefined,
        istioConfigMaps: cfg.istioConfigMaps && { ...cfg.istioConfigMaps, sets: cfg.sets, nativeSidecars: cfg.nativeSidecars },
      })
    : undefined;
  if (cfg.istioConfigMaps && !cluster)
    throw new Error('--istio-configmaps needs a cluster (in-cluster, --kubeconfig, $KUBECONFIG or ~/.kube/config), and none is configured');
  if (cfg.certSecret && !cluster)
    throw new Error(
      '--cert-secret reads the certificate from the cluster (in-cluster, --kubeconfig, $KUBECONFIG or ~/.kube/config), and none is configured',
    );
  if (!cluster) logger.info('no cluster configured: namespace labels come from /preview queries, native sidecars "auto" means classic');
  return cluster;
}

function untilSignal(injector: RunningInjector, cluster: ClusterWiring | undefined, logger: Logger): Promise<void> {
  return new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      logger.info({ signal, inFlight: 'finishing' }, 'shutting down');
      cluster?.stop();
      injector.stop(10_000).then(resolveStop, resolveStop);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** Serves until SIGTERM or SIGINT; rejects (nothing served) when the configuration or certificate does not load. */
export async function serve(cfg: ServeConfig): Promise<void> {
  Buffer.poolSize = BUFFER_POOL_BYTES;
  const logger = pino({ level: cfg.logLevel, base: undefined });
  const cluster = await clusterFor(cfg, logger);
  const secret = await cluster?.certSecret?.().catch((e: unknown) => {
    cluster.stop();
    throw e;
  });
  const certDir = secret ? undefined : await certDirOrSelfSigned(cfg.certDir, logger);
  const injector = await startInjector({
    ...(secret && cfg.certSecret ? { certSource: { open: secret.start, from: `${cfg.certSecret.namespace}/${cfg.certSecret.name}` } } : {}),
    onCertificate: cluster?.onCertificate,
    startCluster: cluster?.startCluster,
    openSettings: cluster?.openSettings,
    settingsFrom: cluster?.settingsFrom,
    configDir: cfg.configDir,
    settingsFiles: cfg.settingsFiles,
    certDir,
    sets: cfg.sets,
    revision: cfg.revision,
    nativeSidecars: cfg.nativeSidecars,
    proxyConfigs: cfg.proxyConfigs,
    logger,
    pollMs: cfg.pollMs,
    webhook: cfg.webhook,
    preview: cfg.preview,
    ops: cfg.ops,
  }).catch((e: unknown) => {
    cluster?.stop(); // nothing served: the process exits with the reason (main prints it)
    throw e;
  });
  await untilSignal(injector, cluster, logger);
  logger.info('stopped');
}
