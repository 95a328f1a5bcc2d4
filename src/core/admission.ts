// AdmissionReview in, AdmissionReview out (admission.k8s.io/v1 and v1beta1), in the request's version
// with its uid. A skip is `allowed: true` without a patch; an injection error is `allowed: false` with
// the message the API server will show. Nothing here throws for bad input.
import { isInjectionError } from './errors.ts';
import { injectPod, type InjectContext, type InjectResult } from './inject.ts';
import { isObject } from './types.ts';
import { podOf } from './workloads.ts';

const VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'];

export interface AdmissionOutcome {
  review: Record<string, unknown>;
  /** What happened, for logs and metrics. */
  result: 'injected' | 'skipped' | 'error';
  reason: string;
  uid: string;
  namespace: string;
  pod: string;
  inject?: InjectResult;
}

function reviewOf(apiVersion: string, uid: string, response: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion, kind: 'AdmissionReview', response: { uid, ...response } };
}

function failure(apiVersion: string, uid: string, message: string, code: string, namespace = '', pod = ''): AdmissionOutcome {
  return { review: reviewOf(apiVersion, uid, { allowed: false, status: { message, reason: code, code: 400 } }), result: 'error', reason: code, uid, namespace, pod };
}

/** Decodes an AdmissionReview (already JSON-parsed) and answers it. */
export function admit(body: unknown, ctx: Omit<InjectContext, 'namespace' | 'namespaceLabels' | 'workload'>): AdmissionOutcome {
  // Istio answers an undecodable review as v1beta1 (nothing was decoded); we answer v1 unless told otherwise
  const apiVersion = isObject(body) && typeof body.apiVersion === 'string' && VERSIONS.includes(body.apiVersion) ? body.apiVersion : 'admission.k8s.io/v1';
  const request = isObject(body) ? body.request : undefined;
  const uid = isObject(request) && typeof request.uid === 'string' ? request.uid : '';
  if (!isObject(body) || body.kind !== 'AdmissionReview' || !VERSIONS.includes(String(body.apiVersion))) {
    return failure(apiVersion, uid, `not an AdmissionReview of ${VERSIONS.join(' or ')} (got apiVersion ${JSON.stringify(isObject(body) ? body.apiVersion : undefined)}, kind ${JSON.stringify(isObject(body) ? body.kind : undefined)})`, 'INVALID_REVIEW');
  }
  if (!isObject(request)) return failure(apiVersion, uid, 'AdmissionReview has no request', 'INVALID_REVIEW');
  if (uid === '') return failure(apiVersion, uid, 'AdmissionReview request has no uid', 'INVALID_REVIEW');
  const kind = isObject(request.kind) ? request.kind : {};
  if (kind.kind !== 'Pod' || (kind.group ?? '') !== '') {
    return failure(apiVersion, uid, `only Pods are injected (got ${JSON.stringify(request.kind)})`, 'NOT_A_POD');
  }
  const namespace = typeof request.namespace === 'string' ? request.namespace : '';
  const object = request.object;
  if (!isObject(object) || !isObject(object.metadata ?? {}) || !isObject(object.spec)) {
    return failure(apiVersion, uid, 'request.object is not a Pod (it needs metadata and spec)', 'INVALID_OBJECT', namespace);
  }
  const meta = (object.metadata ?? {}) as { name?: unknown; generateName?: unknown };
  const podName = String(meta.name || meta.generateName || '');
  try {
    const pod = podOf({ ...object, kind: 'Pod', metadata: object.metadata ?? {} }); // validates the shape, naming the field
    const r = injectPod(pod, { ...ctx, namespace });
    if (!r.decision.inject || r.patch.length === 0) {
      return { review: reviewOf(apiVersion, uid, { allowed: true }), result: 'skipped', reason: r.decision.reason, uid, namespace, pod: podName, inject: r };
    }
    const patch = Buffer.from(JSON.stringify(r.patch)).toString('base64');
    return { review: reviewOf(apiVersion, uid, { allowed: true, patchType: 'JSONPatch', patch }), result: 'injected', reason: r.decision.reason, uid, namespace, pod: podName, inject: r };
  } catch (e) {
    if (!isInjectionError(e)) throw e;
    return failure(apiVersion, uid, e.message, e.code, namespace, podName);
  }
}
