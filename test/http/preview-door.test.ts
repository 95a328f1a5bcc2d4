// The preview's own door: its port, its concurrency limit (429), its time budget and answer cap, and
// JSON errors with a code; and /inject answered promptly while it is busy.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { spawnInjector } from '../helpers/child-injector.ts';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';
import { reviewJson } from '../helpers/admission.ts';

// n pods (at most MAX_PREVIEW_OBJECTS, 250) of `containers` containers each: heavier pods, not more of
// them, make a slow preview. With `distinct`, every pod has its own ports, so no render can be reused.
const pods = (n: number, containers = 1, distinct = false) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: Array.from({ length: n }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${i}` },
      spec: {
        containers: Array.from({ length: containers }, (_, c) => ({
          name: `app${c}`,
          image: 'app:1',
          ports: [{ containerPort: (distinct ? 1000 + i * 16 : 8000) + c }],
          readinessProbe: { httpGet: { port: (distinct ? 1000 + i * 16 : 8000) + c, path: '/ready' } },
          env: Array.from({ length: distinct ? 4 : 20 }, (_, j) => ({ name: `E${j}`, value: 'v'.repeat(100) })),
        })),
      },
    })),
  });
const review = (uid: string) => reviewJson(uid);

/** POSTs JSON to any port; the first 10 bytes at once, the rest when `release()` is called. */
function postHeld(port: number, ca: string, path: string, body: string) {
  let release!: () => void;
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        ca,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 10));
    release = () => req.end(body.slice(10));
  });
  return { answer, release: () => release() };
}

/** A /preview whose body is held back until `release()`: it takes a slot and keeps it. */
const heldPreview = (inj: TestInjector, body: string) => postHeld(inj.previewPort, inj.ca.cert, '/preview', body);

async function postTo(port: number, ca: string, path: string, body: string): Promise<{ status: number; body: string }> {
  const held = postHeld(port, ca, path, body);
  held.release();
  return held.answer;
}

describe('the /preview door', function () {
  this.timeout(60_000);
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector({ nativeSidecars: 'false' });
  });
  after(() => inj.stop(1000));

  it('is not served on the webhook port, which says where it is', async () => {
    const r = await postTo(inj.webhookPort, inj.ca.cert, '/preview', '{}');
    assert.equal(r.status, 404);
    assert.match(r.body, new RegExp(`/preview is served on its own port \\(${inj.previewPort}, flag --preview-port\\)`));
    assert.notEqual(inj.previewPort, inj.webhookPort);
  });

  it('answers 429 with Retry-After and code PREVIEW_BUSY beyond 2 requests in flight, and serves the 2 held ones', async () => {
    const held = [heldPreview(inj, pods(1)), heldPreview(inj, pods(1))];
    await new Promise((r) => setTimeout(r, 300)); // both are in: headers and part of their bodies
    const third = await inj.post('/preview', pods(1));
    assert.equal(third.status, 429);
    assert.equal(third.headers['retry-after'], '1');
    assert.equal(third.json().error.code, 'PREVIEW_BUSY');
    assert.match(third.json().error.message, /2 previews are already in progress/);
    for (const h of held) h.release();
    const answers = await Promise.all(held.map((h) => h.answer));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200],
    );
    assert.equal((await inj.post('/preview', pods(1))).status, 200, 'a slot is free again');
  });

  it('keeps counting a preview whose client hung up until its work is over, so hang-ups cannot pile work up', async () => {
    const body = pods(240, 3);
    const hangUp = () =>
      new Promise<void>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: inj.previewPort, ca: inj.ca.cert }, () => {
          s.write(`POST /preview HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
          s.end(body, () =>
            setTimeout(() => {
              s.destroy();
              resolve();
            }, 100),
          );
        });
        s.on('error', reject);
      });
    await Promise.all([hangUp(), hangUp()]);
    const third = await inj.post('/preview', pods(1));
    assert.equal(third.status, 429, 'both slots still taken by work in progress');
    let after = third;
    for (let i = 0; i < 100 && after.status === 429; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await inj.post('/preview', pods(1));
    }
    assert.equal(after.status, 200, 'served once the abandoned work is done');
  });

  it('answers every refusal as JSON with a code', async () => {
    const bad = async (path: string, body: string, type: string) => {
      const r = await inj.post(path, body, { 'content-type': type });
      return [r.status, r.json().error.code];
    };
    assert.deepEqual(await bad('/preview', '{}', 'text/plain'), [415, 'UNSUPPORTED_MEDIA_TYPE']);
    assert.deepEqual(await bad('/preview', 'kind: [', 'application/yaml'), [400, 'INVALID_OBJECT']);
    assert.deepEqual(await bad('/preview?namespaceLabels=novalue', '{}', 'application/json'), [400, 'BAD_REQUEST']);
    assert.deepEqual(await bad('/preview', '', 'application/json'), [400, 'BAD_REQUEST']);
    assert.deepEqual(await bad('/previews', '{}', 'application/json'), [404, 'NOT_FOUND']);
  });

  it('answers /inject promptly while the preview works on a large List', async () => {
    const busy = [inj.post('/preview', pods(240, 3)), inj.post('/preview', pods(240, 3))];
    await new Promise((r) => setTimeout(r, 200));
    const worst: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await inj.post('/inject', review(`busy-${i}`));
      assert.equal(r.status, 200);
      assert.equal(r.json().response.allowed, true);
      worst.push(performance.now() - t0);
    }
    const previews = await Promise.all(busy);
    assert.deepEqual(
      previews.map((p) => p.status),
      [200, 200],
      'the previews were still busy or done, not refused',
    );
    assert.ok(Math.max(...worst) < 1_000, `each admission within 1 s (${worst.map((x) => x.toFixed(0)).join(', ')} ms)`);
  });
});

