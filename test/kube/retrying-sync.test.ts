// The retry scheduler behind the caBundle patcher, with scripted attempts; the patcher against a real API
// server is in test/e2e/ca-bundle.test.ts.
import assert from 'node:assert/strict';
import { startRetryingSync, type AttemptOutcome, type RetryingSyncOptions } from '../../src/kube/retrying-sync.ts';

type Outcome = AttemptOutcome<string, string>;

/** Attempts answered from `script` in order (the last one repeats); records what the scheduler reports. */
function scripted(script: Outcome[], extra: Partial<RetryingSyncOptions<string, string>> = {}) {
  const seen = { attempts: 0, done: [] as string[], failed: [] as Array<{ failure: string; nextTry: number; delayMs: number }> };
  const sync = startRetryingSync<string, string>({
    attempt: async () => script[Math.min(seen.attempts++, script.length - 1)]!,
    onDone: (r) => seen.done.push(r),
    onFailed: (failure, nextTry, delayMs) => seen.failed.push({ failure, nextTry, delayMs }),
    onCrash: () => undefined,
    backoff: { initialMs: 5, maxMs: 20, factor: 2, jitter: 0 },
    stopped: 'stopped',
    ...extra,
  });
  return { sync, seen };
}

const fail = (failure: string): Outcome => ({ done: false, failure });
const ok = (result: string): Outcome => ({ done: true, result });

describe('retrying sync', () => {
  it('retries failed attempts with a growing delay until one finishes, and resolves with its result', async () => {
    const { sync, seen } = scripted([fail('a'), fail('b'), fail('c'), ok('done')]);
    assert.equal(await sync.sync(), 'done');
    assert.equal(seen.attempts, 4);
    assert.deepEqual(seen.failed, [
      { failure: 'a', nextTry: 2, delayMs: 5 },
      { failure: 'b', nextTry: 3, delayMs: 10 },
      { failure: 'c', nextTry: 4, delayMs: 20 },
    ]);
    assert.deepEqual(seen.done, ['done']);
    sync.stop();
  });

  it('tries again at once when sync() is called during a long backoff wait', async () => {
    const { sync, seen } = scripted([fail('not yet'), ok('done')], { backoff: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } });
    const first = sync.sync();
    for (let i = 0; i < 100 && seen.failed.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(seen.failed[0]?.delayMs, 60_000);
    const t0 = Date.now();
    const [a, b] = await Promise.all([first, sync.sync()]);
    assert.deepEqual([a, b], ['done', 'done']);
    assert.ok(Date.now() - t0 < 5_000, 'not after the 60 s wait');
    sync.stop();
  });

  it('serves a sync() made while a pass runs with one more pass, not the one in flight', async () => {
    let release: () => void = () => undefined;
    let n = 0;
    const { sync } = scripted([], {
      attempt: async () => {
        n++;
        if (n === 1)
          await new Promise<void>((r) => {
            release = r;
          });
        return ok(`pass ${n}`);
      },
    });
    const first = sync.sync();
    await new Promise((r) => setTimeout(r, 5));
    const second = sync.sync();
    release();
    assert.deepEqual(await Promise.all([first, second]), ['pass 1', 'pass 2']);
    sync.stop();
  });

  it('resolves pending and later calls with the stopped result after stop(), and attempts no more', async () => {
    const { sync, seen } = scripted([fail('down')], { backoff: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } });
    const pending = sync.sync();
    for (let i = 0; i < 100 && seen.failed.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    sync.stop();
    assert.equal(await pending, 'stopped');
    assert.equal(await sync.sync(), 'stopped');
    assert.equal(seen.attempts, 1);
  });
});
