// Delays between restarts of a failing informer: exponential, capped, and jittered so that many replicas
// of the injector do not hammer a recovering API server in lockstep.

export interface BackoffOptions {
  /** First delay (attempt 0), in ms. */
  initialMs: number;
  /** Cap on the delay, in ms. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Fraction of the delay that is random (0..1, default 0.5): delay is in [base·(1−jitter), base]. */
  jitter?: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.5 };

export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const factor = opts.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.5));
  // Capped before the power can overflow: attempt is bounded by how far the cap is from initialMs.
  const base = Math.min(opts.maxMs, opts.initialMs * factor ** Math.min(Math.max(0, attempt), 64));
  return Math.round(base * (1 - jitter) + base * jitter * random());
}
