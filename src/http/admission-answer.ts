// One admission from body to answer, the same code on the main thread (small reviews, the fast path)
// and in the admission worker (large ones, admission-worker.ts): parse, admit with a time budget,
// serialise. What comes back is the answer's JSON plus the clipped fields the log line and metrics use.
import { admit, refusal, type AdmissionOutcome } from '../core/admission.ts';
import { clip } from '../core/clip.ts';
import { reviewHead } from './review-head.ts';
import type { InjectContext } from '../core/inject.ts';

export type AdmitContext = Pick<InjectContext, 'settings' | 'urlEnv' | 'nodes' | 'proxyConfigs'>;

export interface AdmissionAnswer {
  /** The AdmissionReview to send, as JSON text or its UTF-8 bytes. */
  json: string | Uint8Array;
  result: AdmissionOutcome['result'];
  reason: string;
  uid: string;
  namespace: string;
  pod: string;
  /** The refusal's message, for the log line. */
  error?: string;
}

export function answerOf(outcome: AdmissionOutcome, json: string | Uint8Array): AdmissionAnswer {
  const error = outcome.result === 'error' ? (outcome.review.response as { status?: { message?: string } }).status?.message : undefined;
  return {
    json,
    result: outcome.result,
    reason: outcome.reason,
    uid: outcome.uid,
    namespace: outcome.namespace,
    pod: outcome.pod,
    ...(error === undefined ? {} : { error }),
  };
}

/** Parses and admits a review within `budgetMs` of work (past it the core answers BUDGET_EXCEEDED). */
export function admitBody(body: Uint8Array, ctx: AdmitContext, budgetMs: number): AdmissionAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse((Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)).toString('utf8'));
  } catch (e) {
    parsed = { invalidJson: (e as Error).message };
  }
  const end = performance.now() + budgetMs;
  const outcome = admit(parsed, { ...ctx, overBudget: () => performance.now() > end });
  return answerOf(outcome, JSON.stringify(outcome.review));
}

/**
 * The answer to a review whose admission failed unexpectedly (a bug, in the worker or on the fast path):
 * still an AdmissionReview with the request's uid, refusing the pod with INTERNAL, as the API server
 * understands no other answer. `error` carries the detail for the log.
 */
export function internalFailure(body: Uint8Array, detail: string): AdmissionAnswer {
  const outcome = refusal(
    reviewHead(body),
    'INTERNAL',
    "the injector failed unexpectedly while admitting this pod; the pod was refused (see the injector's log)",
  );
  return { ...answerOf(outcome, JSON.stringify(outcome.review)), error: clip(detail, 400) };
}
