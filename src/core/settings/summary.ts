// What an admission reads from the settings, worked out once per settings load (buildSettings), so the
// hot path reads typed fields instead of looking values up by string path. Plain data: it crosses to a
// worker thread with the rest of the settings.
import { ANNOTATION, type DeniedAnnotations, deniedAnnotationsOf } from '../annotations.ts';
import type { JsonObject } from '../types.ts';
import { getPath } from './schema.ts';

export interface ImageSettings {
  hub: string;
  tag: string;
  /** values global.variant: the image type when neither the pod nor its proxy config names one. */
  variant: string;
  /** values global.proxy.image and global.proxy_init.image (an image with a slash is used as it is). */
  proxy: string;
  proxyInit: string;
}

export interface SettingsSummary {
  /** values revision ('' for the default revision). */
  readonly revision: string;
  /** mesh defaultConfig.statusPort: the agent's port for merged metrics and rewritten probes. */
  readonly statusPort: number;
  /** values global.proxy.holdApplicationUntilProxyStarts (the pod's proxy config may ask for it too). */
  readonly holdApplication: boolean;
  /** values sidecarInjectorWebhook.rewriteAppHTTPProbe (unless set to false). */
  readonly rewriteProbes: boolean;
  /** values sidecarInjectorWebhook.enableNamespacesByDefault. */
  readonly enableNamespacesByDefault: boolean;
  /** values global.multiCluster.clusterName and global.network. */
  readonly clusterName: string;
  readonly network: string;
  /** mesh enablePrometheusMerge (unless set to false). */
  readonly prometheusMerge: boolean;
  /** mesh inboundTrafficPolicy.mode, as the templates spell it. */
  readonly inboundTrafficPolicyMode: 'localhost' | 'passthrough';
  readonly images: Readonly<ImageSettings>;
  /** Annotation keys worth reporting as used: ours and those the templates mention. */
  readonly reportedAnnotationKeys: ReadonlySet<string>;
  /** config deniedAnnotations, ready to match. */
  readonly deniedAnnotations: DeniedAnnotations;
}

export function summarise(
  values: JsonObject,
  mesh: JsonObject,
  templateKeys: Iterable<string>,
  deniedAnnotations: readonly string[] = [],
): SettingsSummary {
  const text = (root: JsonObject, path: string, dflt = ''): string => String(getPath(root, path) ?? dflt);
  return {
    revision: String(values.revision ?? ''),
    statusPort: Number(getPath(mesh, 'defaultConfig.statusPort') ?? 15020),
    holdApplication: getPath(values, 'global.proxy.holdApplicationUntilProxyStarts') === true,
    rewriteProbes: getPath(values, 'sidecarInjectorWebhook.rewriteAppHTTPProbe') !== false,
    enableNamespacesByDefault: getPath(values, 'sidecarInjectorWebhook.enableNamespacesByDefault') === true,
    clusterName: text(values, 'global.multiCluster.clusterName'),
    network: text(values, 'global.network'),
    prometheusMerge: getPath(mesh, 'enablePrometheusMerge') !== false,
    inboundTrafficPolicyMode: getPath(mesh, 'inboundTrafficPolicy.mode') === 'LOCALHOST' ? 'localhost' : 'passthrough',
    images: {
      hub: text(values, 'global.hub'),
      tag: text(values, 'global.tag'),
      variant: text(values, 'global.variant'),
      proxy: text(values, 'global.proxy.image', 'proxyv2'),
      proxyInit: text(values, 'global.proxy_init.image', 'proxyv2'),
    },
    reportedAnnotationKeys: new Set<string>([...Object.values(ANNOTATION), ...templateKeys]),
    deniedAnnotations: deniedAnnotationsOf(deniedAnnotations),
  };
}
