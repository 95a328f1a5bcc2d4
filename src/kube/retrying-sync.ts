// A sync that retries until it gets through: each sync() is served by a pass of attempts that begins after
// it, retried with a jittered exponential backoff (capped delay, no cap on attempts) until one finishes or
// stop(). Calls made while a pass runs or waits are served by one more pass; a sync() that comes during a
// backoff wait ends the wait and starts the backoff over (it may bring what was missing, a new CA say).
import { backoffDelay, type BackoffOptions } from './backoff.ts';

export type AttemptOutcome<R, F> = { done: true; result: R } | { done: false; failure: F };

export interface RetryingSyncOptions<R, F> {
  /** One try; failures it expects come back as `done: false`, not thrown. */
  attempt(): Promise<AttemptOutcome<R, F>>;
  /** A pass finished with this result (not called once stopped). */
  onDone(result: R): void;
  /** An attempt failed; try number `nextTry` of this pass comes after `delayMs`. */
  onFailed(failure: F, nextTry: number, delayMs: number): void;
  /** The pass loop threw (a bug, or a throwing logger): the loop is started again after backoff.maxMs. */
  onCrash(e: unknown): void;
  backoff: BackoffOptions;
  /** Also sync every this many ms; 0 or unset: only on sync(). */
  resyncMs?: number;
  /** What pending and later sync() calls resolve with after stop(). */
  stopped: R;
}

export interface RetryingSync<R> {
  /** Resolves once a pass that began after this call has finished; never rejects. */
  sync(): Promise<R>;
  /** Stops retrying; pending sync() promises resolve with `stopped`. */
  stop(): void;
}

/** Waits for a sync() or stop() to end a backoff wait early. */
class Pause {
  private wake: (() => void) | undefined;
  /** Resolves after ms, or sooner with true when interrupt() is called. */
  wait(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(true);
      };
    });
  }
  interrupt(): void {
    this.wake?.();
  }
}

class RetryingSyncLoop<R, F> implements RetryingSync<R> {
  private stopped = false;
  private requested = 0; // sync() calls so far
  private running = false;
  private readonly pause = new Pause();
  private readonly waiters: Array<{ gen: number; resolve: (r: R) => void }> = [];
  private readonly resync: NodeJS.Timeout | undefined;
  private readonly opts: RetryingSyncOptions<R, F>;

  constructor(opts: RetryingSyncOptions<R, F>) {
    this.opts = opts;
    this.resync = opts.resyncMs && opts.resyncMs > 0 ? setInterval(() => void this.sync(), opts.resyncMs) : undefined;
    this.resync?.unref();
  }

  sync(): Promise<R> {
    if (this.stopped) return Promise.resolve(this.opts.stopped);
    const gen = ++this.requested;
    const p = new Promise<R>((resolve) => this.waiters.push({ gen, resolve }));
    if (this.running) this.pause.interrupt();
    else void this.loop();
    return p;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.resync);
    this.pause.interrupt();
    this.settle(Infinity, this.opts.stopped);
  }

  /** One pass: attempts until one finishes or stop(); `gen`: the sync() calls it serves. */
  private async pass(): Promise<{ gen: number; result: R } | undefined> {
    for (let failures = 0, tries = 1; ; tries++) {
      if (this.stopped) return undefined;
      const gen = this.requested; // every sync() made before this attempt began is served by it
      const a = await this.opts.attempt();
      if (this.stopped) return undefined;
      if (a.done) {
        this.opts.onDone(a.result);
        return { gen, result: a.result };
      }
      // A sync() since this attempt began is worth an attempt now, with the backoff started over; so is
      // one that comes during the wait.
      const fresh = this.requested > gen;
      const delayMs = fresh ? 0 : backoffDelay(failures, this.opts.backoff);
      failures = fresh ? 0 : failures + 1;
      this.opts.onFailed(a.failure, tries + 1, delayMs);
      if (!fresh && (await this.pause.wait(delayMs))) failures = 0;
    }
  }

  private settle(upTo: number, result: R): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.gen <= upTo) {
        this.waiters.splice(i, 1);
        w.resolve(result);
      }
    }
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      let done = 0;
      while (!this.stopped && done < this.requested) {
        const p = await this.pass();
        if (!p) break;
        done = p.gen;
        this.settle(p.gen, p.result);
      }
    } catch (e) {
      try {
        this.opts.onCrash(e);
      } catch {
        // nothing more to do
      }
      if (!this.stopped)
        setTimeout(() => {
          if (!this.stopped && !this.running && this.waiters.length > 0) void this.loop();
        }, this.opts.backoff.maxMs).unref();
    } finally {
      this.running = false;
      if (this.stopped) this.settle(Infinity, this.opts.stopped);
    }
  }
}

export function startRetryingSync<R, F>(opts: RetryingSyncOptions<R, F>): RetryingSync<R> {
  return new RetryingSyncLoop(opts);
}
