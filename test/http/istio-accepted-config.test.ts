// Settings istiod accepts (with a warning in its log) must not take this injector down: it starts, says
// what is odd in its log and in /readyz, and injects as istiod does with them.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { applyPatch } from '../../src/core/patch.ts';
import type { Pod } from '../../src/core/types.ts';
import { plainPod, reviewJson } from '../helpers/admission.ts';
import { ConfigMapDir } from '../helpers/configmap-dir.ts';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';

async function admit(inj: TestInjector, pod: ReturnType<typeof plainPod>): Promise<{ allowed: boolean; pod?: Pod }> {
  const r = await inj.post('/inject', reviewJson(pod.metadata.name, pod));
  assert.equal(r.status, 200, r.body);
  const res = r.json().response;
  if (!res.patch) return { allowed: res.allowed };
  return { allowed: res.allowed, pod: applyPatch(pod as unknown as Pod, JSON.parse(Buffer.from(res.patch, 'base64').toString())) };
}

describe('settings Istio accepts with a warning', function () {
  this.timeout(30_000);
  const dirs: ConfigMapDir[] = [];
  const injectors: TestInjector[] = [];
  after(async () => {
    for (const inj of injectors) await inj.stop(1000);
    for (const d of dirs) rmSync(d.dir, { recursive: true, force: true });
  });
  async function start(files: { config?: string; values?: string }): Promise<TestInjector> {
    const cm = new ConfigMapDir({ mesh: '', config: '', values: '', ...files });
    dirs.push(cm);
    const inj = await startTestInjector({ configDir: cm.dir, nativeSidecars: 'false', pollMs: 500 });
    injectors.push(inj);
    return inj;
  }

  it('serves a pull secret named barSecret and a selector Kubernetes refuses, and says so in /readyz and the log', async () => {
    const inj = await start({
      values: JSON.stringify({ global: { imagePullSecrets: ['barSecret'] } }),
      config: [
        'neverInjectSelector:',
        '- matchExpressions: [{key: team, operator: Near, values: [x]}]',
        '- matchLabels: {"bad key!": x}',
        '- matchLabels: {team: batch}',
      ].join('\n'),
    });
    const ready = await inj.ops('/readyz');
    assert.equal(ready.status, 200);
    assert.match(ready.body, /configuration warning: values\.global\.imagePullSecrets\[0\] "barSecret"/);
    assert.match(ready.body, /configuration warning: config\.neverInjectSelector\[0\].*"Near" is not a label selector operator/);
    assert.match(ready.body, /configuration warning: config\.neverInjectSelector\[1\].*"bad key!" is not a label key/);
    assert.ok(inj.logs.some((l) => l.msg === 'configuration warning' && String(l.warning).includes('barSecret')));

    const injected = await admit(inj, plainPod('web', { labels: { team: 'x' } }));
    assert.equal(injected.allowed, true);
    assert.deepEqual(injected.pod?.spec.imagePullSecrets, [{ name: 'barSecret' }], 'rendered as Istio renders it');
    assert.ok(
      injected.pod?.spec.containers.some((c) => c.name === 'istio-proxy'),
      'the skipped selector matches nothing',
    );
    const batch = await admit(inj, plainPod('job', { labels: { team: 'batch' } }));
    assert.deepEqual(batch, { allowed: true }, 'the valid selector after the skipped ones still keeps the pod out');
  });

  it('serves an unknown policy as Istio does: no pod is injected, not even one that asks', async () => {
    const inj = await start({ config: 'policy: sometimes' });
    assert.match((await inj.ops('/readyz')).body, /configuration warning: config\.policy "sometimes" is neither enabled nor disabled/);
    const asks = await admit(inj, plainPod('asks', { labels: { 'sidecar.istio.io/inject': 'true' } }));
    assert.deepEqual(asks, { allowed: true });
    assert.equal((await inj.ops('/healthz')).status, 200);
  });
});
