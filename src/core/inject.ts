// The one entry point the three doors (webhook, preview, CLI) call:
// decide -> validate -> strip a previous injection -> render templates -> merge -> post-process -> diff.
import { ANNOTATION, parseGoBool, refuseDeniedAnnotations, templateList, validateAnnotations } from './annotations.ts';
import { checkBudget, type Budget } from './budget.ts';
import { decide, type Decision } from './decide.ts';
import { clipJson } from './clip.ts';
import { mergeMap } from './merge.ts';
import { createPatch, type Operation } from './patch.ts';
import { parseProxyConfigAnnotation } from './proxy-config-annotation.ts';
import { checkRenderedSidecar } from './rendered-checks.ts';
import { applyProxyEnv, resolveProxyEnv } from './postprocess/cluster-env.ts';
import { adjustInitContainerUser, reapplyOverrides, reinsertOverrides } from './postprocess/overrides.ts';
import { applyProbeRewrite } from './postprocess/probes.ts';
import { applyPrometheusMerge } from './postprocess/prometheus.ts';
import { reorderContainers } from './postprocess/reorder.ts';
import { statusOf, stripPreviousInjection } from './postprocess/status.ts';
import { templateData } from './render/template-data.ts';
import type { Settings } from './settings/index.ts';
import { overlayProxyConfig } from './settings/mesh.ts';
import { getPath } from './settings/schema.ts';
import { isObject, type Container, type JsonObject, type Pod, type WorkloadRef } from './types.ts';
import { workloadOfPod } from './workloads.ts';

/** What one injection needs; `overBudget` (from Budget) lets the edge stop a request that takes too long. */
export interface InjectContext extends Budget {
  settings: Settings;
  /** The request's namespace (pods from generateName have no namespace of their own yet). */
  namespace: string;
  /** Namespace labels when known: adds the webhook-selector step to the decision. */
  namespaceLabels?: Record<string, string>;
  /** The owning workload (kube-inject: the object itself); inferred from ownerReferences when absent. */
  workload?: WorkloadRef;
  /** Env vars from the webhook URL path (`/inject/cluster/c1/net/n1`). */
  urlEnv?: Record<string, string>;
  /** For native sidecars `auto`: whether every node runs kubelet >= 1.33 (unknown = no). */
  nodesSupportNativeSidecars?: boolean;
}

export interface InjectResult {
  decision: Decision;
  /** The pod after injection (equal to the input, minus managedFields, when skipped). */
  pod: Pod;
  patch: Operation[];
  /** Templates that ran, in order. */
  templates: string[];
  nativeSidecars?: boolean;
  /** What else shaped the result: annotations and settings that changed it. */
  notes: string[];
  /** The pod's annotations the injector or its templates read, as `key=value`. */
  annotationsUsed: string[];
}

function rewriteProbes(pod: Pod, settings: Settings, notes: string[]): boolean {
  const ann = pod.metadata.annotations?.[ANNOTATION.rewriteProbes];
  const byAnnotation = ann !== undefined ? parseGoBool(ann) : undefined;
  if (byAnnotation !== undefined) {
    if (!byAnnotation) notes.push(`annotation ${ANNOTATION.rewriteProbes}=${ann} keeps the app's probes as they are`);
    return byAnnotation;
  }
  const v = getPath(settings.values, 'sidecarInjectorWebhook.rewriteAppHTTPProbe') !== false;
  if (!v) notes.push('values sidecarInjectorWebhook.rewriteAppHTTPProbe=false keeps the app\'s probes as they are');
  return v;
}

function templateNames(pod: Pod, settings: Settings): string[] {
  const ann = pod.metadata.annotations?.[ANNOTATION.templates];
  const requested = ann !== undefined ? templateList(ann) : settings.config.defaultTemplates;
  return [...new Set(requested.flatMap((n) => (Object.hasOwn(settings.config.aliases, n) ? settings.config.aliases[n]! : [n])))];
}

function effectiveProxyConfig(pod: Pod, settings: Settings): JsonObject {
  const base = settings.mesh.defaultConfig as JsonObject;
  const raw = pod.metadata.annotations?.[ANNOTATION.proxyConfig];
  if (raw === undefined) return base;
  const doc = parseProxyConfigAnnotation(raw); // validated already
  return isObject(doc) ? overlayProxyConfig(base, doc as JsonObject, `annotation ${ANNOTATION.proxyConfig}: `) : base;
}

