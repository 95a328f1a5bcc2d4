// Faults of the Kubernetes API under load: with the API server stopped, then frozen, admissions keep
// succeeding (the webhook never needs the API server to answer), the cluster view reports the trouble in
// /metrics and recovers on its own.
import assert from 'node:assert/strict';
import { spawnInjector, type ChildInjector } from '../helpers/child-injector.ts';
import { metricValue } from '../helpers/server.ts';
import { percentile, steadyLoad } from '../helpers/steady-load.ts';
import { startControlPlane, waitFor, type ControlPlane } from './harness/index.ts';

const review = (i: number) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `api-${i}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      namespace: 'apps',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'web-' },
        spec: { containers: [{ name: 'web', image: 'web:1' }] },
      },
    },
  });

describe('Kubernetes API faults under load', function () {
  this.timeout(16 * 60_000);
  let cp: ControlPlane;
  let inj: ChildInjector;
  before(async () => {
    cp = await startControlPlane();
    inj = await spawnInjector(['--kubeconfig', cp.kubeconfigPath, '--native-sidecars', 'false']);
  });
  after(async () => {
    await inj?.stop();
    await cp?.stop();
  });

  it('answers every admission while the API server is down or frozen, and shows it in /metrics', async () => {
    const events = async (type: string) => {
      const m = await inj.metrics();
      return (
        (metricValue(m, 'sidecar_injector_informer_events_total', { informer: 'namespaces', type }) ?? 0) +
        (metricValue(m, 'sidecar_injector_informer_events_total', { informer: 'nodes', type }) ?? 0)
      );
    };
    const before = (await events('error')) + (await events('restart'));
    const faults = (async () => {
      await new Promise((r) => setTimeout(r, 2_000));
      await cp.stopApiServer();
      await new Promise((r) => setTimeout(r, 5_000));
      await cp.startApiServer();
      await new Promise((r) => setTimeout(r, 2_000));
      cp.pauseApiServer();
      await new Promise((r) => setTimeout(r, 4_000));
      cp.resumeApiServer();
    })();
    const r = await steadyLoad({
      port: inj.webhookPort,
      ca: inj.ca.cert,
      rate: 300,
      durationMs: 16_000,
      make: (i) => ({ body: review(i), allowed: true }),
    });
    await faults;
    console.log(
      `      ${r.sent} admissions at 300/s through an API server outage and freeze: ${r.failures.length} failed; p99 ${percentile(r.latenciesMs, 0.99).toFixed(1)} ms`,
    );
    assert.deepEqual(r.failures.slice(0, 5), []);
    const after = await waitFor(
      async () => {
        const n = (await events('error')) + (await events('restart'));
        return n > before ? n : undefined;
      },
      { what: 'informer errors or restarts in /metrics', timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.ok(after > before);
    // recovered without a restart: a namespace created now shows up in the injector's view
    await cp.createNamespace('after-outage', { 'istio-injection': 'enabled' });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'a' }] } };
    await waitFor(
      async () => {
        const res = await fetchPreview(inj, JSON.stringify(pod));
        return res.namespaceLabelsSource === 'cluster' ? res : undefined;
      },
      { what: "the new namespace in the injector's cluster view", timeoutMs: 90_000, intervalMs: 500 },
    );
  });
});

async function fetchPreview(inj: ChildInjector, body: string): Promise<{ namespaceLabelsSource: string }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: inj.previewPort,
        path: '/preview?namespace=after-outage',
        method: 'POST',
        ca: inj.ca.cert,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(text));
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
