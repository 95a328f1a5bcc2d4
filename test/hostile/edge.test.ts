// Issue 12's connection-level rows, against the real server: a huge /preview never stalls /healthz or
// /inject, clients that never read are cut off, silent TCP connections are dropped after the TLS
// handshake timeout, open connections are capped per listener, and an over-size body gets its 413.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { metricValue, startTestInjector, type TestInjector } from '../helpers/server.ts';
import { neverReading, pollHealthz, postWhileReading, silentConnection, sleep } from './edge-clients.ts';
import { reviewJson } from '../helpers/admission.ts';

const review = (uid: string) => reviewJson(uid);

async function timedInject(inj: TestInjector, uid: string): Promise<number> {
  const t0 = performance.now();
  const r = await inj.post('/inject', review(uid));
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json().response.uid, uid);
  return performance.now() - t0;
}

const openConnections = async (inj: TestInjector, listener: string) =>
  metricValue((await inj.ops('/metrics')).body, 'sidecar_injector_open_connections', { listener }) ?? 0;

describe('the HTTP edge under hostile clients', function () {
  this.timeout(90_000);
  let inj: TestInjector;
  // the slow-reader bound shortened from 10 s so the test is quick; the mechanism is the same
  before(async () => {
    inj = await startTestInjector({ nativeSidecars: 'false', previewLimits: { slowReaderMs: 1_500 } });
  });
  after(() => inj.stop(1000));

  it('6 MiB of "---" to /preview: a JSON answer with a code, while /healthz and /inject answer promptly', async () => {
    const health = pollHealthz(inj.opsPort);
    const preview = inj.post('/preview', '---\n'.repeat((6 * 1024 * 1024) / 4), { 'content-type': 'application/yaml' });
    await sleep(300); // the preview is in its worker by now
    const injectMs = [await timedInject(inj, 'during-preview-1'), await timedInject(inj, 'during-preview-2')];
    const r = await preview;
    const latencies = await health.stop();
    if (r.status !== 200) {
      assert.ok(r.status >= 400 && r.status < 500, `HTTP ${r.status}: ${r.body.slice(0, 300)}`);
      assert.match(r.json().error.code, /^[A-Z_]+$/, r.body);
    }
    assert.ok(latencies.length >= 3, `${latencies.length} /healthz answers`);
    assert.ok(Math.max(...latencies) < 1_000, `/healthz answered within 1 s each during the preview (worst ${Math.max(...latencies).toFixed(0)} ms)`);
    assert.ok(Math.max(...injectMs) < 2_000, `/inject answered within 2 s during the preview (${injectMs.map((x) => x.toFixed(0)).join(', ')} ms)`);
    assert.equal((await inj.ops('/healthz')).status, 200, 'alive');
  });

  it('clients that never read a big /preview answer: two are served then cut off, the rest get 429 at once', async () => {
    // 240 pods (under MAX_PREVIEW_OBJECTS) with 25 env vars each: an answer of about 4 MB
    const env = Array.from({ length: 25 }, (_, j) => ({ name: `E${j}`, value: 'v'.repeat(100) }));
    const pod = (i: number) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${i}` },
      spec: { containers: [{ name: 'app', image: 'app:1', env }] },
    });
    const body = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 240 }, (_, i) => pod(i)) }));
    const clients = await Promise.all(Array.from({ length: 8 }, () => neverReading(inj.previewPort, inj.ca.cert, '/preview', body)));
    const lines = clients.map((c) => c.statusLine).sort();
    assert.deepEqual(lines, [...Array(2).fill('HTTP/1.1 200 OK'), ...Array(6).fill('HTTP/1.1 429 Too Many Requests')]);
    let open = await openConnections(inj, 'preview');
    for (let i = 0; i < 100 && open > 0; i++) {
      await sleep(100);
      open = await openConnections(inj, 'preview');
    }
    assert.equal(open, 0, 'the server closed every connection (answers waiting for a reader freed) within 10 s');
    for (const c of clients) c.socket.destroy();
    const r = await inj.post('/preview', JSON.stringify(pod(1)));
    assert.equal(r.status, 200, 'the preview serves again');
  });

  it('TCP connections that never send a ClientHello are dropped after the 5 s handshake timeout, on both HTTPS ports', async () => {
    const held = await Promise.all([
      ...Array.from({ length: 20 }, () => silentConnection(inj.webhookPort, 30_000)),
      ...Array.from({ length: 5 }, () => silentConnection(inj.previewPort, 30_000)),
      timedInject(inj, 'while-silent').then(() => 0),
    ]);
    const worst = Math.max(...held);
    assert.ok(worst >= 4_000 && worst <= 8_000, `held ${worst} ms (want about 5 s, Node's default was 120 s)`);
    assert.equal(await openConnections(inj, 'webhook'), 0);
  });

  for (const chunked of [false, true]) {
    it(`an 8 MiB body (${chunked ? 'chunked' : 'with Content-Length'}) gets its 413 on /inject and /preview, not a reset`, async () => {
      const big = Buffer.alloc(8 * 1024 * 1024, 0x20);
      const inject = await postWhileReading(inj.webhookPort, inj.ca.cert, '/inject', big, { chunked });
      assert.equal(inject.error, undefined, `the client saw ${inject.error}`);
      assert.equal(inject.status, 413);
      assert.match(inject.body, /request body is larger than the cap of 6291456 bytes/);
      const preview = await postWhileReading(inj.previewPort, inj.ca.cert, '/preview', big, { chunked });
      assert.equal(preview.error, undefined, `the client saw ${preview.error}`);
      assert.equal(preview.status, 413);
      assert.deepEqual(JSON.parse(preview.body), {
        error: { code: 'BODY_TOO_LARGE', message: 'request body is larger than the cap of 6291456 bytes' },
      });
      assert.equal(preview.headers.connection, 'close');
    });
  }

  it('a client that asks first (Expect: 100-continue) for 8 MiB gets its 413 without being invited to upload', async () => {
    const r = await new Promise<{ status: number; invited: boolean }>((resolve, reject) => {
      let invited = false;
      const req = request(
        {
          host: '127.0.0.1',
          port: inj.webhookPort,
          path: '/inject',
          method: 'POST',
          ca: inj.ca.cert,
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': 8 * 1024 * 1024, expect: '100-continue' },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, invited });
            req.destroy();
          });
        },
      );
      req.on('continue', () => {
        invited = true;
        req.end(Buffer.alloc(8 * 1024 * 1024, 0x20));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.deepEqual(r, { status: 413, invited: false });
  });
});

describe('the HTTP edge: connection caps', function () {
  this.timeout(30_000);
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector({ connectionLimits: { webhook: { maxConnections: 8 } } });
  });
  after(() => inj.stop(1000));

  it("drops connections beyond the webhook listener's cap at once, while health and metrics answer on theirs", async () => {
    const silent = Array.from({ length: 10 }, () => silentConnection(inj.webhookPort, 3_000));
    const held = await Promise.all(silent);
    const droppedAtOnce = held.filter((ms) => ms < 1_000).length;
    assert.equal(droppedAtOnce, 2, `held: ${held.join(', ')} ms`);
    assert.equal((await inj.ops('/healthz')).status, 200);
  });

  it('closes idle keep-alive connections near the cap, so clients that hold them cannot lock new admissions out', async () => {
    // one admission on each of 8 connections (the cap), then silence: each connection idles on keep-alive
    const agents = Array.from({ length: 8 }, () => new Agent({ keepAlive: true, maxSockets: 1, ca: inj.ca.cert }));
    const admitOn = (agent: Agent | false, uid: string) =>
      new Promise<number>((resolve, reject) => {
        const body = review(uid);
        const req = request(
          {
            host: '127.0.0.1',
            port: inj.webhookPort,
            path: '/inject',
            method: 'POST',
            agent,
            ca: inj.ca.cert,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const first = await Promise.all(agents.map((a, i) => admitOn(a, `idle-${i}`)));
      assert.deepEqual(first, Array(8).fill(200));
      assert.equal(await admitOn(false, 'newcomer'), 200, 'a new connection is admitted while the others idle');
    } finally {
      for (const a of agents) a.destroy();
    }
  });
});
