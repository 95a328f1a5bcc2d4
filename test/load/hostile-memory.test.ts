// After the hostile corpus (5 MiB strings, 100,000-entry lists, deep nesting), three times over, the
// injector's memory comes back down: nothing of those requests is kept.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { request } from 'node:https';
import { hostileCorpus } from '../hostile/corpus.ts';
import { spawnInjector, type ChildInjector } from '../helpers/child-injector.ts';
import { metricValue } from '../helpers/server.ts';

function post(inj: ChildInjector, body: Buffer, contentType: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: inj.webhookPort,
        path: '/inject',
        method: 'POST',
        ca: inj.ca.cert,
        agent: false,
        headers: { 'content-type': contentType, 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

describe('memory after hostile input', function () {
  this.timeout(600_000);
  let inj: ChildInjector;
  before(async () => {
    const gcOnSignal = join(import.meta.dirname, '..', 'fixtures', 'node', 'gc-on-signal.mjs');
    inj = await spawnInjector(['--log-level', 'warn'], ['--expose-gc', '--import', gcOnSignal]);
  });
  after(() => inj.stop());

  it('returns to its level before the corpus', async () => {
    const rss = async () => metricValue(await inj.metrics(), 'process_resident_memory_bytes')!;
    const corpus = hostileCorpus();
    for (const c of corpus.slice(0, 50)) await post(inj, c.body, c.contentType ?? 'application/json'); // warm-up
    await new Promise((r) => setTimeout(r, 3000));
    const heap0 = await inj.heapAfterGc();
    const rss0 = await rss();
    let answered = 0;
    // an over-cap body may see its connection closed before the 413 is read: that is the refusal too
    for (let round = 0; round < 3; round++)
      for (const c of corpus) if ((await post(inj, c.body, c.contentType ?? 'application/json')) > 0 || c.expect === 'http4xx') answered++;
    const peak = await rss();
    // a full collection (the test preload runs gc() on SIGUSR2): what is left is what is kept
    await inj.heapAfterGc(); // a second one clears what the first left for finalisation
    const heap1 = await inj.heapAfterGc();
    const rss1 = await rss();
    const mb = (b: number) => (b / 1048576).toFixed(1);
    console.log(
      `      ${answered} hostile requests answered; heap ${mb(heap0)} -> ${mb(heap1)} MB, RSS ${mb(rss0)} -> peak ${mb(peak)} -> ${mb(rss1)} MB`,
    );
    assert.equal(answered, corpus.length * 3, 'every request was answered');
    assert.ok(heap1 < heap0 + 32 * 1048576, `heap came back (${mb(heap0)} -> ${mb(heap1)} MB)`);
    assert.equal((await inj.metrics()).length > 0, true, 'still serving');
  });
});
