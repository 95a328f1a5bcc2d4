// /preview's answers a user reads: JSON with a code for every refusal (Node's own parse errors too), 405
// with Allow: POST for another method, an object in another namespace than the query's said, not
// silently decided, and the same reason code as the CLI and the webhook give the same pod.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';

function send(inj: TestInjector, method: string, path = '/preview'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: inj.previewPort, path, method, ca: inj.ca.cert, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw bytes over TLS to the preview port; the whole answer. */
function raw(inj: TestInjector, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: inj.previewPort, ca: inj.ca.cert, servername: 'localhost' }, () => s.write(bytes));
    let text = '';
    s.on('data', (c) => {
      text += c;
    });
    s.on('end', () => resolve(text));
    s.on('close', () => resolve(text));
    s.on('error', reject);
  });
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...extra },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});

describe('/preview answers', function () {
  this.timeout(60_000);
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector({ nativeSidecars: 'false' });
  });
  after(() => inj.stop(1000));

  for (const method of ['GET', 'PUT', 'DELETE']) {
    it(`answers ${method} /preview with 405, Allow: POST and a JSON error with a code`, async () => {
      const r = await send(inj, method);
      assert.equal(r.status, 405);
      assert.equal(r.headers.allow, 'POST');
      assert.match(String(r.headers['content-type']), /^application\/json/);
      const { error } = JSON.parse(r.body);
      assert.equal(error.code, 'METHOD_NOT_ALLOWED');
      assert.match(error.message, /\/preview takes POST/);
    });
  }

  it('still answers 404 NOT_FOUND, as JSON, for another path', async () => {
    const r = await send(inj, 'GET', '/nothing');
    assert.equal(r.status, 404);
    assert.equal(JSON.parse(r.body).error.code, 'NOT_FOUND');
  });

  it('answers a request Node cannot parse with JSON and a code, not an empty text body', async () => {
    const answer = await raw(inj, 'NONSENSE\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(answer, /content-type: application\/json/i);
    assert.deepEqual(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)), { error: { code: 'BAD_REQUEST', message: 'malformed HTTP request' } });
  });

  it("warns when an object's namespace differs from the query's, and says which one decided", async () => {
    const r = await inj.post('/preview?namespace=other&namespaceLabels=istio-injection=disabled', JSON.stringify(pod('p', { namespace: 'shop' })));
    assert.equal(r.status, 200, r.body);
    const [item] = r.json().items;
    assert.equal(item.inject, true, 'the labels given for "other" are not applied to "shop"');
    assert.match(item.warnings[0], /metadata\.namespace "shop" differs from the namespace asked for \("other"\): decided for "shop"/);
    const same = (await inj.post('/preview?namespace=shop', JSON.stringify(pod('p', { namespace: 'shop' })))).json().items[0];
    assert.deepEqual(same.warnings, []);
  });

  it('gives a pod that opts out with the label the code the CLI and the webhook give it: LABEL_DISABLED', async () => {
    const optedOut = pod('p', { labels: { 'sidecar.istio.io/inject': 'false' } });
    const preview = (await inj.post('/preview?namespace=shop&namespaceLabels=istio-injection=enabled', JSON.stringify(optedOut))).json().items[0];
    const io = memoryIO(JSON.stringify(optedOut));
    await runCli(['explain', '-f', '-', '-o', 'json'], io);
    const cli = JSON.parse(io.out())[0];
    assert.equal(preview.reason, 'LABEL_DISABLED');
    assert.equal(cli.reason, preview.reason);
  });

  it('gives each item its sidecar shape and warnings, as explain does', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'a' }] } } },
    };
    const [item] = (await inj.post('/preview', JSON.stringify(job))).json().items;
    assert.equal(item.sidecar.mode, 'classic');
    assert.match(item.warnings[0], /never completes/);
  });
});
