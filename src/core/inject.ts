// The one entry point the three doors (webhook, preview, CLI) call, as its pipeline:
// decide -> prepare (validate, strip a previous injection) -> render and merge -> post-process -> diff.
import { ANNOTATION, refuseDeniedAnnotations, templateList, validateAnnotations } from './annotations.ts';
import { checkBudget } from './budget.ts';
import { decide, type Decision } from './decide.ts';
import { clipJson } from './clip.ts';
import { describeWebhook } from './webhooks/match.ts';
import { mergeMap, type MergeMemo } from './merge.ts';
import type { InjectContext, InjectResult, Prepared, RenderedPod } from './inject-types.ts';
import { createPatch } from './patch.ts';
import { postProcess } from './postprocess/index.ts';
import { preparePod } from './prepare.ts';
import { brokenTemplateError } from './render/compile.ts';
import { checkRenderedSidecar } from './rendered-checks.ts';
import type { Settings } from './settings/index.ts';
import { isObject, type Container, type JsonObject, type Pod } from './types.ts';

export type { InjectContext, InjectResult } from './inject-types.ts';

/** The templates a pod asks for, aliases expanded; a broken one (or alias) refuses the pod, naming it. */
function templateNames(pod: Pod, settings: Settings): string[] {
  const ann = pod.metadata.annotations?.[ANNOTATION.templates];
  const requested = ann !== undefined ? templateList(ann) : settings.config.defaultTemplates;
  const names = [...new Set(requested.flatMap((n) => (Object.hasOwn(settings.config.aliases, n) ? settings.config.aliases[n]! : [n])))];
  const broken = settings.brokenTemplates;
  for (const n of [...requested, ...names]) if (Object.hasOwn(broken, n)) throw brokenTemplateError(n, broken[n]!);
  return names;
}

/** Merge one rendered template into the pod (Istio moves a user's istio-proxy to initContainers first in native mode). */
function mergeRendered(pod: JsonObject, rendered: JsonObject, memo: MergeMemo | undefined): JsonObject {
  const spec = pod.spec as { containers?: Container[]; initContainers?: Container[] } | undefined;
  const rspec = rendered.spec as { initContainers?: Container[] } | undefined;
  if (spec && rspec?.initContainers?.some((c) => isObject(c) && c.name === 'istio-proxy')) {
    const user = spec.containers?.find((c) => c.name === 'istio-proxy');
    if (user) {
      const moved = { ...spec, containers: spec.containers!.filter((c) => c !== user), initContainers: [...(spec.initContainers ?? []), user] };
      return mergeMap({ ...pod, spec: moved as unknown as JsonObject }, rendered, '', memo);
    }
  }
  return mergeMap(pod, rendered, '', memo);
}

function decideFor(pod: Pod, namespace: string, ctx: InjectContext): Decision {
  const { config, summary } = ctx.settings;
  return decide({
    labels: pod.metadata?.labels,
    annotations: pod.metadata?.annotations,
    hostNetwork: pod.spec?.hostNetwork === true,
    namespace,
    namespaceLabels: ctx.namespaceLabels,
    config,
    revision: summary.revision,
    enableNamespacesByDefault: summary.enableNamespacesByDefault,
    webhooks: ctx.webhooks,
  });
}

/** What the decision's webhook match adds: another revision's entry decides as ours would, and a second webhook injects twice. */
function webhookNotes(decision: Decision, revision: string | undefined): string[] {
  const notes: string[] = [];
  const w = decision.webhook;
  if (w && w.revision !== (revision || 'default'))
    notes.push(`decided as revision ${w.revision} would, assuming its settings equal these (revision ${revision || 'default'})`);
  for (const also of decision.alsoMatched ?? [])
    notes.push(`the API server would also call ${describeWebhook(also)}: the pod would be injected twice`);
  return notes;
}

function validate(pod: Pod, settings: Settings): void {
  refuseDeniedAnnotations(pod.metadata.annotations, settings.summary.deniedAnnotations);
  validateAnnotations(pod.metadata.annotations, settings.summary.reportedAnnotationKeys);
}

/** Renders each template the pod asks for and merges it: into the templates' own pod, and onto the pod. */
function renderTemplates(original: Pod, prep: Prepared, ctx: InjectContext): RenderedPod {
  const { templates } = ctx.settings;
  const names = templateNames(prep.stripped, ctx.settings);
  let templatePod: JsonObject = {};
  let merged = original as unknown as JsonObject;
  const renders: JsonObject[] = [];
  for (const name of names) {
    checkBudget(ctx, `rendering template ${JSON.stringify(name)}`);
    const rendered = templates.render(name, prep.render);
    renders.push(rendered);
    templatePod = mergeMap(templatePod, rendered, '', templates.memo.mergedOntoNothing);
    merged = mergeRendered(merged, rendered, templates.memo.mergedOntoNothing);
  }
  checkRenderedSidecar(renders, templatePod, prep.stripped.metadata.annotations, Object.keys(prep.proxyEnv), templates.memo.capturePassed);
  return { names, templatePod, merged };
}

/** The pod's annotations the injector or its templates read, as `key=value`. */
function annotationsUsed(pod: Pod, settings: Settings): string[] {
  const known = settings.summary.reportedAnnotationKeys;
  return Object.entries(pod.metadata.annotations ?? {})
    .filter(([k]) => known.has(k) && k !== ANNOTATION.status)
    .map(([k, v]) => `${k}=${clipJson(v)}`);
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

/**
 * The pod as received, without managedFields (those can be most of a pod, and take no part in
 * injection). Never modified after (stripping and merging copy what they change): a shallow copy will do.
 */
function withoutManagedFields(input: Pod): Pod {
  const { managedFields: _mf, ...meta } = (input.metadata ?? {}) as Pod['metadata'];
  return { ...input, metadata: meta };
}

export function injectPod(input: Pod, ctx: InjectContext): InjectResult {
  const original = withoutManagedFields(input);
  const namespace = original.metadata?.namespace || ctx.namespace || 'default';
  const decision = decideFor(original, namespace, ctx);
  const notes = webhookNotes(decision, ctx.settings.summary.revision);
  if (!decision.inject) return { decision, pod: original, patch: [], templates: [], notes, annotationsUsed: [] };

  checkBudget(ctx, 'validating annotations');
  validate(original, ctx.settings);
  const prep = preparePod(original, namespace, ctx, notes);
  const rendered = renderTemplates(original, prep, ctx);
  checkBudget(ctx, 'post-processing the injected pod');
  const pod = postProcess(original, prep, rendered, ctx, notes);
  const used = annotationsUsed(original, ctx.settings);
  checkBudget(ctx, 'computing the patch');
  const patch = createPatch(patchBase(input, original), pod);
  return {
    decision,
    pod,
    patch,
    templates: rendered.names,
    nativeSidecars: prep.nativeSidecars,
    nativeWhy: prep.nativeWhy,
    notes,
    annotationsUsed: used,
  };
}
