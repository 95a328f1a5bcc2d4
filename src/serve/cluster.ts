// serve's cluster side, loaded only when a cluster is configured: the namespace and node view, and the
// caBundle patcher. @kubernetes/client-node comes in with it (~80 MB of RSS a server with no cluster
// does not need).
import type { KubeConfig } from '@kubernetes/client-node';
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
import type { ServingCertificate } from '../config/cert-source.ts';
import { serviceDnsNames } from '../config/cert-plan.ts';
import { bootstrapCertSecret, type CertSecretSource } from '../kube/cert-secret.ts';

/** --cert-secret: the certificate from this Secret of `namespace`, made (for Service `service`) when absent. */
export interface CertSecretConfig {
  name: string;
  namespace: string;
  service: string;
  lifetimeMs: number;
  /** --cert-host: more names (or IP addresses) for the serving certificate, for an injector called at a URL. */
  hosts: string[];
}

/** The CA to publish: ca.crt beside the serving certificate (a TLS Secret from cert-manager, ours, or our docs), else the certificate itself (self-signed). */
const caOf = (p: ServingCertificate | undefined): string | undefined => p?.ca ?? p?.cert;

export interface ClusterWiring extends Pick<InjectorOptions, 'startCluster' | 'onCertificate' | 'openSettings' | 'settingsFrom'> {
  /** With --cert-secret: read (or create) the Secret; rejects when it cannot. */
  certSecret?: () => Promise<CertSecretSource>;
  stop(): void;
}

function openCertSecret(kubeConfig: KubeConfig, c: CertSecretConfig, logger: Logger): Promise<CertSecretSource> {
  return bootstrapCertSecret({
    kubeConfig,
    namespace: c.namespace,
    name: c.name,
    dnsNames: [...serviceDnsNames(c.service, c.namespace), ...c.hosts],
    lifetimeMs: c.lifetimeMs,
    logger: logger.child({ component: 'cert-secret' }),
  });
}

/** Undefined when no cluster is configured after all; throws naming the kubeconfig when it is unusable. */
export function wireCluster(opts: {
  kubeconfigPath?: string;
  webhookConfig?: string;
  /** The revision served: its tags' configurations are kept current too. */
  revision: string;
  certSecret?: CertSecretConfig;
  logger: Logger;
  /** Watch Istio's ProxyConfig resources (false when a --proxy-configs file gives them). */
  watchProxyConfigs: boolean;
  /** Settings from istiod's ConfigMaps in this namespace (--istio-configmaps), for this revision (--revision). */
  istioConfigMaps?: { namespace: string; revision?: string; sets?: SetOverride[]; nativeSidecars?: NativeSidecarMode };
}): ClusterWiring | undefined {
  const { logger, webhookConfig, certSecret } = opts;
  const kubeConfig = loadKubeConfig({ kubeconfigPath: opts.kubeconfigPath });
  if (!kubeConfig) return undefined;
  logger.info(
    { server: kubeConfig.getCurrentCluster()?.server },
    `watching namespaces, nodes, MutatingWebhookConfigurations${opts.watchProxyConfigs ? ' and ProxyConfigs' : ''} of the cluster`,
  );
  // with a webhook configuration to own: publish our CA as its caBundle (and its revision's tags'), now and
  // after each rotation
  let patcher: RevisionCaBundlePatcher | undefined;
  let certificate: ServingCertificate | undefined;
  const onCertificate = ({ metrics, certificate: p }: { metrics: Metrics; certificate: ServingCertificate }) => {
    certificate = p;
    publish?.(metrics);
  };
  const publish = webhookConfig
    ? (metrics: Metrics) => {
        if (patcher) {
          void patcher.sync(); // a rotation: publish the new CA
          return;
        }
        patcher = startRevisionCaBundlePatcher({
          kubeConfig,
          webhookConfigurationName: webhookConfig,
          revision: opts.revision,
          caBundle: () => caOf(certificate),
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
    ...(certSecret ? { certSecret: () => openCertSecret(kubeConfig, certSecret, logger) } : {}),
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
