// Runs jobs in one worker thread (worker-host.ts on the other side), one at a time, so heavy work never
// blocks the event loop that answers /inject and /healthz. Used by the preview (preview-runner.ts) and
// by large admissions (large-admission.ts), each with a worker of its own. The worker has a heap cap
// (a huge input makes it run out of memory, not the process) and each job a time budget (past it, the
// worker is terminated and a new one started for the next job). Settings cross by generation: sent
// only when the worker has not seen them. An idle worker is stopped, so it costs memory only in use.
// Optionally the queue is bounded in weight (each job weighs what run() says: its bytes, say) and in
// waiting time: a job that cannot wait is answered `busy` at once rather than left to wait.
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Settings } from '../core/settings/index.ts';
import type { HostedJob, PlainSettings } from './worker-host.ts';

export interface WorkerLimits {
  /** Time a job may run in the worker (its start included), then the worker is stopped. */
  budgetMs: number;
  /** The worker's old-generation heap cap. */
  heapMb: number;
  /** A worker idle this long is stopped. */
  idleWorkerMs: number;
  /** The total weight of the jobs that may wait while one runs (default: no bound); more are answered `busy`. */
  maxWaiting?: number;
  /** A job that has waited this long without starting is answered `busy` (default: no bound). */
  maxWaitMs?: number;
}

/** Why a job got no reply from the worker. */
export type WorkerFailure = 'timeout' | 'out-of-memory' | 'failed' | 'busy' | 'closed';
export type WorkerOutcome<R> = { ok: true; reply: R } | { ok: false; failure: WorkerFailure; detail: string };
/** Why a worker was stopped while it worked (a metric label). */
export type TerminationReason = 'timeout' | 'out_of_memory' | 'failed';

interface Pending<J, R> {
  job: J;
  plain: PlainSettings;
  weight: number;
  waitTimer?: NodeJS.Timeout;
  done(o: WorkerOutcome<R>): void;
}

const FROM_SOURCES = import.meta.url.endsWith('.ts');
// Run from the TypeScript sources, the worker needs tsx too: given by `--import tsx` (npm start, mocha)
// it is inherited; registered through its API (bin/sidecar-injector.js) it is not, so it is added.
const WORKER_EXEC_ARGV =
  FROM_SOURCES && !process.execArgv.some((a) => a.includes('tsx')) ? [...process.execArgv, '--import', import.meta.resolve('tsx')] : undefined;

// V8's heap flags are process-wide and win over a worker's resourceLimits (Node's docs say so): with the
// image's `--max-old-space-size=256` a preview worker "capped" at 64 MB grew to 256 MB, and the process to
// 487 MB (bench/HOSTILE.md). V8 reads them only when it sets up an isolate's heap, so clearing them once the
// main thread's heap is set up keeps its cap and lets each worker's own limits hold.
let heapFlagsCleared = false;
function letWorkerLimitsHold(): void {
  if (heapFlagsCleared) return;
  heapFlagsCleared = true;
  v8.setFlagsFromString('--max-old-space-size=0');
  v8.setFlagsFromString('--max-semi-space-size=0');
}

export class WorkerRunner<J extends HostedJob, R> {
  private readonly url: URL;
  private worker: Worker | undefined;
  private workerGeneration = -1;
  private readonly generations = new WeakMap<Settings, number>();
  private nextGeneration = 0;
  private readonly queue: Array<Pending<J, R>> = [];
  private waitingWeight = 0;
  private running: { pending: Pending<J, R>; timer: NodeJS.Timeout } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** `script`: the worker's module next to this one, without extension (e.g. `preview-worker`). */
  constructor(
    script: string,
    readonly limits: WorkerLimits,
    private readonly onTerminated: (reason: TerminationReason) => void = () => {},
    /** Told when the worker starts (true) and when it is gone (false): a metric. */
    private readonly onRunning: (running: boolean) => void = () => {},
  ) {
    this.url = new URL(`./${script}${FROM_SOURCES ? '.ts' : '.js'}`, import.meta.url);
  }

