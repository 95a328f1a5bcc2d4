// Every wait in the e2e suite is bounded in time and in attempts, and says what it waited for when it gives up.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the error message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Defaults to enough attempts to fill timeoutMs at intervalMs, plus one. */
  maxAttempts?: number;
  /** Checked before each attempt: a message stops the wait at once (say, the process being waited on exited). */
  abortIf?: () => string | undefined;
}

/** Calls `probe` until it returns a value other than undefined/false; the last error or value is in the failure message. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, opts: WaitOptions): Promise<T> {
  const interval = opts.intervalMs ?? 200;
  const maxAttempts = opts.maxAttempts ?? Math.ceil(opts.timeoutMs / interval) + 1;
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'no attempt finished';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const abort = opts.abortIf?.();
    if (abort !== undefined) throw new Error(`gave up waiting for ${opts.what}: ${abort}`);
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = `last result: ${JSON.stringify(v)}`;
    } catch (e) {
      last = `last error: ${(e as Error).message}`;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
  throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what} (${last})`);
}
