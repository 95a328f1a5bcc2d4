// A template that fails (to parse, or to render a plain pod) does not take the rest down: the server is
// ready, says which template and why (log, metric, /readyz, /preview), refuses only the pods that ask for
// it, naming it, and injects every other pod. Repaired, it serves again.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { plainPod, reviewJson } from '../helpers/admission.ts';
import { ConfigMapDir } from '../helpers/configmap-dir.ts';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';

// a Go template with an `if` never closed: broken in any build (Go's parser refuses it)
const BROKEN_GO = 'spec:\n  containers:\n  {{- if .Values.global }}\n  - name: istio-proxy\n';
// A Go template that parses but fails when run
const FAILS_TO_RENDER = 'spec:\n  x: {{ fail "nowhere" }}\n';
const WORKING = 'metadata:\n  labels:\n    extra: {{ "added" }}\n';

const configWith = (templates: Record<string, string>) => JSON.stringify({ templates, aliases: { 'gw-alias': ['sidecar', 'gateway'] } });

describe('a broken template does not take the rest down', function () {
  this.timeout(30_000);
  let cm: ConfigMapDir;
  let inj: TestInjector;
  before(async () => {
    cm = new ConfigMapDir({ config: configWith({ gateway: BROKEN_GO, fails: FAILS_TO_RENDER, extra: WORKING }), values: '', mesh: '' });
    inj = await startTestInjector({ configDir: cm.dir, nativeSidecars: 'false', pollMs: 200 });
  });
  after(async () => {
    await inj?.stop(1000);
    if (cm) rmSync(cm.dir, { recursive: true, force: true });
  });

  const admit = async (name: string, templates?: string) => {
    const pod = plainPod(name, templates ? { annotations: { 'inject.istio.io/templates': templates } } : {});
    const r = await inj.post('/inject', reviewJson(name, pod));
    assert.equal(r.status, 200, r.body);
    return r.json().response as { allowed: boolean; patch?: string; status?: { code: number; message: string; reason?: string } };
  };

  it('is ready, and says which templates are broken and why in /readyz, the metrics and the log', async () => {
    const ready = await inj.ops('/readyz');
    assert.equal(ready.status, 200, ready.body);
    assert.match(ready.body, /template "gateway" is broken, pods that ask for it are refused: Go template: template: gateway:\d+: unexpected EOF/);
    assert.match(ready.body, /template "fails" is broken, pods that ask for it are refused: .*"nowhere"/);
    assert.match(ready.body, /template "gw-alias" is broken.*template "gateway" is broken/);
    assert.doesNotMatch(ready.body, /template "(sidecar|extra)"/);
    const metrics = (await inj.ops('/metrics')).body;
    for (const [t, v] of Object.entries({ gateway: 1, fails: 1, 'gw-alias': 1, sidecar: 0, extra: 0 }))
      assert.match(metrics, new RegExp(`^sidecar_injector_template_broken\\{template="${t}"\\} ${v}$`, 'm'), t);
    assert.match(metrics, /^sidecar_injector_config_broken 0$/m);
    const logged = inj.logs.filter((l) => l.msg?.toString().startsWith('injection template is broken')).map((l) => l.template);
    assert.deepEqual(logged.sort(), ['fails', 'gateway', 'gw-alias']);
  });

  it('refuses pods that ask for a broken template or alias, naming it and its problem; serves every other pod', async () => {
    for (const asked of ['gateway', 'sidecar,fails', 'gw-alias']) {
      const r = await admit(`asks-${asked.replace(/,/g, '-')}`, asked);
      assert.equal(r.allowed, false, asked);
      assert.equal(r.status?.code, 400);
      const name = asked.split(',').at(-1)!;
      assert.match(r.status?.message ?? '', new RegExp(`template "${name}" is broken in the injector's configuration`), asked);
      assert.equal(r.status?.reason, 'TEMPLATE_BROKEN');
    }
    const plain = await admit('plain');
    assert.equal(plain.allowed, true);
    assert.ok(plain.patch, 'the default template injects');
    const extra = await admit('extra', 'sidecar,extra');
    assert.equal(extra.allowed, true);
    assert.match(Buffer.from(extra.patch ?? '', 'base64').toString(), /"extra":"added"/);
  });

  it('/preview names the broken templates, and the template a pod asks for', async () => {
    const r = await inj.post('/preview?namespace=apps', JSON.stringify(plainPod('gw', { annotations: { 'inject.istio.io/templates': 'gateway' } })));
    assert.equal(r.status, 200, r.body);
    const answer = r.json();
    assert.deepEqual(Object.keys(answer.brokenTemplates).sort(), ['fails', 'gateway', 'gw-alias']);
    assert.deepEqual(answer.items[0].error, { code: 'TEMPLATE_BROKEN', subject: 'gateway' });
    assert.match(answer.items[0].message, /template "gateway" is broken.*unexpected EOF/);
  });

  it('once repaired, the template serves and its metric goes back to 0', async () => {
    cm.write({ config: configWith({ gateway: WORKING, fails: WORKING, extra: WORKING }), values: '', mesh: '' });
    const deadline = Date.now() + 10_000;
    while (!/template_broken\{template="gateway"\} 0/.test((await inj.ops('/metrics')).body)) {
      assert.ok(Date.now() < deadline, 'the repaired configuration loads within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await admit('gw-fixed', 'gateway');
    assert.equal(r.allowed, true);
    assert.doesNotMatch((await inj.ops('/readyz')).body, /is broken/);
  });
});