  /** Runs a job (its buffers are copied to the worker: the caller keeps them); `weight` counts against `maxWaiting`. */
  run(settings: Settings, input: Omit<J, keyof HostedJob>, weight = 1): Promise<WorkerOutcome<R>> {
    if (this.closed) return Promise.resolve({ ok: false, failure: 'closed', detail: 'shutting down' });
    const { maxWaiting = Infinity, maxWaitMs } = this.limits;
    if (this.running && this.waitingWeight + weight > maxWaiting) {
      return Promise.resolve({ ok: false, failure: 'busy', detail: `${this.queue.length} jobs already wait for the one running` });
    }
    const generation = this.generations.get(settings) ?? this.nextGeneration++;
    this.generations.set(settings, generation);
    const { templates: _compiled, ...plain } = settings;
    return new Promise((done) => {
      const pending: Pending<J, R> = { job: { ...input, settingsGeneration: generation } as J, plain, weight, done };
      if (maxWaitMs !== undefined) {
        pending.waitTimer = setTimeout(() => {
          this.dequeue(pending);
          done({ ok: false, failure: 'busy', detail: `waited ${maxWaitMs / 1000} s for the jobs before it` });
        }, maxWaitMs);
      }
      this.queue.push(pending);
      this.waitingWeight += weight;
      this.next();
    });
  }

  close(): void {
    this.closed = true;
    for (const p of [...this.queue]) {
      this.dequeue(p);
      p.done({ ok: false, failure: 'closed', detail: 'shutting down' });
    }
    if (this.running) this.finish({ ok: false, failure: 'closed', detail: 'shutting down' });
    this.stopWorker();
  }

  private next(): void {
    if (this.running || this.queue.length === 0) return;
    clearTimeout(this.idleTimer);
    const pending = this.queue[0]!;
    this.dequeue(pending);
    const worker = this.worker ?? this.startWorker();
    const { job, plain } = pending;
    if (job.settingsGeneration !== this.workerGeneration) {
      job.settings = plain;
      this.workerGeneration = job.settingsGeneration;
    }
    const timer = setTimeout(() => {
      this.finish({ ok: false, failure: 'timeout', detail: `ran past its time budget of ${this.limits.budgetMs / 1000} s` });
      this.stopWorker();
      this.onTerminated('timeout');
    }, this.limits.budgetMs);
    this.running = { pending, timer };
    try {
      worker.postMessage(job);
    } catch (e) {
      this.finish({ ok: false, failure: 'failed', detail: `cannot hand the job to its worker: ${(e as Error).message.slice(0, 300)}` });
    }
  }

  private dequeue(p: Pending<J, R>): void {
    clearTimeout(p.waitTimer);
    const at = this.queue.indexOf(p);
    if (at < 0) return;
    this.queue.splice(at, 1);
    this.waitingWeight -= p.weight;
  }

  private finish(outcome: WorkerOutcome<R>): void {
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
    letWorkerLimitsHold();
    const w = new Worker(this.url, {
      execArgv: WORKER_EXEC_ARGV,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 8, stackSizeMb: 4 },
    });
    w.unref(); // never what keeps the process alive
    this.worker = w;
    this.onRunning(true);
    this.workerGeneration = -1;
    w.on('message', (reply: R) => {
      if (w === this.worker) this.finish({ ok: true, reply });
    });
    const lost = (reason: TerminationReason, outcome: WorkerOutcome<R>) => {
      if (w !== this.worker) return; // one we stopped ourselves
      this.worker = undefined;
      this.onRunning(false);
      if (!this.running) return;
      this.finish(outcome);
      this.onTerminated(reason);
    };
    w.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY')
        lost('out_of_memory', { ok: false, failure: 'out-of-memory', detail: `ran out of its memory budget (${this.limits.heapMb} MB of heap)` });
      else lost('failed', { ok: false, failure: 'failed', detail: `the worker failed: ${e.message.slice(0, 300)}` });
    });
    w.on('exit', (code) => lost('failed', { ok: false, failure: 'failed', detail: `the worker stopped (exit code ${code})` }));
    return w;
  }

  private stopWorker(): void {
    clearTimeout(this.idleTimer);
    const w = this.worker;
    this.worker = undefined;
    this.workerGeneration = -1;
    if (w) this.onRunning(false);
    void w?.terminate();
  }
}
