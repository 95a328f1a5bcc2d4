// The dry-run preview: for each object, the decision, the JSON patch for its pod (template) and the
// injected object. The same injectPod the webhook runs, so a preview cannot disagree with an admission;
// and the injected object is the patch applied (validated, by fast-json-patch) as the API server would.
import { captureOfPod } from '../capture/pod.ts';
import { isList, type KubeObject } from './documents.ts';
import { isInjectionError } from './errors.ts';
import { injectPod, type InjectContext } from './inject.ts';
import { applyPatch, type Operation } from './patch.ts';
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

export type PreviewContext = Omit<InjectContext, 'namespace' | 'workload'> & { namespace: string };

export function previewObjects(objects: KubeObject[], ctx: PreviewContext): PreviewItem[] {
  const flat = objects.flatMap((o) => (isList(o) ? (o.items as KubeObject[]) : [o]));
  return flat.map((obj) => {
    const meta = (obj.metadata ?? {}) as { name?: string; generateName?: string; namespace?: string };
    const base = { object: objectName(obj), kind: String(obj.kind), name: meta.name ?? meta.generateName ?? '' };
    const none = { decidedBy: [], templates: [], notes: [], annotations: [], patch: [] };
    if (!isInjectableKind(obj.kind)) {
      return { ...base, inject: null, reason: 'NO_POD', message: `kind ${String(obj.kind)} has no pod: passed through`, ...none, injected: obj };
    }
    const namespace = meta.namespace || ctx.namespace;
    try {
      const pod = podOf(obj);
      const r = injectPod(pod, { ...ctx, namespace, workload: workloadOfObject(obj, namespace) });
      return { ...base, inject: r.decision.inject, reason: r.decision.reason, message: r.decision.message, decidedBy: r.decision.decidedBy,
        templates: r.templates, notes: r.notes, annotations: r.annotationsUsed, patch: r.patch, injected: r.decision.inject ? withPod(obj, applyPatch(pod, r.patch)) : obj,
        ...(r.decision.inject ? { capture: captureSummary(r.pod) } : {}) };
    } catch (e) {
      if (!isInjectionError(e)) throw e;
      return { ...base, inject: false, reason: 'ERROR', message: e.message, ...none, injected: obj, error: { code: e.code, ...(e.subject ? { subject: e.subject } : {}) } };
    }
  });
}
