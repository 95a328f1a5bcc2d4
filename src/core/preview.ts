// The dry-run preview: for each object, the decision, the JSON patch for its pod (template) and the
// injected object. The same injectPod the webhook runs, so a preview cannot disagree with an admission;
// and the injected object is the patch applied (validated, by fast-json-patch) as the API server would.
// Its per-object loop is also the CLI's: `explain` formats the items, `inject` writes their objects.
import { CaptureSettingError } from '../capture/errors.ts';
import { captureOfPod } from '../capture/pod.ts';
import { annotationEffects } from './annotation-effects.ts';
import { checkBudget } from './budget.ts';
import { clip, clipJson } from './clip.ts';
import { isList, type KubeObject } from './documents.ts';
import { InjectionError, isInjectionError } from './errors.ts';
import { injectPod, type InjectContext, type InjectResult } from './inject.ts';
import { MAX_PREVIEW_OBJECTS } from './limits.ts';
import { applyPatch, type Operation } from './patch.ts';
import { checkTree } from './tree-limits.ts';
import { podWarnings } from './pod-warnings.ts';
import { isObject, type Pod } from './types.ts';
import type { WebhookRef } from './webhooks/match.ts';
import { isInjectableKind, objectName, podOf, withPod, workloadOfObject } from './workloads.ts';

export interface PreviewItem {
  object: string;
  kind: string;
  name: string;
  /** null: the kind has no pod, so it passes through. */
  inject: boolean | null;
  reason: string;
  message: string;
  decidedBy: string[];
  /** The webhook entry the API server would call; absent when the namespace's labels are not known. */
  webhook?: WebhookRef | null;
  /** Other entries it would call too (the pod injected twice). */
  alsoMatched?: WebhookRef[];
  templates: string[];
  notes: string[];
  annotations: string[];
  patch: Operation[];
  injected: KubeObject;
  /** Injected: the sidecar's shape (native: an init container with restartPolicy Always), and why. */
  sidecar?: { mode: 'native' | 'classic'; why: string };
  /** What the user should fix or know before applying: a Job that never completes, unknown Istio annotations, ports the proxy takes, another namespace. */
  warnings: string[];
  /** The traffic capture the injected pod will set up: iptables-restore input per family, from its init container. */
  capture?: { container: string; runner: 'istio' | 'native'; ipv4: string; ipv6?: string; routes: string[][] };
  error?: { code: string; subject?: string };
}

export function captureSummary(pod: { spec?: { initContainers?: unknown } }): PreviewItem['capture'] {
  const c = captureOfPod(pod);
  if (!c) return undefined;
  return { container: c.container, runner: c.runner, ipv4: c.rules.ipv4, ...(c.rules.ipv6 ? { ipv6: c.rules.ipv6 } : {}), routes: c.rules.routes };
}

/**
 * The capture summary, or a note when the pod's own istio-init (an override, maybe not istio-iptables at
 * all, so the webhook lets it be) has args that cannot be read as istio-iptables flags.
 */
export function captureOrNote(pod: { spec?: { initContainers?: unknown } }, notes: string[]): PreviewItem['capture'] {
  try {
    return captureSummary(pod);
  } catch (e) {
    if (!(e instanceof CaptureSettingError)) throw e;
    notes.push(`the capture init container's arguments cannot be read as istio-iptables flags: ${clip(e.message, 400)}`);
    return undefined;
  }
}

export type PreviewContext = Omit<InjectContext, 'namespace' | 'workload'> & {
  namespace: string;
  /** The namespace was asked for (a query's or -n), so an object in another one is worth a warning. */
  namespaceExplicit?: boolean;
};

/** How an injected object is built from its injection: the doors differ here, and only here. */
export type InjectedObject = (obj: KubeObject, pod: Pod, result: InjectResult) => KubeObject;

/** The patch applied to the pod as received, validated as the API server applies it: what /preview and `explain` show. */
export const patchApplied: InjectedObject = (obj, pod, r) => withPod(obj, applyPatch(pod, r.patch));

/** The injector's own pod put in place: what `inject` writes (in istioctl kube-inject's key order). */
export const injectorPod: InjectedObject = (obj, _pod, r) => withPod(obj, r.pod);

const NONE = { decidedBy: [], templates: [], notes: [], annotations: [], warnings: [], patch: [] };