function nativeSidecarMode(pod: Pod, ctx: InjectContext, notes: string[]): boolean {
  const ann = pod.metadata.annotations?.[ANNOTATION.nativeSidecar];
  if (ann === 'true' || ann === 'false') {
    notes.push(`annotation ${ANNOTATION.nativeSidecar}=${ann} chose the ${ann === 'true' ? 'native' : 'classic'} sidecar shape`);
    return ann === 'true';
  }
  const mode = ctx.settings.nativeSidecars;
  if (mode === 'auto') return ctx.nodesSupportNativeSidecars === true;
  return mode === 'true';
}

/** Merge one rendered template into the pod (Istio moves a user's istio-proxy to initContainers first in native mode). */
function mergeRendered(pod: JsonObject, rendered: JsonObject): JsonObject {
  const spec = pod.spec as { containers?: Container[]; initContainers?: Container[] } | undefined;
  const rspec = rendered.spec as { initContainers?: Container[] } | undefined;
  if (spec && rspec?.initContainers?.some((c) => isObject(c) && c.name === 'istio-proxy')) {
    const user = spec.containers?.find((c) => c.name === 'istio-proxy');
    if (user) {
      const moved = { ...spec, containers: spec.containers!.filter((c) => c !== user), initContainers: [...(spec.initContainers ?? []), user] };
      return mergeMap({ ...pod, spec: moved as unknown as JsonObject }, rendered);
    }
  }
  return mergeMap(pod, rendered);
}

/**
 * A copy of the parts post-processing edits (the pod, its metadata and their maps, spec, the container
 * lists, each container's own fields); everything deeper stays shared with the input and with reused
 * renders, which are frozen, so an edit that reaches past this shell fails loudly instead of corrupting
 * a later admission.
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

// annotation keys worth reporting: ours and those the templates mention (once per settings)
const KNOWN_KEYS = new WeakMap<Settings, ReadonlySet<string>>();
function knownKeys(settings: Settings): ReadonlySet<string> {
  let known = KNOWN_KEYS.get(settings);
  if (!known) KNOWN_KEYS.set(settings, (known = new Set<string>([...Object.values(ANNOTATION), ...settings.templates.keysRead])));
  return known;
}

/**
 * What the patch is computed against: the pod as received. A pod without metadata (or with `null`) gets
 * one `add /metadata`, since an `add` under a missing /metadata does not apply.
 */
function patchBase(input: Pod, original: Pod): object {
  if (input.metadata !== undefined && input.metadata !== null) return original;
  const { metadata: _none, ...rest } = original;
  return rest;
}

