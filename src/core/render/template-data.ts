// What a render is computed from (the pod, its workload, the settings and what the injector decided
// before templating), and the image URLs Istio computes in Go; gotemplate/data builds Istio's
// SidecarTemplateData from it.
import { ANNOTATION } from '../annotations.ts';
import type { Settings } from '../settings/index.ts';
import type { ImageSettings } from '../settings/summary.ts';
import type { JsonObject, Pod, WorkloadRef } from '../types.ts';

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
