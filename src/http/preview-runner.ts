// Runs previews in one worker thread (preview-worker.ts), one job at a time, so a preview never blocks
// the event loop that answers /inject and /healthz. The worker has a heap cap (a huge body makes it run
// out of memory, not the process) and each job a time budget (past it, the worker is terminated and a
// new one started for the next job). An idle worker is stopped, so it costs memory only while in use.
import { Worker } from 'node:worker_threads';
import type { Settings } from '../core/settings/index.ts';
import { HttpError, type HttpErrorCode } from './body.ts';
import type { PlainSettings, PreviewJob, PreviewReply } from './preview-worker.ts';

export interface PreviewLimits {
  /** Time a job may run in the worker (its start included), then it is stopped. */
  budgetMs: number;
  /** The worker's old-generation heap cap. */
  heapMb: number;
  maxAnswerBytes: number;
  /** A worker idle this long is stopped. */
  idleWorkerMs: number;
}

// With the Deployment's 256 MiB limit and the webhook near 130 MB under load, the worker's heap stays
// well under the rest; a 1 MB manifest previews in a fraction of this.
export const PREVIEW_DEFAULTS: PreviewLimits = { budgetMs: 10_000, heapMb: 64, maxAnswerBytes: 8 * 1024 * 1024, idleWorkerMs: 60_000 };

export type PreviewInput = Omit<PreviewJob, 'settingsGeneration' | 'settings' | 'maxAnswerBytes' | 'softBudgetMs'>;
export type PreviewOutcome = { ok: true; answer: Buffer } | { ok: false; error: HttpError & { subject?: string } };

interface Pending {
  job: PreviewJob;
  plain: PlainSettings;
  done(o: PreviewOutcome): void;
}

const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./preview-worker${FROM_SOURCES ? '.ts' : '.js'}`, import.meta.url);
// Run from the TypeScript sources, the worker needs tsx too: given by `--import tsx` (npm start, mocha)
// it is inherited; registered through its API (bin/sidecar-injector.js) it is not, so it is added.
const WORKER_EXEC_ARGV = FROM_SOURCES && !process.execArgv.some((a) => a.includes('tsx')) ? [...process.execArgv, '--import', import.meta.resolve('tsx')] : undefined;

function failure(status: number, code: HttpErrorCode | string, message: string, subject?: string): PreviewOutcome {
  return { ok: false, error: Object.assign(new HttpError(status, message, code as HttpErrorCode), subject ? { subject } : {}) };
}

export class PreviewRunner {
  private worker: Worker | undefined;
  private workerGeneration = -1;
  private readonly generations = new WeakMap<Settings, number>();
  private nextGeneration = 0;
  private readonly queue: Pending[] = [];
  private running: { pending: Pending; timer: NodeJS.Timeout } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(readonly limits: PreviewLimits = PREVIEW_DEFAULTS) {}

  run(settings: Settings, input: PreviewInput): Promise<PreviewOutcome> {
    if (this.closed) return Promise.resolve(failure(503, 'NOT_READY', 'shutting down'));
    let generation = this.generations.get(settings);
    if (generation === undefined) this.generations.set(settings, (generation = this.nextGeneration++));
    // the core stops itself at 80 % of the budget with a clear answer; termination is the backstop
    const job: PreviewJob = { ...input, settingsGeneration: generation, maxAnswerBytes: this.limits.maxAnswerBytes, softBudgetMs: this.limits.budgetMs * 0.8 };
    const { templates: _compiled, ...plain } = settings;
    return new Promise((done) => {
      this.queue.push({ job, plain, done });
      this.next();
    });
  }

  close(): void {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.done(failure(503, 'NOT_READY', 'shutting down'));
    if (this.running) this.finish(failure(503, 'NOT_READY', 'shutting down'));
    this.stopWorker();
  }

  private next(): void {
    if (this.running || this.queue.length === 0) return;
    clearTimeout(this.idleTimer);
    const pending = this.queue.shift()!;
    const worker = this.worker ?? this.startWorker();
    const { job, plain } = pending;
    if (job.settingsGeneration !== this.workerGeneration) {
      job.settings = plain;
      this.workerGeneration = job.settingsGeneration;
    }
    const timer = setTimeout(() => {
      this.finish(failure(503, 'PREVIEW_TIMEOUT', `the preview ran past its time budget of ${this.limits.budgetMs / 1000} s and was stopped: send fewer or smaller objects`));
      this.stopWorker();
    }, this.limits.budgetMs);
    this.running = { pending, timer };
    try {
      worker.postMessage(job);
    } catch (e) {
      this.finish(failure(500, 'INTERNAL', `cannot hand the preview to its worker: ${(e as Error).message.slice(0, 300)}`));
    }
  }

  private finish(outcome: PreviewOutcome): void {
    const r = this.running;
    if (!r) return;
    clearTimeout(r.timer);
    this.running = undefined;
    r.pending.done(outcome);
    queueMicrotask(() => {
      this.next();
      if (!this.running && this.worker) this.idleTimer = setTimeout(() => this.stopWorker(), this.limits.idleWorkerMs).unref();
    });
  }

  private startWorker(): Worker {
    const w = new Worker(WORKER_URL, { execArgv: WORKER_EXEC_ARGV, resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 8, stackSizeMb: 4 } });
    w.unref(); // never what keeps the process alive
    this.worker = w;
    this.workerGeneration = -1;
    w.on('message', (reply: PreviewReply) => {
      if (w !== this.worker) return;
      this.finish(reply.ok ? { ok: true, answer: Buffer.from(reply.answer.buffer, reply.answer.byteOffset, reply.answer.byteLength) }
        : failure(reply.status, reply.code, reply.message, reply.subject));
    });
    w.on('error', (e: Error & { code?: string }) => {
      if (w !== this.worker) return;
      this.worker = undefined;
      this.finish(e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? failure(413, 'PREVIEW_OUT_OF_MEMORY', `the preview ran out of its memory budget (${this.limits.heapMb} MB of heap) and was stopped: send fewer or smaller objects`)
        : failure(500, 'INTERNAL', `the preview worker failed: ${e.message.slice(0, 300)}`));
    });
    w.on('exit', (code) => {
      if (w !== this.worker) return;
      this.worker = undefined;
      this.finish(failure(500, 'INTERNAL', `the preview worker stopped (exit code ${code})`));
    });
    return w;
  }

  private stopWorker(): void {
    clearTimeout(this.idleTimer);
    const w = this.worker;
    this.worker = undefined;
    this.workerGeneration = -1;
    void w?.terminate();
  }
}
