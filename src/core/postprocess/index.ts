// injectPod's fourth stage: what Istio does to the merged pod after templating, in its order: the
// user's overrides, the init container's user, cluster env, Prometheus merge, probe rewrite, the status
// annotation and labels, container order.
import { ANNOTATION, parseGoBool } from '../annotations.ts';
import type { InjectContext, Prepared, RenderedPod } from '../inject-types.ts';
import type { Settings } from '../settings/index.ts';
import type { Container, Pod } from '../types.ts';
import { applyProxyEnv } from './cluster-env.ts';
import { adjustInitContainerUser, reapplyOverrides } from './overrides.ts';
import { applyProbeRewrite } from './probes.ts';
import { applyPrometheusMerge } from './prometheus.ts';
import { reorderContainers } from './reorder.ts';
import { dropZeroProbeFields, keepOriginalSpelling } from './spelling.ts';
import { statusOf } from './status.ts';

type TemplatePod = { spec?: Record<string, Container[]> };

/**
 * A copy of the parts post-processing edits (the pod, its metadata and their maps, spec, the container
 * lists, each container's own fields); everything deeper stays shared with the input and with reused
 * renders, which are frozen (render/reuse.ts), so an edit reaching past this shell throws.
 */
function editableShell(pod: Pod): Pod {
  const meta = { ...(pod.metadata ?? {}) } as Pod['metadata'];
  if (meta.annotations) meta.annotations = { ...meta.annotations };
  if (meta.labels) meta.labels = { ...meta.labels };
  const spec = { ...pod.spec };
  if (spec.containers) spec.containers = spec.containers.map((c) => ({ ...c }));
  if (spec.initContainers) spec.initContainers = spec.initContainers.map((c) => ({ ...c }));
  return { ...pod, metadata: meta, spec };
}

function rewriteProbesWanted(pod: Pod, settings: Settings, notes: string[]): boolean {
  const ann = pod.metadata.annotations?.[ANNOTATION.rewriteProbes];
  const byAnnotation = ann !== undefined ? parseGoBool(ann) : undefined;
  if (byAnnotation !== undefined) {
    if (!byAnnotation) notes.push(`annotation ${ANNOTATION.rewriteProbes}=${ann} keeps the app's probes as they are`);
    return byAnnotation;
  }
  const v = settings.summary.rewriteProbes;
  if (!v) notes.push("values sidecarInjectorWebhook.rewriteAppHTTPProbe=false keeps the app's probes as they are");
  return v;
}

function rewriteProbes(out: Pod, proxy: Container, ctx: InjectContext, notes: string[]): void {
  if (!rewriteProbesWanted(out, ctx.settings, notes)) return;
  const annotations = out.metadata.annotations ?? {}; // always there: postProcess made sure
  const statusPort = Number(annotations[ANNOTATION.statusPort] ?? ctx.settings.summary.statusPort);
  const n = applyProbeRewrite(out, proxy, statusPort, annotations[ANNOTATION.status] !== undefined, ctx);
  if (n > 0) notes.push(`${n} app probe(s) and lifecycle hook(s) now go through the agent on port ${statusPort}`);
}

/** The status annotation (what this injection added), the configured annotations, the network label. */
function markInjected(out: Pod, templatePod: TemplatePod, network: string, settings: Settings): void {
  out.metadata.annotations![ANNOTATION.status] = statusOf(templatePod, settings.summary.revision);
  Object.assign(out.metadata.annotations!, settings.config.injectedAnnotations);
  if (network && !out.metadata.labels?.['topology.istio.io/network'])
    out.metadata.labels = { ...(out.metadata.labels ?? {}), 'topology.istio.io/network': network };
}

export function postProcess(original: Pod, prep: Prepared, rendered: RenderedPod, ctx: InjectContext, notes: string[]): Pod {
  const templatePod = rendered.templatePod as TemplatePod;
  const reapplied = reapplyOverrides(editableShell(rendered.merged as unknown as Pod), original, templatePod);
  if (reapplied.overridden.length) notes.push(`the pod's own ${reapplied.overridden.join(', ')} container(s) override the injected one(s)`);
  const out = reapplied.pod;
  // the pod's own istio-proxy, not one a previous injection left (re-injection leaves the pod as it is)
  adjustInitContainerUser(out, prep.stripped, String(prep.proxyConfig.interceptionMode ?? ''));
  out.metadata.annotations ??= {};
  out.spec.containers ??= [];

  const proxy = [...out.spec.containers, ...(out.spec.initContainers ?? [])].find((c) => c.name === 'istio-proxy');
  if (proxy) {
    applyProxyEnv(proxy, prep.proxyEnv);
    dropZeroProbeFields(proxy);
  }
  const { summary } = ctx.settings;
  const prom = applyPrometheusMerge(out, { statusPort: summary.statusPort, meshEnablesMerge: summary.prometheusMerge, proxy });
  if (prom) notes.push(prom);
  if (proxy) rewriteProbes(out, proxy, ctx, notes);

  markInjected(out, templatePod, prep.network, ctx.settings);
  // Istio orders by the mesh's and values' hold (with the pod's proxy config), native or not
  reorderContainers(out, prep.proxyConfig.holdApplicationUntilProxyStarts === true || ctx.settings.summary.holdApplication);
  if (out.spec.initContainers?.length === 0 && original.spec.initContainers === undefined) delete out.spec.initContainers;
  keepOriginalSpelling(out, original);
  return out;
}
