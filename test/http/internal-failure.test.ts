// A bug while admitting (here: settings whose every read throws) must still answer the API server with
// an AdmissionReview carrying the request's uid and refusing the pod (INTERNAL), on the fast path and on
// the large-admission path alike: a bare 500 is a webhook failure the API server cannot explain.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Settings } from '../../src/core/settings/index.ts';
import { injectHandler } from '../../src/http/inject-handler.ts';
import { LARGE_ADMISSION_DEFAULTS, LargeAdmissions } from '../../src/http/large-admission.ts';
import { Metrics } from '../../src/http/metrics.ts';
import { plainPod, reviewJson } from '../helpers/admission.ts';

const broken = new Proxy(
  {},
  {
    get() {
      throw new TypeError('a bug reading settings');
    },
  },
) as Settings;

function post(
  port: number,
  body: string,
): Promise<{ status: number; json: { response: { uid: string; allowed: boolean; status: { reason: string; message: string } } } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/inject',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('an unexpected failure while admitting', function () {
  this.timeout(30_000);
  let server: Server;
  let large: LargeAdmissions;
  let port: number;
  before(async () => {
    const metrics = new Metrics();
    large = new LargeAdmissions({ ...LARGE_ADMISSION_DEFAULTS, thresholdBytes: 4 * 1024 }, metrics);
    const rt = { settings: () => broken, metrics, logger: pino({ level: 'silent' }), readiness: () => ({ ready: true, reasons: [] }) };
    server = createServer(injectHandler(rt, large));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    large.close();
    server.close();
  });

  const review = (uid: string, padding = 0) => reviewJson(uid, plainPod('p', { annotations: { pad: 'x'.repeat(padding) } }));

  for (const [path, padding] of [
    ['the fast path', 0],
    ['the large-admission worker', 8 * 1024],
  ] as const) {
    it(`on ${path}: an AdmissionReview with the uid, refusing the pod as INTERNAL`, async () => {
      const r = await post(port, review(`uid-${padding}`, padding));
      assert.equal(r.status, 200);
      assert.equal(r.json.response.uid, `uid-${padding}`);
      assert.equal(r.json.response.allowed, false);
      assert.equal(r.json.response.status.reason, 'INTERNAL');
      assert.match(r.json.response.status.message, /failed unexpectedly while admitting this pod/);
    });
  }
});