function previewOne(obj: KubeObject, ctx: PreviewContext, opts: EachOptions): PreviewItem {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const text = (v: unknown): string => (typeof v === 'string' ? clip(v) : '');
  const base = {
    object: objectName(obj),
    kind: typeof obj.kind === 'string' ? clip(obj.kind) : clipJson(obj.kind),
    name: text(meta.name) || text(meta.generateName),
  };
  if (!isInjectableKind(obj.kind)) {
    return { ...base, inject: null, reason: 'NO_POD', message: `kind ${clipJson(obj.kind)} has no pod: passed through`, ...NONE, injected: obj };
  }
  const own = text(meta.namespace);
  const namespace = own || ctx.namespace;
  const otherNamespace = own !== '' && own !== ctx.namespace && (ctx.namespaceExplicit === true || ctx.namespaceLabels !== undefined);
  try {
    checkTree(obj, base.object); // parseDocuments checked this already; other callers may not have
    const pod = podOf(obj);
    // the namespace labels known are the asked namespace's, not this one's: its selectors are not evaluated
    const ictx = { ...ctx, namespace, workload: workloadOfObject(obj, namespace), ...(otherNamespace ? { namespaceLabels: undefined } : {}) };
    const r = injectPod(pod, ictx);
    const notes = [...r.notes];
    const capture = r.decision.inject && opts.capture !== false ? captureOrNote(r.pod, notes) : undefined;
    const effects = r.decision.inject && opts.effects !== false ? annotationEffects(pod, ictx, r) : undefined;
    if (effects) notes.push(...effects.ignored);
    const warnings = [
      ...(otherNamespace ? [namespaceWarning(own, ctx.namespace, ctx.namespaceLabels !== undefined)] : []),
      ...podWarnings({
        kind: base.kind,
        objectAnnotations: meta.annotations,
        pod,
        native: r.decision.inject ? r.nativeSidecars === true : undefined,
        statusPort: ctx.settings.summary.statusPort,
        templateKeys: ctx.settings.summary.reportedAnnotationKeys,
      }),
    ];
    return {
      ...base,
      inject: r.decision.inject,
      reason: r.decision.reason,
      message: r.decision.message,
      decidedBy: r.decision.decidedBy,
      ...(r.decision.webhook !== undefined ? { webhook: r.decision.webhook } : {}),
      ...(r.decision.alsoMatched ? { alsoMatched: r.decision.alsoMatched } : {}),
      templates: r.templates,
      notes,
      annotations: effects?.changed ?? r.annotationsUsed,
      warnings,
      ...(r.decision.inject ? { sidecar: { mode: r.nativeSidecars ? ('native' as const) : ('classic' as const), why: r.nativeWhy ?? '' } } : {}),
      patch: r.patch,
      injected: r.decision.inject ? (opts.injected ?? patchApplied)(obj, pod, r) : obj,
      ...(capture ? { capture } : {}),
    };
  } catch (e) {
    // over budget is the whole request's answer, not this object's
    if (!isInjectionError(e) || e.code === 'BUDGET_EXCEEDED') throw e;
    return {
      ...base,
      inject: false,
      reason: 'ERROR',
      message: e.message,
      ...NONE,
      injected: obj,
      error: { code: e.code, ...(e.subject ? { subject: e.subject } : {}) },
    };
  }
}

/** Options of the per-object loop: how the injected object is built; `inject` needs neither the capture nor the annotations' effects. */
export interface EachOptions {
  injected?: InjectedObject;
  capture?: boolean;
  /** Inject again without each annotation read, to list only those that changed the result (annotation-effects.ts). */
  effects?: boolean;
}

function namespaceWarning(own: string, asked: string, labelsKnown: boolean): string {
  const labels = labelsKnown
    ? `; the namespace labels known are "${asked}"'s, so the webhook's namespace selectors were not evaluated (ask for namespace "${own}")`
    : '';
  return `metadata.namespace "${own}" differs from the namespace asked for ("${asked}"): decided for "${own}", where the API server would create it${labels}`;
}

/**
 * The per-object loop of every door (/preview, `explain`, `inject`): Lists opened, one item per object in
 * order, as the objects come (the CLI writes each answer as it is made); an object's error an item of its
 * own (each door decides what an error means for the rest). Bounded by the documents' MAX_OBJECTS and the
 * budget; /preview adds its own cap (previewObjects).
 */
export function* previewEach(objects: Iterable<KubeObject>, ctx: PreviewContext, opts: EachOptions = {}): Generator<PreviewItem> {
  let i = 0;
  for (const top of objects) {
    for (const obj of isList(top) ? (top.items as unknown[]) : [top]) {
      checkBudget(ctx, `previewing object ${++i}`);
      yield isObject(obj) ? previewOne(obj, ctx, opts) : notAnObject(obj, i);
    }
  }
}

function notAnObject(obj: unknown, i: number): PreviewItem {
  return {
    object: `item ${i}`,
    kind: '',
    name: '',
    inject: false,
    reason: 'ERROR',
    message: `List item ${i} is ${clipJson(obj)}, not a Kubernetes object`,
    ...NONE,
    injected: {},
    error: { code: 'INVALID_OBJECT' },
  };
}

/** The /preview answer's items: at most MAX_PREVIEW_OBJECTS objects, since each item carries its injected object. */
export function previewObjects(objects: KubeObject[], ctx: PreviewContext): PreviewItem[] {
  const count = objects.reduce((n, o) => n + (isList(o) ? (o.items as unknown[]).length : 1), 0);
  if (count > MAX_PREVIEW_OBJECTS) {
    throw new InjectionError(
      'LIMIT_EXCEEDED',
      `a preview takes at most ${MAX_PREVIEW_OBJECTS} objects (the cap MAX_PREVIEW_OBJECTS), got ${count}: split the input`,
      'MAX_PREVIEW_OBJECTS',
    );
  }
  return [...previewEach(objects, ctx)];
}
