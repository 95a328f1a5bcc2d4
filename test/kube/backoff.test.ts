import assert from 'node:assert/strict';
import { backoffDelay } from '../../src/kube/backoff.ts';

describe('informer restart backoff', () => {
  const opts = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };

  it('doubles per attempt up to the cap', () => {
    const top = (n: number) => backoffDelay(n, opts, () => 1);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 50, 10_000].map(top), [100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });

  it('is jittered within [half, full] of the step, never above the cap', () => {
    assert.equal(
      backoffDelay(2, opts, () => 0),
      200,
    );
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(i % 8, opts);
      const base = Math.min(1000, 100 * 2 ** (i % 8));
      assert.ok(d >= base / 2 && d <= base, `${d} for attempt ${i % 8}`);
    }
  });

  it('treats a negative attempt as the first', () => {
    assert.equal(
      backoffDelay(-3, opts, () => 1),
      100,
    );
  });
});
