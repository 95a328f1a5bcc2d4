// Checks of what the templates rendered for a pod, refused at admission naming the annotation that
// caused it, so that a pod the webhook allows never fails later in its own init container or env:
//  - the capture init container's args and env are parsed by the same code our `iptables` command runs
//    (and its rules generated, as `--dry-run` does), so what it would refuse is refused here;
//  - a proxyMetadata key (proxy.istio.io/config) may not name an env var the injected container already
//    sets (POD_NAME, ISTIO_META_CLUSTER_ID, ...): the list is the rendered containers' own env.
import { CaptureSettingError } from '../capture/errors.ts';
import { captureOfPod } from '../capture/pod.ts';
import type { CaptureSettings } from '../capture/settings.ts';
import { CAPTURE_FLAGS } from '../capture/flags.ts';
import { ANNOTATION } from './annotations.ts';
import { clip } from './clip.ts';
import { InjectionError } from './errors.ts';
import { annotationMetadataKeys } from './proxy-config-annotation.ts';
import { isObject, type JsonObject } from './types.ts';

/** The annotations the templates pass on to each capture setting. */
const ANNOTATIONS_OF: Partial<Record<keyof CaptureSettings, readonly string[]>> = {
  outboundIPRanges: [ANNOTATION.includeOutboundIPRanges],
  outboundIPRangesExclude: [ANNOTATION.excludeOutboundIPRanges],
  inboundPorts: [ANNOTATION.includeInboundPorts],
  inboundPortsExclude: [ANNOTATION.excludeInboundPorts, ANNOTATION.statusPort],
  outboundPorts: [ANNOTATION.includeOutboundPorts],
  outboundPortsExclude: [ANNOTATION.excludeOutboundPorts],
  excludeInterfaces: [ANNOTATION.excludeInterfaces],
  rerouteVirtualInterfaces: [ANNOTATION.rerouteVirtualInterfaces, ANNOTATION.kubevirtInterfaces],
  interceptionMode: [ANNOTATION.interceptionMode, ANNOTATION.proxyConfig],
};

function settingOfFlag(flag: string): { key: keyof CaptureSettings; fromEnv: boolean } | undefined {
  for (const f of CAPTURE_FLAGS) {
    if (f.env.includes(flag)) return { key: f.key, fromEnv: true };
    if (`-${f.short}` === flag || `--${f.long}` === flag) return { key: f.key, fromEnv: false };
  }
  return undefined;
}

/** The pod's annotation that made the capture refuse `flag`, if one did. */
function culprit(flag: string, annotations: Record<string, string>, metadataKeys: readonly string[]): string | undefined {
  const setting = settingOfFlag(flag);
  if (setting?.fromEnv) return metadataKeys.includes(flag) ? ANNOTATION.proxyConfig : undefined;
  return (setting && ANNOTATIONS_OF[setting.key]?.find((a) => Object.hasOwn(annotations, a))) ?? undefined;
}

/**
 * `passed`: the init containers of renders that passed the capture check (render/reuse.ts keeps it). A
 * reused render is frozen, its init containers too (and a spliced one shares them), and the check reads
 * nothing else, so its answer cannot change: remembering it saves ~45 us of the ~120 us an admission
 * with a reused render costs.
 */
function checkCapture(
  renders: readonly JsonObject[],
  merged: JsonObject,
  annotations: Record<string, string>,
  metadataKeys: readonly string[],
  passed: WeakSet<object> | undefined,
): void {
  const inits = passed && renders.length === 1 && isObject(renders[0]!.spec) ? renders[0]!.spec.initContainers : undefined;
  const only = typeof inits === 'object' && inits !== null && Object.isFrozen(inits) ? inits : undefined;
  if (only && passed!.has(only)) return;
  try {
    captureOfPod(merged as { spec?: { initContainers?: unknown } });
    if (only) passed!.add(only);
  } catch (e) {
    if (!(e instanceof CaptureSettingError)) throw e;
    const name = culprit(e.flag, annotations, metadataKeys);
    if (name === undefined) {
      throw new InjectionError(
        'TEMPLATE_RENDER',
        `the capture init container the templates rendered would refuse its own arguments: ${clip(e.message, 400)}`,
        e.flag,
      );
    }
    const value = clip(String(annotations[name]));
    throw new InjectionError(
      'INVALID_ANNOTATION',
      `invalid value '${value}' for annotation '${name}': the init container's iptables command would refuse it: ${clip(e.message, 400)}`,
      name,
    );
  }
}

function containersOf(rendered: JsonObject): JsonObject[] {
  const spec = isObject(rendered.spec) ? rendered.spec : {};
  return [spec.containers, spec.initContainers].flatMap((l) => (Array.isArray(l) ? (l.filter(isObject) as JsonObject[]) : []));
}

function checkEnvCollisions(rendered: JsonObject, metadataKeys: readonly string[], setAfterRender: readonly string[]): void {
  if (metadataKeys.length === 0) return;
  const fromAnnotation = new Set(metadataKeys);
  for (const c of containersOf(rendered)) {
    const seen = new Set<string>();
    for (const e of Array.isArray(c.env) ? c.env : []) {
      const name = isObject(e) && typeof e.name === 'string' ? e.name : undefined;
      if (name === undefined) continue;
      const collides = seen.has(name) || (c.name === 'istio-proxy' && setAfterRender.includes(name));
      if (collides && fromAnnotation.has(name)) {
        throw new InjectionError(
          'INVALID_ANNOTATION',
          `invalid value for annotation '${ANNOTATION.proxyConfig}': proxyMetadata key '${clip(name, 100)}' names an env var the injected ${String(c.name)} container already sets`,
          ANNOTATION.proxyConfig,
        );
      }
      seen.add(name);
    }
  }
}

/**
 * `renders`: each template's output, as rendered (merging collapses env entries of the same name, so
 * collisions are looked for here); `merged`: their merge, whose capture init container is what the pod
 * gets. `setAfterRender`: env names post-processing sets on istio-proxy (cluster id, network), which
 * would silently override the pod's. `capturePassed`: see checkCapture.
 */
export function checkRenderedSidecar(
  renders: readonly JsonObject[],
  merged: JsonObject,
  annotations: Record<string, string> | undefined,
  setAfterRender: readonly string[],
  capturePassed?: WeakSet<object>,
): void {
  const ann = annotations ?? {};
  const metadataKeys = annotationMetadataKeys(ann[ANNOTATION.proxyConfig]);
  for (const rendered of renders) checkEnvCollisions(rendered, metadataKeys, setAfterRender);
  checkCapture(renders, merged, ann, metadataKeys, capturePassed);
}
