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

/**
 * `<hub>/<image>:<tag>[-type]`, as Istio's proxyImageURL builds it: the image type is the one given (the
 * proxy config's, for the proxy only), else values global.variant; the pod's sidecar.istio.io/proxyImageType
 * wins when present, even empty. The template uses an image with a slash as it is, as Istio's does.
 */
export function imageUrl(images: ImageSettings, image: string, givenType: string, annotations: Record<string, string>): string {
  let imageType = givenType || images.variant;
  if (Object.hasOwn(annotations, ANNOTATION.proxyImageType)) imageType = annotations[ANNOTATION.proxyImageType]!;
  let tag = images.tag;
  if (imageType !== '') {
    tag = tag.replace(VARIANT_SUFFIX, '');
    if (imageType !== 'default') tag = `${tag}-${imageType}`;
  }
  return `${images.hub}/${image}:${tag}`;
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
  const image = ctx.proxyConfig.image;
  const annotations = pod.metadata.annotations ?? {};
  // a ProxyConfig's image.imageType is the proxy's alone: istio-init keeps the values' variant (Istio's ProxyInitImage)
  const proxyImageType = String((isObject(image) ? image.imageType : undefined) ?? '');
  return {
    typeMeta: { apiVersion: workload.apiVersion, kind: workload.kind, kindPlural: `${workload.kind.toLowerCase()}s` },
    deploymentMeta: { name: workload.name, namespace: workload.namespace },
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
    proxyImage: imageUrl(summary.images, summary.images.proxy, proxyImageType, annotations),
    proxyInitImage: imageUrl(summary.images, summary.images.proxyInit, '', annotations),
    proxyUID: 1337,
    proxyGID: 1337,
    inboundTrafficPolicyMode: summary.inboundTrafficPolicyMode,
    userVolumes: userEntries(pod, 'sidecar.istio.io/userVolume'),
    userVolumeMounts: userEntries(pod, 'sidecar.istio.io/userVolumeMount'),
  };
}
