// The dry-run preview: for each object, the decision, the JSON patch for its pod (template) and the
// injected object. The same injectPod the webhook runs, so a preview cannot disagree with an admission;
// and the injected object is the patch applied (validated, by fast-json-patch) as the API server would.
import { CaptureSettingError } from '../capture/errors.ts';
import { captureOfPod } from '../capture/pod.ts';
import { checkBudget } from './budget.ts';
import { clip, clipJson } from './clip.ts';
import { flattenLists, type KubeObject } from './documents.ts';
import { InjectionError, isInjectionError } from './errors.ts';
import { injectPod, type InjectContext } from './inject.ts';
import { MAX_PREVIEW_OBJECTS } from './limits.ts';
import { applyPatch, type Operation } from './patch.ts';
import { checkTree } from './tree-limits.ts';
import { isObject } from './types.ts';
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
  templates: string[];
  notes: string[];
  annotations: string[];
  patch: Operation[];
  injected: KubeObject;
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

export type PreviewContext = Omit<InjectContext, 'namespace' | 'workload'> & { namespace: string };

const NONE = { decidedBy: [], templates: [], notes: [], annotations: [], patch: [] };

function previewOne(obj: KubeObject, ctx: PreviewContext): PreviewItem {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const text = (v: unknown): string => (typeof v === 'string' ? clip(v) : '');
  const base = { object: objectName(obj), kind: typeof obj.kind === 'string' ? clip(obj.kind) : clipJson(obj.kind), name: text(meta.name) || text(meta.generateName) };
  if (!isInjectableKind(obj.kind)) {
    return { ...base, inject: null, reason: 'NO_POD', message: `kind ${clipJson(obj.kind)} has no pod: passed through`, ...NONE, injected: obj };
  }
  const namespace = text(meta.namespace) || ctx.namespace;
  try {
    checkTree(obj, base.object); // parseDocuments checked this already; other callers may not have
    const pod = podOf(obj);
    const r = injectPod(pod, { ...ctx, namespace, workload: workloadOfObject(obj, namespace) });
    const notes = [...r.notes];
    const capture = r.decision.inject ? captureOrNote(r.pod, notes) : undefined;
    return { ...base, inject: r.decision.inject, reason: r.decision.reason, message: r.decision.message, decidedBy: r.decision.decidedBy,
      templates: r.templates, notes, annotations: r.annotationsUsed, patch: r.patch, injected: r.decision.inject ? withPod(obj, applyPatch(pod, r.patch)) : obj,
      ...(capture ? { capture } : {}) };
  } catch (e) {
    // over budget is the whole request's answer, not this object's
    if (!isInjectionError(e) || e.code === 'BUDGET_EXCEEDED') throw e;
    return { ...base, inject: false, reason: 'ERROR', message: e.message, ...NONE, injected: obj, error: { code: e.code, ...(e.subject ? { subject: e.subject } : {}) } };
  }
}

export function previewObjects(objects: KubeObject[], ctx: PreviewContext): PreviewItem[] {
  const flat = flattenLists(objects);
  if (flat.length > MAX_PREVIEW_OBJECTS) {
    throw new InjectionError('LIMIT_EXCEEDED', `a preview takes at most ${MAX_PREVIEW_OBJECTS} objects (the cap MAX_PREVIEW_OBJECTS), got ${flat.length}: split the input`, 'MAX_PREVIEW_OBJECTS');
  }
  return flat.map((obj, i) => {
    checkBudget(ctx, `previewing object ${i + 1} of ${flat.length}`);
    if (!isObject(obj)) {
      const message = `List item ${i + 1} is ${clipJson(obj)}, not a Kubernetes object`;
      return { object: `item ${i + 1}`, kind: '', name: '', inject: false, reason: 'ERROR', message, ...NONE, injected: {}, error: { code: 'INVALID_OBJECT' } };
    }
    return previewOne(obj, ctx);
  });
}