export function injectPod(input: Pod, ctx: InjectContext): InjectResult {
  // never modified below (stripping and merging copy what they change), so a shallow copy without
  // managedFields will do: those can be most of a pod, and they take no part in injection
  const { managedFields: _mf, ...meta } = (input.metadata ?? {}) as Pod['metadata'];
  const original: Pod = { ...input, metadata: meta };
  const namespace = original.metadata?.namespace || ctx.namespace || 'default';
  const { settings } = ctx;
  const decision = decide({
    labels: original.metadata?.labels, annotations: original.metadata?.annotations, hostNetwork: original.spec?.hostNetwork === true,
    namespace, namespaceLabels: ctx.namespaceLabels, config: settings.config, revision: String(settings.values.revision ?? ''),
    enableNamespacesByDefault: getPath(settings.values, 'sidecarInjectorWebhook.enableNamespacesByDefault') === true,
  });
  if (!decision.inject) return { decision, pod: original, patch: [], templates: [], notes: [], annotationsUsed: [] };

  checkBudget(ctx, 'validating annotations');
  refuseDeniedAnnotations(original.metadata.annotations, settings.config.deniedAnnotations);
  validateAnnotations(original.metadata.annotations, knownKeys(settings));
  const notes: string[] = [];
  // As Istio does: templates see the pod with any previous injection stripped, but are merged onto the
  // pod as received, so a re-injection updates the old containers in place (idempotent).
  // a shallow copy is enough: stripping and reinserting replace lists and delete annotation keys, never edit in place
  const stripped: Pod = { ...original, metadata: { ...original.metadata, annotations: { ...(original.metadata.annotations ?? {}) } }, spec: { ...original.spec } };
  const meshStatusPort = Number(getPath(settings.mesh, 'defaultConfig.statusPort') ?? 15020);
  const previous = stripPreviousInjection(stripped, String(meshStatusPort));
  if (previous) notes.push('the pod was injected before: the injection was redone over it');
  reinsertOverrides(stripped);

  const proxyConfig = effectiveProxyConfig(stripped, settings);
  const native = nativeSidecarMode(stripped, ctx, notes);
  const hold = getPath(proxyConfig, 'holdApplicationUntilProxyStarts') === true || getPath(settings.values, 'global.proxy.holdApplicationUntilProxyStarts') === true;
  const workload = ctx.workload ?? workloadOfPod(stripped, namespace);
  const proxyEnv = resolveProxyEnv({
    clusterName: String(getPath(settings.values, 'global.multiCluster.clusterName') ?? ''), network: String(getPath(settings.values, 'global.network') ?? ''),
    urlEnv: ctx.urlEnv ?? {}, networkLabel: stripped.metadata.labels?.['topology.istio.io/network'],
  });
  const network = proxyEnv.ISTIO_META_NETWORK ?? '';
  const data = templateData({ settings, pod: stripped, workload, proxyConfig, nativeSidecars: native, holdProxy: hold && !native, network });

  const names = templateNames(stripped, settings);
  let templatePod: JsonObject = {};
  let merged = original as unknown as JsonObject;
  const renders: JsonObject[] = [];
  for (const name of names) {
    checkBudget(ctx, `rendering template ${JSON.stringify(name)}`);
    const rendered = settings.templates.render(name, data);
    renders.push(rendered);
    templatePod = mergeMap(templatePod, rendered);
    merged = mergeRendered(merged, rendered);
  }
  checkRenderedSidecar(renders, templatePod, stripped.metadata.annotations, Object.keys(proxyEnv));
  checkBudget(ctx, 'post-processing the injected pod');
  const reapplied = reapplyOverrides(editableShell(merged as unknown as Pod), original, templatePod as { spec?: Record<string, Container[]> });
  if (reapplied.overridden.length) notes.push(`the pod's own ${reapplied.overridden.join(', ')} container(s) override the injected one(s)`);
  const out = reapplied.pod;
  adjustInitContainerUser(out, String(stripped.metadata.annotations?.[ANNOTATION.interceptionMode] ?? proxyConfig.interceptionMode ?? 'REDIRECT'));
  out.metadata.annotations ??= {};
  out.spec.containers ??= [];

  const proxy = [...out.spec.containers, ...(out.spec.initContainers ?? [])].find((c) => c.name === 'istio-proxy');
  if (proxy) applyProxyEnv(proxy, proxyEnv);
  const prom = applyPrometheusMerge(out, { statusPort: meshStatusPort, meshEnablesMerge: getPath(settings.mesh, 'enablePrometheusMerge') !== false, proxy });
  if (prom) notes.push(prom);
  if (proxy && rewriteProbes(out, settings, notes)) {
    const statusPort = Number(out.metadata.annotations[ANNOTATION.statusPort] ?? meshStatusPort);
    const n = applyProbeRewrite(out, proxy, statusPort, out.metadata.annotations[ANNOTATION.status] !== undefined, ctx);
    if (n > 0) notes.push(`${n} app probe(s) and lifecycle hook(s) now go through the agent on port ${statusPort}`);
  }

  out.metadata.annotations[ANNOTATION.status] = statusOf(templatePod as { spec?: Record<string, unknown> }, String(settings.values.revision ?? ''));
  Object.assign(out.metadata.annotations, settings.config.injectedAnnotations);
  if (network && !out.metadata.labels?.['topology.istio.io/network']) out.metadata.labels = { ...(out.metadata.labels ?? {}), 'topology.istio.io/network': network };
  reorderContainers(out, hold && !native);
  if (out.spec.initContainers?.length === 0 && original.spec.initContainers === undefined) delete out.spec.initContainers;

  const known = knownKeys(settings);
  const annotationsUsed = Object.entries(original.metadata.annotations ?? {}).filter(([k]) => known.has(k) && k !== ANNOTATION.status).map(([k, v]) => `${k}=${clipJson(v)}`);
  checkBudget(ctx, 'computing the patch');
  return { decision, pod: out, patch: createPatch(patchBase(input, original), out), templates: names, nativeSidecars: native, notes, annotationsUsed };
}
