// Runs previews in a worker thread of their own (preview-worker.ts, through worker-runner.ts), one job
// at a time, so a preview never blocks the event loop that answers /inject and /healthz: a heap cap,
// a time budget with termination, and an idle worker stopped. Here: the preview's budgets, and its
// worker's failures said as the preview's HTTP refusals.
import type { Settings } from '../core/settings/index.ts';
import { HttpError, type HttpErrorCode } from './body.ts';
import type { PreviewJob, PreviewReply } from './preview-worker.ts';
import { asBuffer, type HostedJob } from './worker-host.ts';
import { WorkerRunner, type TerminationReason, type WorkerFailure, type WorkerLimits } from './worker-runner.ts';

export interface PreviewLimits extends WorkerLimits {
  maxAnswerBytes: number;
}

// With the Deployment's 256 MiB limit and the webhook near 130 MB under load, the worker's heap stays
// well under the rest; a 1 MB manifest previews in a fraction of this.
export const PREVIEW_DEFAULTS: PreviewLimits = { budgetMs: 10_000, heapMb: 64, maxAnswerBytes: 8 * 1024 * 1024, idleWorkerMs: 60_000 };

export type PreviewInput = Omit<PreviewJob, keyof HostedJob | 'maxAnswerBytes' | 'softBudgetMs'>;
export type PreviewOutcome = { ok: true; answer: Buffer } | { ok: false; error: HttpError & { subject?: string } };

function failure(status: number, code: HttpErrorCode | string, message: string, subject?: string): PreviewOutcome {
  return { ok: false, error: Object.assign(new HttpError(status, message, code as HttpErrorCode), subject ? { subject } : {}) };
}

function refusal(limits: PreviewLimits, why: WorkerFailure, detail: string): PreviewOutcome {
  switch (why) {
    case 'timeout':
      return failure(
        503,
        'PREVIEW_TIMEOUT',
        `the preview ran past its time budget of ${limits.budgetMs / 1000} s and was stopped: send fewer or smaller objects`,
      );
    case 'out-of-memory':
      return failure(
        413,
        'PREVIEW_OUT_OF_MEMORY',
        `the preview ran out of its memory budget (${limits.heapMb} MB of heap) and was stopped: send fewer or smaller objects`,
      );
    case 'busy':
      return failure(503, 'PREVIEW_BUSY', `the preview worker is busy: ${detail}`);
    case 'closed':
      return failure(503, 'NOT_READY', 'shutting down');
    case 'failed':
      return failure(500, 'INTERNAL', `the preview failed: ${detail}`);
  }
}

export class PreviewRunner {
  private readonly runner: WorkerRunner<PreviewJob, PreviewReply>;

  constructor(
    readonly limits: PreviewLimits = PREVIEW_DEFAULTS,
    onTerminated?: (reason: TerminationReason) => void,
    onRunning?: (running: boolean) => void,
  ) {
    this.runner = new WorkerRunner('preview-worker', limits, onTerminated, onRunning);
  }

  async run(settings: Settings, input: PreviewInput): Promise<PreviewOutcome> {
    // the core stops itself at 80 % of the budget with a clear answer; termination is the backstop
    const o = await this.runner.run(settings, { ...input, maxAnswerBytes: this.limits.maxAnswerBytes, softBudgetMs: this.limits.budgetMs * 0.8 });
    if (!o.ok) return refusal(this.limits, o.failure, o.detail);
    const r = o.reply;
    return r.ok ? { ok: true, answer: asBuffer(r.answer) } : failure(r.status, r.code, r.message, r.subject);
  }

  close(): void {
    this.runner.close();
  }
}
