// Config and certificate change while requests flow: nothing fails, a broken config keeps the last good
// one serving and shows in /metrics, a new certificate is used for new handshakes. A broken config on
// disk is visible (an error log with the reason, sidecar_injector_config_broken 1, /readyz 200 with the
// reason in its body) until a good config is read again, or a file is readable again.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch } from '../../src/core/patch.ts';
import type { Pod } from '../../src/core/types.ts';
import { metricValue, startTestInjector, type TestInjector } from '../helpers/server.ts';
import { writeServerCert } from '../helpers/tls.ts';
import { ConfigMapDir } from '../helpers/configmap-dir.ts';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
const review = (uid: string) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid, kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'default', object: pod },
  });

async function hubOf(inj: TestInjector, uid: string): Promise<string> {
  const r = await inj.post('/inject', review(uid));
  assert.equal(r.status, 200);
  const res = r.json().response;
  assert.equal(res.allowed, true, JSON.stringify(res));
  const out = applyPatch(pod, JSON.parse(Buffer.from(res.patch, 'base64').toString()));
  return out.spec.containers.find((c) => c.name === 'istio-proxy')!.image!;
}

async function until(what: string, ok: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('reload while serving', function () {
  this.timeout(30_000);
  let inj: TestInjector;
  let cm: ConfigMapDir;
  before(async () => {
    cm = new ConfigMapDir({ values: JSON.stringify({ global: { hub: 'one.example' } }), mesh: '' });
    inj = await startTestInjector({ configDir: cm.dir, nativeSidecars: 'false', pollMs: 500 });
  });
  after(async () => {
    await inj.stop(1000);
    rmSync(cm.dir, { recursive: true, force: true });
  });

  it('picks up a ConfigMap update, keeps the last good config when broken, and never fails a request', async () => {
    assert.match(await hubOf(inj, 'a'), /^one\.example\//);
    let failures = 0;
    let sent = 0;
    let flowing = true;
    const flow = (async () => {
      while (flowing && sent < 2000) {
        const r = await inj.post('/inject', review(`f-${sent++}`)).catch(() => undefined);
        if (r?.status !== 200 || r.json().response.allowed !== true) failures++;
      }
    })();
    cm.write({ values: JSON.stringify({ global: { hub: 'two.example' } }), mesh: '' });
    await until('the new hub', async () => (await hubOf(inj, 'b')).startsWith('two.example/'));
    cm.write({ values: '{"global": {"proxy": {"statusPort": "not a port"}}}', mesh: '' });
    await until('the failure in /metrics', async () => metricValue((await inj.ops('/metrics')).body, 'sidecar_injector_config_broken') === 1);
    assert.match(await hubOf(inj, 'c'), /^two\.example\//, 'the last good config keeps serving');
    const m = (await inj.ops('/metrics')).body;
    assert.ok((metricValue(m, 'sidecar_injector_config_reloads_total', { result: 'failure' }) ?? 0) >= 1);
    assert.ok((metricValue(m, 'sidecar_injector_config_last_reload_failure_timestamp_seconds') ?? 0) > 0);
    assert.ok(inj.logs.some((l) => String(l.msg).includes('failed to load') && String(l.error).includes('values.global.proxy.statusPort')));
    cm.write({ values: JSON.stringify({ global: { hub: 'three.example' } }), mesh: '' });
    await until('the repaired config', async () => (await hubOf(inj, 'd')).startsWith('three.example/'));
    assert.equal(metricValue((await inj.ops('/metrics')).body, 'sidecar_injector_config_broken'), 0);
    flowing = false;
    await flow;
    assert.ok(sent > 10, `requests flowed (${sent})`);
    assert.equal(failures, 0);
  });

  it('serves a rotated certificate to new handshakes without a restart, on the webhook and the preview port', async () => {
    const before = (await inj.post('/inject', review('t1'))).peerFingerprint;
    const previewBefore = (await inj.post('/preview', '{"kind":"Service"}')).peerFingerprint;
    assert.equal(previewBefore, before, 'one certificate for both HTTPS listeners');
    await writeServerCert(inj.ca, inj.certDir, 'rotated');
    await until('the new certificate', async () => (await inj.post('/inject', review('t2'))).peerFingerprint !== before);
    const previewAfter = await inj.post('/preview', '{"kind":"Service"}');
    assert.equal(previewAfter.status, 200, previewAfter.body);
    assert.notEqual(previewAfter.peerFingerprint, previewBefore, 'the preview port serves the rotated certificate too');
    const m = (await inj.ops('/metrics')).body;
    assert.ok((metricValue(m, 'sidecar_injector_cert_reloads_total', { result: 'success' }) ?? 0) >= 2);
  });
});

const GOOD = { values: JSON.stringify({ global: { hub: 'good.example' } }) };

const broken = async (inj: TestInjector) => metricValue((await inj.ops('/metrics')).body, 'sidecar_injector_config_broken');

async function assertServingLastGood(inj: TestInjector, reason: RegExp, lastGoodHub = /^good\.example\//): Promise<void> {
  await until('config_broken 1', async () => (await broken(inj)) === 1);
  const ready = await inj.ops('/readyz');
  assert.equal(ready.status, 200, 'the replica still serves the last good config');
  assert.match(ready.body, /configuration on disk is broken/);
  assert.match(ready.body, reason);
  assert.match(await hubOf(inj, `old-${Date.now()}`), lastGoodHub, 'admissions use the last good config');
  assert.equal((await inj.ops('/healthz')).status, 200);
  assert.ok(
    inj.logs.some((l) => l.level === 50 && String(l.msg).includes('last good') && reason.test(String(l.error))),
    'an error log with the reason',
  );
}

async function assertRepaired(inj: TestInjector): Promise<void> {
  await until('config_broken 0', async () => (await broken(inj)) === 0);
  const ready = await inj.ops('/readyz');
  assert.equal(ready.status, 200);
  assert.equal(ready.body, 'ok\n');
}

describe('a broken config while serving', function () {
  this.timeout(40_000);

  describe('through a ConfigMap update', () => {
    let inj: TestInjector;
    let cm: ConfigMapDir;
    before(async () => {
      cm = new ConfigMapDir(GOOD);
      inj = await startTestInjector({ configDir: cm.dir, nativeSidecars: 'false', pollMs: 300 });
    });
    after(async () => {
      await inj.stop(1000);
      rmSync(cm.dir, { recursive: true, force: true });
    });

    const rows: Array<[string, Record<string, string>, RegExp]> = [
      ['a default template that throws', { ...GOOD, 'sidecar.tmpl': 'spec:\n  x: {{ fail "nowhere" }}\n' }, /template(?: "sidecar"|: sidecar:)/],
      ['a default template that renders `spec: [`', { ...GOOD, 'sidecar.tmpl': 'spec: [\n' }, /template(?: "sidecar"|: sidecar:)/],
      ['values with the wrong type', { values: '{"global": {"hub": "bad.example", "proxy": "x"}}' }, /values\.global\.proxy: must be a mapping/],
    ];
    for (const [name, files, reason] of rows) {
      it(`${name}: keeps the last good config, visibly, until a good one is read again`, async () => {
        assert.match(await hubOf(inj, 'before'), /^good\.example\//);
        cm.write(files);
        await assertServingLastGood(inj, reason);
        cm.write(GOOD);
        await assertRepaired(inj);
      });
    }
  });

  it('a file that cannot be read, then is restored as it was: config_broken goes back to 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'si-unreadable-'));
    writeFileSync(join(dir, 'values'), GOOD.values);
    const inj = await startTestInjector({ configDir: dir, nativeSidecars: 'false', pollMs: 300 });
    try {
      rmSync(join(dir, 'values'));
      mkdirSync(join(dir, 'values')); // reading it fails (EISDIR), even as root
      await assertServingLastGood(inj, /EISDIR/);
      rmSync(join(dir, 'values'), { recursive: true });
      writeFileSync(join(dir, 'values'), GOOD.values);
      await assertRepaired(inj);
      assert.match(await hubOf(inj, 'after'), /^good\.example\//);
    } finally {
      await inj.stop(1000);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves --values and --mesh files given as ConfigMaps (kubectl get cm -o yaml), reloaded when a file changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'si-files-'));
    const injectorCm = (hub: string) =>
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: istio-sidecar-injector, namespace: istio-system}',
        'data:',
        `  values: '{"global": {"hub": "${hub}"}}'`,
      ].join('\n');
    writeFileSync(join(dir, 'injector.yaml'), injectorCm('files.example'));
    writeFileSync(join(dir, 'mesh.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio}\ndata:\n  mesh: "defaultConfig: {}"\n');
    const settingsFiles = { values: join(dir, 'injector.yaml'), mesh: join(dir, 'mesh.yaml') };
    const inj = await startTestInjector({ settingsFiles, nativeSidecars: 'false', pollMs: 300 });
    try {
      assert.match(await hubOf(inj, 'first'), /^files\.example\//);
      writeFileSync(join(dir, 'injector.yaml'), injectorCm('edited.example'));
      await until('the edited file', async () => (await hubOf(inj, 'edited')).startsWith('edited.example/'));
      writeFileSync(join(dir, 'injector.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {config: ""}\n');
      await assertServingLastGood(inj, /none has the key "values"/, /^edited\.example\//);
    } finally {
      await inj.stop(1000);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start when the first config does not load, with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'si-first-'));
    writeFileSync(join(dir, 'sidecar.tmpl'), 'spec: [\n');
    try {
      await assert.rejects(
        startTestInjector({ configDir: dir, nativeSidecars: 'false' }),
        /configuration .* does not load.*template(?: "sidecar"|: sidecar:)/s,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
