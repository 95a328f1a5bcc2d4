// Large admissions, off the event loop. A real pod's AdmissionReview is a few KB (a typical one 5-20
// KB); a legal one can reach the 6 MiB body cap, and parsing, admitting and serialising such a review
// costs 100-250 ms of CPU (a pod with 20,000 containers, 60,000 labels or env vars), far past the 100 ms
// the event loop that answers every webhook call and /healthz may be blocked. So a review over
// `thresholdBytes` is admitted in a worker thread (admission-worker.ts); smaller ones stay on the main
// thread's fast path, where a worker round trip would only add latency. The threshold, 64 KiB, is what
// the costliest shape per byte measured (tens of thousands of tiny annotations or containers: about
// 350 ms per MiB) can cost the main thread well under 100 ms: about 20 ms, 45 ms on a cold start (at
// 256 KiB that shape costs 80-110 ms).
//
// The answer is always an AdmissionReview with the request's uid, so the API server applies it rather
// than failing the call: the core stops itself at the soft budget (BUDGET_EXCEEDED, allowed: false);
// past the hard budget, or when the worker runs out of its heap, the worker is terminated and the main
// thread refuses the pod itself (BUDGET_EXCEEDED, OUT_OF_MEMORY). One admission runs at a time; others
// wait, up to `maxWaiting` bytes of reviews (two at the body cap, hundreds of 100 KB ones, so a burst
// of large-ish pods from one ReplicaSet still gets through) and up to `maxWaitMs`; beyond either they
// are refused as INJECTOR_BUSY. Worst case per request: 3 s waiting + 4 s hard budget, inside the API
// server's 10 s. For its own refusals the main thread needs the review's uid and apiVersion without a
// JSON.parse of megabytes: review-head.ts reads just them from the bytes, and only on those paths (a
// worker reporting them after its parse would not do: a busy refusal never reaches the worker, and one
// that runs out of memory may die while parsing).
import { refusal } from '../core/admission.ts';
import type { ErrorCode } from '../core/errors.ts';
import { answerOf, internalFailure, type AdmissionAnswer, type AdmitContext } from './admission-answer.ts';
import type { AdmissionJob, AdmissionReply } from './admission-worker.ts';
import type { Metrics } from './metrics.ts';
import { reviewHead } from './review-head.ts';
import { WorkerRunner, type WorkerFailure, type WorkerLimits } from './worker-runner.ts';

export interface LargeAdmissionLimits extends WorkerLimits {
  /** Reviews with more bytes than this are admitted in the worker. */
  thresholdBytes: number;
  /** Work time after which the core answers BUDGET_EXCEEDED; `budgetMs` is the hard stop. */
  softBudgetMs: number;
  /** Here in bytes: the reviews that may wait while one is admitted. */
  maxWaiting: number;
}

// The heap cap holds the four largest shapes above at the body cap (the most: about 45 MB); a body of
// two million empty arrays does not fit and is refused as OUT_OF_MEMORY (or, as V8 collects again and
// again near its cap, as BUDGET_EXCEEDED). Large pods come rarely, in bursts (one ReplicaSet's
// replicas): the worker is stopped 10 s after the last one, so the 15-60 MB it holds (its isolate, its
// own compiled templates, the heap the large reviews grew) go back to the system rather than staying
// for the every-day small pods; the next large pod pays a start of about 0.2 s, inside its budget.
export const LARGE_ADMISSION_DEFAULTS: LargeAdmissionLimits = {
  thresholdBytes: 64 * 1024,
  softBudgetMs: 2_000,
  budgetMs: 4_000,
  heapMb: 64,
  idleWorkerMs: 10_000,
  maxWaiting: 16 * 1024 * 1024,
  maxWaitMs: 3_000,
};

export class LargeAdmissions {
  private readonly runner: WorkerRunner<AdmissionJob, AdmissionReply>;

  constructor(
    readonly limits: LargeAdmissionLimits,
    private readonly metrics: Metrics,
  ) {
    this.runner = new WorkerRunner(
      'admission-worker',
      limits,
      (reason) => metrics.workerTerminations.inc({ worker: 'admission', reason }),
      (running) => metrics.workerThreads.set({ worker: 'admission' }, running ? 1 : 0),
    );
  }

  /** Admits in the worker; a worker that failed unexpectedly (a bug) gets the request refused with INTERNAL, never a bare 500. */
  async admit(body: Buffer, ctx: AdmitContext): Promise<AdmissionAnswer> {
    const { settings, ...rest } = ctx;
    const o = await this.runner.run(settings, { ...rest, body, softBudgetMs: this.limits.softBudgetMs }, body.length);
    if (o.ok) {
      const r = o.reply;
      if (!r.ok) return internalFailure(body, `admission worker: ${r.message}`);
      this.metrics.largeAdmissions.inc({ outcome: 'answered' });
      return r.answer;
    }
    if (o.failure === 'failed') return internalFailure(body, `admission worker: ${o.detail}`);
    this.metrics.largeAdmissions.inc({ outcome: o.failure.replaceAll('-', '_') });
    const [code, message] = this.refusalFor(o.failure, body.length);
    const outcome = refusal(reviewHead(body), code, message);
    return answerOf(outcome, JSON.stringify(outcome.review));
  }

  close(): void {
    this.runner.close();
  }

  private refusalFor(why: Exclude<WorkerFailure, 'failed'>, bytes: number): [ErrorCode, string] {
    const l = this.limits;
    const large = `a large pod (an AdmissionReview of ${bytes} bytes; reviews over ${l.thresholdBytes} bytes are admitted one at a time)`;
    switch (why) {
      case 'timeout':
        return [
          'BUDGET_EXCEEDED',
          `the injector stopped admitting ${large} after its time budget of ${l.budgetMs / 1000} s: the pod is too large or too complex to inject in time`,
        ];
      case 'out-of-memory':
        return [
          'OUT_OF_MEMORY',
          `the injector ran out of the memory it gives one admission (${l.heapMb} MB of heap) while admitting ${large}: the pod is too large to inject`,
        ];
      case 'busy':
        return ['INJECTOR_BUSY', `the injector is busy with other large pods and could not take ${large} in time: retry shortly`];
      case 'closed':
        return ['INJECTOR_BUSY', `the injector is shutting down and could not admit ${large}: retry`];
    }
  }
}
