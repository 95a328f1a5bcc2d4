// serve's cluster side, loaded only when a cluster is configured: the namespace and node view, and the
// caBundle patcher. @kubernetes/client-node comes in with it (~80 MB of RSS a server with no cluster
// does not need).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { InjectorOptions } from './injector.ts';
import type { Metrics } from '../http/metrics.ts';
import { startRevisionCaBundlePatcher, type RevisionCaBundlePatcher } from '../kube/revision-ca-bundles.ts';
import { startClusterView } from '../kube/cluster-view.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { startProxyConfigWatch } from '../kube/proxy-config-watch.ts';
import { startWebhookConfigWatch } from '../kube/webhook-config-watch.ts';
import { startIstioConfigMapSettings } from '../kube/istio-configmaps.ts';
import { readTemplatesDir } from '../config/files.ts';
import { istioConfigMapNames } from '../core/settings/configmap.ts';
import type { NativeSidecarMode } from '../core/settings/index.ts';
import type { SetOverride } from '../core/settings/set-flags.ts';

/** The CA to publish: ca.crt beside the serving certificate (a TLS Secret from cert-manager or our docs), else the certificate itself (self-signed). */
function caOf(certDir: string): string | undefined {
  for (const f of ['ca.crt', 'tls.crt']) {
    const p = join(certDir, f);
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  return undefined;
}

export interface ClusterWiring extends Pick<InjectorOptions, 'startCluster' | 'onCertificate' | 'openSettings' | 'settingsFrom'> {
  stop(): void;
}

/** Undefined when no cluster is configured after all; throws naming the kubeconfig when it is unusable. */
export function wireCluster(opts: {
  kubeconfigPath?: string;
  webhookConfig?: string;
  /** The revision served: its tags' configurations are kept current too. */
  revision: string;
  certDir: string;
  logger: Logger;
  /** Watch Istio's ProxyConfig resources (false when a --proxy-configs file gives them). */
  watchProxyConfigs: boolean;
  /** Settings from istiod's ConfigMaps in this namespace (--istio-configmaps), for this revision (--revision). */
  istioConfigMaps?: { namespace: string; revision?: string; sets?: SetOverride[]; nativeSidecars?: NativeSidecarMode };
}): ClusterWiring | undefined {
  const { logger, certDir, webhookConfig } = opts;
  const kubeConfig = loadKubeConfig({ kubeconfigPath: opts.kubeconfigPath });
  if (!kubeConfig) return undefined;
  logger.info(
    { server: kubeConfig.getCurrentCluster()?.server },
    `watching namespaces, nodes, MutatingWebhookConfigurations${opts.watchProxyConfigs ? ' and ProxyConfigs' : ''} of the cluster`,
  );
  // with a webhook configuration to own: publish our CA as its caBundle (and its revision's tags'), now and
  // after each rotation
  let patcher: RevisionCaBundlePatcher | undefined;
  const onCertificate = webhookConfig
    ? ({ metrics }: { metrics: Metrics }) => {
        if (patcher) {
          void patcher.sync(); // a rotation: publish the new CA
          return;
        }
        patcher = startRevisionCaBundlePatcher({
          kubeConfig,
          webhookConfigurationName: webhookConfig,
          revision: opts.revision,
          caBundle: () => caOf(certDir),
          logger: logger.child({ component: 'ca-bundle' }),
          onEvent: (e) => {
            if (e.type === 'attempt') metrics.patchAttempts.inc({ name: e.name });
            if (e.type === 'retry') metrics.patchRetries.inc({ name: e.name });
            if (e.type === 'failure') metrics.patchFailures.inc({ name: e.name, reason: e.reason });
          },
          resyncMs: 5 * 60_000, // puts back a caBundle that a re-apply of the configuration wiped
          onInformerEvent: (e) => metrics.informerEvents.inc({ informer: e.informer, type: e.type }),
          informerLogger: logger.child({ component: 'ca-bundle' }),
        });
      }
    : undefined;
  const cms = opts.istioConfigMaps;
  const names = cms && istioConfigMapNames(cms.revision);
  return {
    onCertificate,
    ...(cms && names
      ? {
          settingsFrom: `ConfigMaps ${cms.namespace}/${names.injector} and ${cms.namespace}/${names.mesh}`,
          openSettings: (events, { onEvent }) =>
            startIstioConfigMapSettings(
              { kubeConfig, ...cms, templates: readTemplatesDir(), logger: logger.child({ component: 'istio-configmaps' }), onEvent },
              events,
            ),
        }
      : {}),
    startCluster: ({ onEvent }) => {
      const view = startClusterView({ kubeConfig, logger: logger.child({ component: 'cluster' }), onEvent });
      // the cluster's webhook configurations, which /preview decides with (tags included); not a readiness
      // condition: until listed, the preview decides with deploy/'s entries for this revision
      const webhooks = startWebhookConfigWatch({ kubeConfig, logger: logger.child({ component: 'webhookconfigurations' }), onEvent });
      // with --proxy-configs the file's resources apply, and the cluster's are not watched
      const proxyConfigs = opts.watchProxyConfigs
        ? startProxyConfigWatch({ kubeConfig, logger: logger.child({ component: 'proxyconfigs' }), onEvent })
        : undefined;
      return {
        ...view,
        webhooks: webhooks.entries,
        ...(proxyConfigs ? { proxyConfigs: proxyConfigs.current } : {}),
        synced: () => view.synced() && (proxyConfigs?.synced() ?? true),
        stop: () => {
          view.stop();
          webhooks.stop();
          proxyConfigs?.stop();
        },
      };
    },
    stop: () => patcher?.stop(),
  };
}
