// The plain-HTTP door as the kubelet and Prometheus use it: its three routes matched as a router would
// (any case, a trailing slash, a query), HEAD answered without a body, anything else a 404 naming them.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';

function call(port: number, method: string, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

describe('the ops door (health, readiness, metrics)', () => {
  let inj: TestInjector;
  before(async () => {
    inj = await startTestInjector();
  });
  after(() => inj.stop(1000));

  it('answers its routes in any case, with a trailing slash or a query, as text', async () => {
    for (const path of ['/healthz', '/HEALTHZ', '/healthz/', '/healthz?verbose=1']) {
      assert.deepEqual(await call(inj.opsPort, 'GET', path), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' }, path);
    }
    assert.equal((await call(inj.opsPort, 'GET', '/readyz')).body, 'ok\n');
    const metrics = await call(inj.opsPort, 'GET', '/metrics/');
    assert.match(metrics.type, /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.body, /^sidecar_injection_requests_total /m);
  });

  it('answers HEAD without a body, and other methods or paths with a 404 naming the routes', async () => {
    assert.deepEqual(await call(inj.opsPort, 'HEAD', '/healthz'), { status: 200, type: 'text/plain; charset=utf-8', body: '' });
    for (const [method, path] of [
      ['POST', '/healthz'],
      ['GET', '/'],
      ['GET', '/healthzz'],
      ['DELETE', '/metrics'],
    ] as const) {
      const r = await call(inj.opsPort, method, path);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.body, 'not found: GET /healthz, /readyz or /metrics\n');
    }
  });
});
