// AdmissionReview in, AdmissionReview out (admission.k8s.io/v1 and v1beta1), in the request's version
// with its uid. A skip is `allowed: true` without a patch; an injection error is `allowed: false` with
// the message the API server will show. Nothing here throws for bad input; every value it echoes
// (in the message or the outcome's log fields) is clipped.
import { checkBudget } from './budget.ts';
import { clip, clipJson } from './clip.ts';
import { isInjectionError, statusOfCode, type ErrorCode } from './errors.ts';
import { injectPod, type InjectContext, type InjectResult } from './inject.ts';
import { MAX_MESSAGE_CHARS } from './limits.ts';
import { checkTree } from './tree-limits.ts';
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
  const status = { message: clip(message, MAX_MESSAGE_CHARS), reason: code, code: statusOfCode(code) };
  return {
    review: reviewOf(apiVersion, uid, { allowed: false, status }),
    result: 'error',
    reason: code,
    uid: clip(uid),
    namespace: clip(namespace),
    pod: clip(pod),
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const versionOf = (v: unknown): string => (typeof v === 'string' && VERSIONS.includes(v) ? v : 'admission.k8s.io/v1');

/**
 * A refusal decided without running admit() (the edge ran out of time or memory for the review, or is
 * too busy to take it): the same answer, in the review's version (when it is one we answer) with its uid.
 */
export function refusal(head: { apiVersion?: string; uid?: string }, code: ErrorCode, message: string): AdmissionOutcome {
  return failure(versionOf(head.apiVersion), head.uid ?? '', message, code);
}

/** Decodes an AdmissionReview (already JSON-parsed) and answers it. The log fields of the outcome are clipped. */
export function admit(body: unknown, ctx: Omit<InjectContext, 'namespace' | 'namespaceLabels' | 'workload'>): AdmissionOutcome {
  // Istio answers an undecodable review as v1beta1 (nothing was decoded); we answer v1 unless told otherwise
  const apiVersion = versionOf(isObject(body) ? body.apiVersion : undefined);
  const request = isObject(body) ? body.request : undefined;
  const uid = isObject(request) ? str(request.uid) : '';
  if (!isObject(body) || body.kind !== 'AdmissionReview' || !VERSIONS.includes(str(body.apiVersion))) {
    return failure(
      apiVersion,
      uid,
      `not an AdmissionReview of ${VERSIONS.join(' or ')} (got apiVersion ${clipJson(isObject(body) ? body.apiVersion : undefined)}, kind ${clipJson(isObject(body) ? body.kind : undefined)})`,
      'INVALID_REVIEW',
    );
  }
  if (!isObject(request)) return failure(apiVersion, uid, 'AdmissionReview has no request', 'INVALID_REVIEW');
  if (uid === '') return failure(apiVersion, uid, 'AdmissionReview request has no uid (a string)', 'INVALID_REVIEW');
  const kind = isObject(request.kind) ? request.kind : {};
  if (kind.kind !== 'Pod' || (kind.group ?? '') !== '') {
    return failure(apiVersion, uid, `only Pods are injected (got ${clipJson(request.kind)})`, 'NOT_A_POD');
  }
  const namespace = str(request.namespace);
  const object = request.object;
  if (!isObject(object) || !isObject(object.metadata ?? {}) || !isObject(object.spec)) {
    return failure(apiVersion, uid, 'request.object is not a Pod (it needs metadata and spec)', 'INVALID_OBJECT', namespace);
  }
  const meta = isObject(object.metadata) ? object.metadata : {};
  const podName = str(meta.name) || str(meta.generateName);
  try {
    checkTree(object, 'request.object'); // before anything recursive walks it
    // the object as received (a missing metadata stays missing, so the patch adds it); podOf validates the shape, naming the field
    const pod = podOf({ ...object, kind: 'Pod' });
    const r = injectPod(pod, { ...ctx, namespace });
    const outcome = { uid: clip(uid), namespace: clip(namespace), pod: clip(podName), reason: r.decision.reason, inject: r };
    if (!r.decision.inject || r.patch.length === 0) return { review: reviewOf(apiVersion, uid, { allowed: true }), result: 'skipped', ...outcome };
    checkBudget(ctx, 'writing the patch');
    const patch = Buffer.from(JSON.stringify(r.patch)).toString('base64');
    return { review: reviewOf(apiVersion, uid, { allowed: true, patchType: 'JSONPatch', patch }), result: 'injected', ...outcome };
  } catch (e) {
    if (!isInjectionError(e)) throw e;
    return failure(apiVersion, uid, e.message, e.code, namespace, podName);
  }
}
