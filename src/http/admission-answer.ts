// One admission from body to answer, the same code on the main thread (small reviews, the fast path)
// and in the admission worker (large ones, admission-worker.ts): parse, admit with a time budget,
// serialise. What comes back is the answer's JSON plus the clipped fields the log line and metrics use.
import { admit, type AdmissionOutcome } from '../core/admission.ts';
import type { InjectContext } from '../core/inject.ts';

export type AdmitContext = Pick<InjectContext, 'settings' | 'urlEnv' | 'nodesSupportNativeSidecars'>;

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
  return { json, result: outcome.result, reason: outcome.reason, uid: outcome.uid, namespace: outcome.namespace, pod: outcome.pod, ...(error === undefined ? {} : { error }) };
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