describe('the /preview answer cap', function () {
  this.timeout(60_000);
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector({ nativeSidecars: 'false', previewLimits: { maxAnswerBytes: 200_000, heapMb: 256 } });
  });
  after(() => inj.stop(1000));

  it('refuses an answer over the byte cap, naming its size and the cap', async () => {
    const r = await inj.post('/preview', pods(60));
    assert.equal(r.status, 413);
    assert.equal(r.json().error.code, 'PREVIEW_ANSWER_TOO_LARGE');
    assert.match(r.json().error.message, /^preview answer would be \d+ bytes \(60 objects\), over the cap of 200000: send fewer objects$/);
    assert.equal((await inj.post('/preview', pods(2))).status, 200);
  });
});

describe('the /preview time budget', function () {
  this.timeout(60_000);
  let inj: TestInjector;
  // a budget of 1 ms: any real preview runs past it (parsing this body alone takes longer), so the
  // answer does not depend on how fast the machine is
  before(async () => {
    inj = await startTestInjector({ nativeSidecars: 'false', previewLimits: { budgetMs: 1, heapMb: 256 } });
  });
  after(() => inj.stop(1000));

  it('stops a preview past its time budget with 503 naming the budget, while /healthz and /inject answer', async () => {
    const r = await inj.post('/preview', pods(240, 16, true));
    assert.equal(r.status, 503, r.body.slice(0, 300));
    const error = r.json().error;
    // termination answers PREVIEW_TIMEOUT; the core's own check (80 % of the budget) BUDGET_EXCEEDED
    if (error.code === 'PREVIEW_TIMEOUT')
      assert.equal(error.message, 'the preview ran past its time budget of 0.001 s and was stopped: send fewer or smaller objects');
    else assert.match(`${error.code}: ${error.message}`, /^BUDGET_EXCEEDED: the injector ran out of its time budget for this request while /);
    assert.equal((await inj.ops('/healthz')).status, 200);
    assert.equal((await inj.post('/inject', review('after-timeout'))).status, 200);
  });
});

describe('the /preview memory budget', function () {
  this.timeout(60_000);
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector({ nativeSidecars: 'false', previewLimits: { heapMb: 32 } });
  });
  after(() => inj.stop(1000));

  it('stops a preview that runs out of its heap with 413 naming the budget; the process lives on and the next preview is served', async () => {
    const r = await inj.post('/preview', pods(240, 8));
    assert.equal(r.status, 413, r.body.slice(0, 300));
    assert.deepEqual(r.json().error, {
      code: 'PREVIEW_OUT_OF_MEMORY',
      message: 'the preview ran out of its memory budget (32 MB of heap) and was stopped: send fewer or smaller objects',
    });
    assert.equal((await inj.ops('/healthz')).status, 200);
    assert.equal((await inj.post('/inject', review('after-oom'))).status, 200);
    assert.equal((await inj.post('/preview', pods(1))).status, 200);
  });
});

describe('the /preview worker, from bin/sidecar-injector.js', function () {
  this.timeout(60_000);

  it('previews when the CLI registered tsx through its API (the worker gets it too)', async () => {
    const child = await spawnInjector(['--no-cluster'], [], { viaBin: true });
    try {
      const r = await postTo(child.previewPort, child.ca.cert, '/preview?namespaceLabels=istio-injection=enabled', pods(1));
      assert.equal(r.status, 200, r.body);
      assert.equal(JSON.parse(r.body).items[0].inject, true);
    } finally {
      await child.stop();
    }
  });
});

describe("the /preview memory budget under the image's node options", function () {
  this.timeout(60_000);

  it('holds the worker to its 64 MB heap although node runs with --max-old-space-size=256 (as the image does)', async () => {
    // ~1.2 MB of YAML whose parse needs far more than 64 MB of heap but less than 256 MB: with an alias of a
    // list, it is read by `yaml` (about 1 KB of heap a value), not js-yaml (core/yaml-quick.ts)
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}: v`).join('\n');
    const wide = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: wide\nspec:\n  containers:\n  - name: app\n    image: nginx\nx: &x [1]\ny: *x\n${keys}\n`;
    const child = await spawnInjector(['--no-cluster'], ['--max-semi-space-size=8', '--max-old-space-size=256']);
    try {
      const r = await postTo(child.previewPort, child.ca.cert, '/preview', wide);
      assert.equal(r.status, 413, r.body.slice(0, 300));
      assert.equal(JSON.parse(r.body).error.code, 'PREVIEW_OUT_OF_MEMORY');
      const small = await postTo(child.previewPort, child.ca.cert, '/preview?namespaceLabels=istio-injection=enabled', pods(1));
      assert.equal(JSON.parse(small.body).items[0].inject, true, 'the next preview is served');
    } finally {
      await child.stop();
    }
  });
});
