// The data a template sees, in Istio's SidecarTemplateData shape (lowerCamel names), plus the few values
// Istio computes in Go before templating (images, hold, network, interception mode, owner path, user
// volumes).
import { ANNOTATION } from '../annotations.ts';
import { clip } from '../clip.ts';
import { InjectionError } from '../errors.ts';
import type { Settings } from '../settings/index.ts';
import type { ImageSettings } from '../settings/summary.ts';
import { treeProblem } from '../tree-limits.ts';
import { isObject, type JsonObject, type Pod, type WorkloadRef } from '../types.ts';

export interface RenderContext {
  settings: Settings;
  pod: Pod;
  workload: WorkloadRef;
  proxyConfig: JsonObject;
  nativeSidecars: boolean;
  holdProxy: boolean;
  network: string;
  /** The pod's sidecar.istio.io/interceptionMode, else its proxy config's ('' when that has none). */
  interceptionMode: string;
}

const VARIANT_SUFFIX = /-(distroless|debug)$/;

/** `<hub>/<image>:<tag>[-variant]`; an image with a slash is used as it is. */
function imageUrl(images: ImageSettings, image: string, variant: string): string {
  if (image.includes('/')) return image;
  const hub = images.hub;
  let tag = images.tag;
  if (variant && variant !== 'default') tag = `${tag.replace(VARIANT_SUFFIX, '')}-${variant}`;
  else if (variant === 'default') tag = tag.replace(VARIANT_SUFFIX, '');
  return `${hub}/${image}:${tag}`;
}

/**
 * sidecar.istio.io/userVolume and userVolumeMount, as Istio's template ranges over them: a JSON map of
 * name to entry (by sorted name) or a JSON list of entries (named by index, "0", "1", ...); an entry's own
 * `name` wins, as the template writes it after. `null` adds nothing. An entry that is not a non-empty
 * object makes Istio's template write YAML it cannot read: refused here too.
 */
function userEntries(pod: Pod, annotation: string): JsonObject[] {
  const raw = pod.metadata.annotations?.[annotation];
  if (raw === undefined) return [];
  const refuse = (why: string): never => {
    throw new InjectionError('INVALID_ANNOTATION', `invalid value '${clip(raw)}' for annotation '${annotation}': ${why}`, annotation);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return refuse('not JSON');
  }
  const over = treeProblem(doc); // the template writes it out recursively: it must be within the caps
  if (over) refuse(`it ${over.why}`);
  if (doc === null) return [];
  const named: Array<[string, unknown]> = Array.isArray(doc)
    ? doc.map((v, i) => [String(i), v])
    : isObject(doc)
      ? Object.keys(doc)
          .sort()
          .map((k) => [k, (doc as JsonObject)[k]])
      : refuse('want a JSON map of name to object, or a JSON list of objects');
  return named.map(([name, v]) =>
    isObject(v) && Object.keys(v).length > 0 ? { name, ...(v as JsonObject) } : refuse(`entry "${name}" is not a non-empty object`),
  );
}

export function templateData(ctx: RenderContext): Record<string, unknown> {
  const { settings, pod, workload } = ctx;
  const { values, summary } = settings;
  // Istio's proxyImageURL: the annotation when present (even empty), else the image type (ProxyConfig's
  // image.imageType for istio-proxy only, as ProxyImage and ProxyInitImage do), else global.variant
  const annotations = pod.metadata.annotations ?? {};
  const imageTypeAnn = Object.hasOwn(annotations, ANNOTATION.proxyImageType) ? annotations[ANNOTATION.proxyImageType] : undefined;
  const image = ctx.proxyConfig.image;
  const configType = isObject(image) && typeof image.imageType === 'string' ? image.imageType : '';
  const variant = imageTypeAnn ?? (configType || summary.images.variant);
  const initVariant = imageTypeAnn ?? summary.images.variant;
  return {
    typeMeta: { apiVersion: workload.apiVersion, kind: workload.kind, kindPlural: `${workload.kind.toLowerCase()}s` },
    deploymentMeta: { name: workload.name, namespace: workload.namespace || 'default' },
    objectMeta: {
      name: pod.metadata.name ?? '',
      namespace: pod.metadata.namespace ?? '',
      labels: pod.metadata.labels ?? {},
      annotations: pod.metadata.annotations ?? {},
    },
    spec: pod.spec,
    values,
    meshConfig: settings.mesh,
    proxyConfig: ctx.proxyConfig,
    revision: summary.revision,
    nativeSidecars: ctx.nativeSidecars,
    holdProxy: ctx.holdProxy,
    network: ctx.network,
    interceptionMode: ctx.interceptionMode,
    proxyImage: imageUrl(summary.images, summary.images.proxy, variant),
    proxyInitImage: imageUrl(summary.images, summary.images.proxyInit, initVariant),
    proxyUID: 1337,
    proxyGID: 1337,
    inboundTrafficPolicyMode: summary.inboundTrafficPolicyMode,
    userVolumes: userEntries(pod, 'sidecar.istio.io/userVolume'),
    userVolumeMounts: userEntries(pod, 'sidecar.istio.io/userVolumeMount'),
  };
}
