// Faults under load (300 requests/s over loopback): certificate rotation, a broken then repaired config
// (values of the wrong type, not YAML, a default template that cannot render), a template that fails to
// render for the pods that ask for it. No admission that should succeed fails; each fault shows in /metrics
// and the logs; recovery needs no restart.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ConfigMapDir } from '../helpers/configmap-dir.ts';
import { spawnInjector, type ChildInjector } from '../helpers/child-injector.ts';
import { metricValue } from '../helpers/server.ts';
import { percentile, steadyLoad } from '../helpers/steady-load.ts';
import { writeServerCert } from '../helpers/tls.ts';

const review = (i: number, annotations: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `load-${i}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      namespace: 'load',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'web-', annotations },
        spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }] }] },
      },
    },
  });

const GOOD = { values: JSON.stringify({ global: { hub: 'good.example' } }) };
const BROKEN_TEMPLATE = 'spec:\n  x: {{ fail "nowhere" }}\n';

describe('faults under load', function () {
  this.timeout(120_000);
  let inj: ChildInjector;
  let cm: ConfigMapDir;
  before(async () => {
    cm = new ConfigMapDir({ ...GOOD, 'fails.tmpl': BROKEN_TEMPLATE });
    inj = await spawnInjector(['--config-dir', cm.dir, '--native-sidecars', 'false']);
  });
  after(async () => {
    await inj.stop();
    rmSync(cm.dir, { recursive: true, force: true });
  });

  it('keeps every admission that should succeed succeeding through rotation, a broken config and a failing template', async () => {
    const faults = [
      setTimeout(() => void writeServerCert(inj.ca, inj.certDir, 'rotated-1'), 2_000),
      setTimeout(() => cm.write({ values: '{"global": {"hub": 12, "proxy": {"statusPort": "x"}}}', 'fails.tmpl': BROKEN_TEMPLATE }), 4_000),
      setTimeout(() => cm.write({ values: 'not: [valid', 'fails.tmpl': BROKEN_TEMPLATE }), 6_000),
      // a default template that cannot render: refused at load, the last good one keeps injecting
      setTimeout(() => cm.write({ ...GOOD, 'fails.tmpl': BROKEN_TEMPLATE, 'sidecar.tmpl': 'spec: [\n' }), 7_000),
      setTimeout(() => cm.write({ ...GOOD, 'fails.tmpl': BROKEN_TEMPLATE }), 8_000),
      setTimeout(() => void writeServerCert(inj.ca, inj.certDir, 'rotated-2'), 10_000),
    ];
    // every 10th request asks for the template that cannot render: it must be refused, the rest allowed
    const r = await steadyLoad({
      port: inj.webhookPort,
      ca: inj.ca.cert,
      rate: 300,
      durationMs: 13_000,
      make: (i) =>
        i % 10 === 9 ? { body: review(i, { 'inject.istio.io/templates': 'sidecar,fails' }), allowed: false } : { body: review(i), allowed: true },
    });
    faults.forEach(clearTimeout);
    console.log(
      `      ${r.sent} requests at 300/s: ${r.ok} as expected, ${r.failures.length} not; p50 ${percentile(r.latenciesMs, 0.5).toFixed(2)} ms, p99 ${percentile(r.latenciesMs, 0.99).toFixed(2)} ms`,
    );
    assert.ok(r.sent >= 3500, `sent ${r.sent}`);
    assert.deepEqual(r.failures.slice(0, 10), []);
    const m = await inj.metrics();
    assert.ok((metricValue(m, 'sidecar_injector_config_reloads_total', { result: 'failure' }) ?? 0) >= 3, 'the three broken configs counted');
    assert.ok(
      inj.logs.some((l) => String(l.msg).startsWith('configuration failed to load') && /template(?: "sidecar"|: sidecar:)/.test(String(l.error))),
      'the broken default template named',
    );
    assert.equal(metricValue(m, 'sidecar_injector_config_broken'), 0, 'repaired');
    assert.ok((metricValue(m, 'sidecar_injector_cert_reloads_total', { result: 'success' }) ?? 0) >= 3, 'two rotations after the first load');
    // found failing at load, it is refused as broken (naming it) without being rendered
    assert.ok((metricValue(m, 'sidecar_injection_decisions_total', { result: 'error', reason: 'TEMPLATE_BROKEN' }) ?? 0) > 0);
    assert.equal(metricValue(m, 'sidecar_injector_template_broken', { template: 'fails' }), 1);
    assert.ok(inj.logs.some((l) => l.msg === 'certificate reloaded'));
    assert.ok(inj.logs.some((l) => String(l.msg).startsWith('configuration failed to load')));
    assert.ok(inj.logs.some((l) => l.msg === 'configuration reloaded'));
  });
});
