// Every hostile body gets a 4xx or an AdmissionReview (allowed: false when it is not a usable Pod),
// quickly, and the process neither crashes nor keeps the memory.
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';
import { hostileCorpus } from './corpus.ts';

describe('hostile input corpus against the real server', function () {
  this.timeout(300_000);
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector({ nativeSidecars: 'false' });
  });
  after(() => inj.stop(1000));

  it('answers every case as specified, and quickly', async () => {
    const corpus = hostileCorpus();
    assert.ok(corpus.length >= 500, `corpus has ${corpus.length} cases`);
    const slow: string[] = [];
    const big: string[] = [];
    const durations: number[] = [];
    for (const c of corpus) {
      const t0 = performance.now();
      const r = await inj.post('/inject', c.body, { 'content-type': c.contentType ?? 'application/json' });
      const ms = performance.now() - t0;
      if (c.expect === 'http4xx') {
        assert.ok(r.status >= 400 && r.status < 500, `${c.name}: HTTP ${r.status}`);
        continue;
      }
      assert.equal(r.status, 200, `${c.name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
      const review = r.json();
      assert.equal(review.kind, 'AdmissionReview', c.name);
      assert.equal(typeof review.response.allowed, 'boolean', c.name);
      if (c.expect === 'refused') assert.equal(review.response.allowed, false, `${c.name} must be refused`);
      if (!review.response.allowed) assert.ok(review.response.status?.message, `${c.name}: a refusal says why`);
      const serverMs = inj.logs.at(-1)?.durationMs as number | undefined;
      durations.push(serverMs ?? ms);
      const refused = !review.response.allowed;
      // the goal is 10 ms (met at p99 when the machine is quiet; see the printed figures); the assertion
      // only catches pathological cases, so a busy CI machine does not make it flaky
      if (refused && c.body.length < 100_000 && (serverMs ?? ms) > 100) slow.push(`${c.name}: ${(serverMs ?? ms).toFixed(1)} ms`);
      if (c.body.length >= 100_000) big.push(`${c.name}: ${(serverMs ?? ms).toFixed(1)} ms (${refused ? 'refused' : 'answered'})`);
    }
    durations.sort((a, b) => a - b);
    console.log(
      `      ${corpus.length} hostile cases; server time p50 ${durations[Math.floor(durations.length / 2)]!.toFixed(2)} ms, p99 ${durations[Math.floor(durations.length * 0.99)]!.toFixed(2)} ms, max ${durations.at(-1)!.toFixed(1)} ms`,
    );
    console.log(`      large bodies: ${big.join('; ')}`);
    assert.deepEqual(slow, [], 'refusals of small bodies come quickly after the body arrives');
    assert.equal((await inj.ops('/healthz')).status, 200, 'still alive');
  });

  it('drops a client that stalls before sending its headers, and one that stalls mid-body', async () => {
    const stalled = (payload: string) =>
      new Promise<number>((resolve) => {
        const t0 = Date.now();
        const s = connect({ host: '127.0.0.1', port: inj.webhookPort, ca: inj.ca.cert }, () => s.write(payload));
        s.on('close', () => resolve(Date.now() - t0));
        s.on('error', () => undefined);
        s.resume();
        setTimeout(() => s.destroy(), 60_000).unref();
      });
    const [noHeaders, midBody] = await Promise.all([
      stalled('POST /inject HTTP/1.1\r\nHost: x\r\n'),
      stalled('POST /inject HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":'),
    ]);
    assert.ok(noHeaders <= 15_000, `headers timeout closed it after ${noHeaders} ms`);
    assert.ok(midBody <= 35_000, `request timeout closed it after ${midBody} ms`);
    assert.equal((await inj.ops('/healthz')).status, 200);
  });
});
