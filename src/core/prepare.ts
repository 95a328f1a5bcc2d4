// injectPod's second stage: what the templates see. As Istio does, templates see the pod with any
// previous injection stripped (and the overrides it saved put back), but are merged onto the pod as
// received, so a re-injection updates the old containers in place (idempotent). Everything the later
// stages need to know about the pod and its proxy is worked out here, once.
import { clipJson } from './clip.ts';
import { ANNOTATION } from './annotations.ts';
import { effectiveProxyConfig } from './effective-proxy-config.ts';
import type { InjectContext, Prepared } from './inject-types.ts';
import { detectNativeSidecars, type NativeVerdict } from './native-sidecars.ts';
import { resolveProxyEnv } from './postprocess/cluster-env.ts';
import { reinsertOverrides } from './postprocess/overrides.ts';
import { stripPreviousInjection } from './postprocess/status.ts';
import type { JsonObject, Pod } from './types.ts';
import { workloadOfPod } from './workloads.ts';

/** Native or classic sidecar, and why (for explain): the pod's annotation, else the setting, else the nodes' kubelets. */
function nativeSidecarMode(pod: Pod, ctx: InjectContext, notes: string[]): NativeVerdict {
  // As Istio's template reads it: any value but "false" means native ("0" and "no" included); empty means unset
  const ann = pod.metadata.annotations?.[ANNOTATION.nativeSidecar];
  if (ann !== undefined && ann !== '') {
    const native = ann !== 'false';
    const why = `annotation ${ANNOTATION.nativeSidecar}=${clipJson(ann)}`;
    notes.push(`${why} chose the ${native ? 'native' : 'classic'} sidecar shape`);
    return { native, why };
  }
  const mode = ctx.settings.nativeSidecars;
  if (mode !== 'auto') return { native: mode === 'true', why: `the setting --native-sidecars ${mode}` };
  const { clusterName } = ctx.settings.summary;
  const { native, why } = detectNativeSidecars({
    nodes: ctx.nodes,
    nodeName: typeof pod.spec?.nodeName === 'string' ? pod.spec.nodeName : undefined,
    requestCluster: ctx.urlEnv?.ISTIO_META_CLUSTER_ID || clusterName,
    localCluster: clusterName,
  });
  notes.push(`native sidecars auto: ${native ? 'native' : 'classic'}, since ${why}`);
  return { native, why: `native sidecars auto: ${why}` };
}

/**
 * As the templates' `annotation` filter reads it: the annotation when present (even empty), else the
 * proxy config's mode ('' when that was removed with `interceptionMode: null`).
 */
function interceptionModeOf(pod: Pod, proxyConfig: JsonObject): string {
  const annotations = pod.metadata.annotations ?? {};
  if (Object.hasOwn(annotations, ANNOTATION.interceptionMode)) return annotations[ANNOTATION.interceptionMode]!;
  const mode = proxyConfig.interceptionMode;
  return mode === undefined || mode === null ? '' : String(mode);
}

export function preparePod(original: Pod, namespace: string, ctx: InjectContext, notes: string[]): Prepared {
  const { settings } = ctx;
  const { summary } = settings;
  // a shallow copy is enough: stripping and reinserting replace lists and delete annotation keys, never edit in place
  const stripped: Pod = {
    ...original,
    metadata: { ...original.metadata, annotations: { ...(original.metadata.annotations ?? {}) } },
    spec: { ...original.spec },
  };
  if (stripPreviousInjection(stripped, String(summary.statusPort))) notes.push('the pod was injected before: the injection was redone over it');
  reinsertOverrides(stripped);

  // Istio resolves it from the pod as received (its labels select ProxyConfig resources)
  const { proxyConfig, notes: configNotes } = effectiveProxyConfig({
    settings,
    namespace,
    labels: original.metadata.labels,
    annotations: original.metadata.annotations,
    proxyConfigs: ctx.proxyConfigs,
  });
  notes.push(...configNotes);
  const sidecarMode = nativeSidecarMode(stripped, ctx, notes);
  const nativeSidecars = sidecarMode.native;
  const holdProxy = (proxyConfig.holdApplicationUntilProxyStarts === true || summary.holdApplication) && !nativeSidecars;
  const workload = ctx.workload ?? workloadOfPod(stripped, namespace);
  const proxyEnv = resolveProxyEnv({
    clusterName: summary.clusterName,
    network: summary.network,
    urlEnv: ctx.urlEnv ?? {},
    networkLabel: stripped.metadata.labels?.['topology.istio.io/network'],
  });
  const network = proxyEnv.ISTIO_META_NETWORK ?? '';
  const interceptionMode = interceptionModeOf(stripped, proxyConfig);
  const render = { settings, pod: stripped, workload, proxyConfig, nativeSidecars, holdProxy, network, interceptionMode };
  return { stripped, proxyConfig, nativeSidecars, nativeWhy: sidecarMode.why, holdProxy, interceptionMode, proxyEnv, network, render };
}
