// Soak: a steady rate for five minutes (SOAK_SECONDS to change it). Resident memory must not grow by
// 10 % or more after warm-up, and handles must not pile up.
import assert from 'node:assert/strict';
import { spawnInjector, type ChildInjector } from '../helpers/child-injector.ts';
import { metricValue } from '../helpers/server.ts';
import { percentile, steadyLoad } from '../helpers/steady-load.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const RATE = 200;

const review = (i: number) => JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
  request: { uid: `soak-${i}`, kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: `ns-${i % 50}`, object: {
    apiVersion: 'v1', kind: 'Pod', metadata: { generateName: `app-${i % 200}-`, labels: { app: `app-${i % 200}` }, annotations: i % 7 === 0 ? { 'sidecar.istio.io/inject': 'false' } : {} },
    spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 + (i % 10) }], env: Array.from({ length: i % 30 }, (_, k) => ({ name: `E${k}`, value: `v${i}` })) }] } } } });

describe(`soak: ${RATE} requests/s for ${SECONDS} s`, function () {
  this.timeout((SECONDS + 120) * 1000);
  let inj: ChildInjector;
  before(async () => { inj = await spawnInjector(['--native-sidecars', 'true', '--log-level', 'warn']); });
  after(() => inj.stop());

  it('keeps memory flat and handles bounded, answering every request', async () => {
    const samples: Array<{ t: number; rss: number; handles: number }> = [];
    const sampler = setInterval(async () => {
      const m = await inj.metrics().catch(() => '');
      const rss = metricValue(m, 'process_resident_memory_bytes');
      const handles = metricValue(m, 'nodejs_active_handles_total');
      if (rss !== undefined && handles !== undefined) samples.push({ t: samples.length * 10, rss, handles });
    }, 10_000);
    const r = await steadyLoad({ port: inj.webhookPort, ca: inj.ca.cert, rate: RATE, durationMs: SECONDS * 1000, make: (i) => ({ body: review(i), allowed: true }) });
    clearInterval(sampler);
    const warm = samples.filter((s) => s.t >= Math.min(60, SECONDS / 3));
    const mb = (b: number) => (b / 1048576).toFixed(1);
    const first = warm.slice(0, 3).reduce((a, s) => a + s.rss, 0) / Math.min(3, warm.length);
    const last = warm.slice(-3).reduce((a, s) => a + s.rss, 0) / Math.min(3, warm.length);
    const drift = (last - first) / first;
    const handles = warm.map((s) => s.handles);
    console.log(`      ${r.sent} requests, ${r.failures.length} failed; p50 ${percentile(r.latenciesMs, 0.5).toFixed(2)} ms, p99 ${percentile(r.latenciesMs, 0.99).toFixed(2)} ms`);
    console.log(`      RSS after warm-up ${mb(first)} MB -> end ${mb(last)} MB (drift ${(drift * 100).toFixed(1)} %), peak ${mb(Math.max(...samples.map((s) => s.rss)))} MB; handles ${Math.min(...handles)}..${Math.max(...handles)}`);
    assert.deepEqual(r.failures.slice(0, 5), []);
    assert.ok(warm.length >= 3, 'enough samples');
    assert.ok(drift < 0.1, `RSS grew ${(drift * 100).toFixed(1)} % after warm-up`); // shrinking is not a leak
    assert.ok(Math.max(...handles) - Math.min(...handles) <= 8, `handles ${Math.min(...handles)}..${Math.max(...handles)}`);
  });
});
