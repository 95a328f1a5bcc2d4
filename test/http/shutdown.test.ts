import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startTestInjector } from '../helpers/server.ts';

describe('graceful shutdown', () => {
  it('finishes a request in flight, then stops accepting', async () => {
    const inj = await startTestInjector();
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'slow',
        kind: { group: '', kind: 'Pod' },
        namespace: 'default',
        object: { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'a' }] } },
      },
    });
    const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: inj.webhookPort,
          path: '/inject',
          method: 'POST',
          ca: inj.ca.cert,
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
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
      req.write(body.slice(0, 20)); // the request is in flight: headers and part of the body
      setTimeout(() => req.end(body.slice(20)), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const stopped = inj.stop(5000);
    const r = await reply;
    await stopped;
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).response.uid, 'slow');
    await assert.rejects(inj.post('/inject', body), /ECONNREFUSED/);
  });
});
