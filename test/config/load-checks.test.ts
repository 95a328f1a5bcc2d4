// A config is only loaded when it works: the settings source rejects values of the wrong type (naming the
// key and the type wanted) and a config whose default templates cannot inject a plain pod, and keeps the
// settings it had. An empty values document means "no overrides", whatever form the emptiness takes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSettingsSource, type SettingsSource } from '../../src/config/config-dir.ts';
import { injectPod } from '../../src/core/inject.ts';
import type { Settings } from '../../src/core/settings/index.ts';
import type { Pod } from '../../src/core/types.ts';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
const proxyImage = (s: Settings): string | undefined => {
  const out = injectPod(pod, { settings: s, namespace: 'd' }).pod;
  return [...out.spec.containers, ...(out.spec.initContainers ?? [])].find((c) => c.name === 'istio-proxy')?.image;
};

/** Loads a directory with the given files once; reports the settings or the failure. */
function loadDir(files: Record<string, string>): { settings?: Settings; error?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'si-load-'));
  let error: string | undefined;
  let src: SettingsSource | undefined;
  try {
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    src = startSettingsSource(
      { dir, nativeSidecars: 'false', pollMs: 60_000 },
      {
        loaded() {},
        failed(e) {
          error = e.message;
        },
      },
    );
    return { settings: src.current(), error };
  } finally {
    src?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function rejected(files: Record<string, string>, ...parts: RegExp[]): string {
  const r = loadDir(files);
  assert.equal(r.settings, undefined, 'must not load');
  assert.ok(r.error, 'a reason');
  for (const p of parts) assert.match(r.error!, p);
  return r.error!;
}

describe('config load checks', () => {
  describe('values of the wrong type are refused, naming the key and the type wanted', () => {
    const cases: Array<[string, RegExp]> = [
      ['global: {proxy: "x"}', /values\.global\.proxy: must be a mapping/],
      ['global: []', /values\.global: must be a mapping/],
      ['global:', /values\.global: must be a mapping/],
      ['global: {proxy: {resources: 5}}', /values\.global\.proxy\.resources: must be a mapping/],
      ['global: {proxy_init: "x"}', /values\.global\.proxy_init: must be a mapping/],
      ['global: {hub: null}', /values\.global\.hub: must be a string/],
      ['global: {proxy: {statusPort: "x"}}', /values\.global\.proxy\.statusPort: must be a port number/],
      ['pilot: {cni: {enabled: "yes"}}', /values\.pilot\.cni\.enabled: must be true or false/],
      ['sidecarInjector: 3', /values\.sidecarInjector: must be a mapping/],
    ];
    for (const [values, want] of cases) {
      it(JSON.stringify(values), () => {
        rejected({ values }, want);
      });
    }
  });

  describe('mesh and config of the wrong type are refused the same way', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ mesh: 'defaultConfig: "x"' }, /mesh\.defaultConfig: must be a mapping/],
      [{ mesh: 'inboundTrafficPolicy: "x"' }, /mesh\.inboundTrafficPolicy: must be a mapping/],
      [{ mesh: 'defaultConfig: {proxyMetadata: [a]}' }, /proxyMetadata: must be a mapping of strings to strings/],
      [{ config: 'defaultTemplates: sidecar' }, /config\.defaultTemplates: must be a list of strings/],
      [{ config: 'templates: {sidecar: 5}' }, /config\.templates: must be a mapping of strings to strings/],
      [{ config: 'aliases: {a: b}' }, /config\.aliases\.a: must be a list of template names/],
    ];
    for (const [files, want] of cases) {
      it(JSON.stringify(files), () => {
        rejected(files, want);
      });
    }
  });

  it('treats every empty values document as "no overrides": the image stays the built-in default', () => {
    const dflt = proxyImage(loadDir({}).settings!);
    assert.match(dflt!, /^docker\.io\/istio\/proxyv2:/);
    for (const values of ['', '\n  \n', '# nothing here yet\n', 'null', '~', '---\n', '{}']) {
      const r = loadDir({ values });
      assert.equal(r.error, undefined, `${JSON.stringify(values)}: ${r.error}`);
      assert.equal(proxyImage(r.settings!), dflt, JSON.stringify(values));
    }
    assert.equal(proxyImage(loadDir({ values: 'global: {hub: my.registry}' }).settings!)?.startsWith('my.registry/'), true);
  });

  describe('a config whose default templates cannot inject a plain pod is refused', () => {
    it('a default template that throws when rendered', () => {
      rejected({ 'sidecar.tmpl': 'spec:\n  x: {{ fail "nowhere" }}\n' }, /template(?: "sidecar"|: sidecar:)/, /plain pod/);
    });
    it('a default template that renders text that is not YAML', () => {
      rejected({ 'sidecar.tmpl': 'spec: [\n' }, /template(?: "sidecar"|: sidecar:)/);
    });
    it('a default template that renders a container without an image', () => {
      rejected({ 'sidecar.tmpl': 'spec:\n  containers:\n  - name: helper\n' }, /helper/, /image/);
    });
    it('values that make the proxy image unpullable (an empty hub or tag)', () => {
      rejected({ values: 'global: {hub: ""}' }, /container "istio-proxy"/, /"\/proxyv2:[^"]*", which is not an image reference/);
      rejected({ values: 'global: {tag: ""}' }, /container "istio-proxy"/, /not an image reference/);
      const r = loadDir({ values: 'global: {hub: "registry.local:5000/mirror/istio", tag: "1.28.0-distroless"}' });
      assert.equal(r.error, undefined, 'a registry with a port and a path is an image reference');
    });
    it('defaultTemplates naming a template that does not exist', () => {
      rejected({ config: 'defaultTemplates: [sidecar, nosuch]' }, /nosuch/);
    });
    it('an alias naming a template that fails: the config loads, the template and the alias are reported broken', () => {
      const r = loadDir({ config: 'aliases: {extra: [sidecar, broken]}', 'broken.tmpl': 'spec:\n  x: {{ fail "nowhere" }}\n' });
      assert.equal(r.error, undefined);
      assert.match(
        r.settings!.brokenTemplates.broken ?? '',
        /injecting a plain pod with it fails: template: broken:2:8: executing "broken" at <fail "nowhere">: error calling fail: nowhere/,
      );
      assert.match(r.settings!.brokenTemplates.extra ?? '', /template "broken" is broken/);
      assert.deepEqual(Object.keys(r.settings!.brokenTemplates).sort(), ['broken', 'extra']);
    });
    it('a template only some pods ask for that fails: the config still loads, and pods that ask for it are refused naming it', () => {
      const r = loadDir({ 'fails.tmpl': 'spec:\n  x: {{ fail "nowhere" }}\n' });
      assert.equal(r.error, undefined);
      assert.ok(r.settings);
      assert.deepEqual(Object.keys(r.settings.brokenTemplates), ['fails']);
      const asking = { ...pod, metadata: { ...pod.metadata, annotations: { 'inject.istio.io/templates': 'sidecar,fails' } } };
      assert.throws(
        () => injectPod(asking, { settings: r.settings!, namespace: 'd' }),
        (e: any) => e.code === 'TEMPLATE_BROKEN' && e.subject === 'fails' && /template "fails" is broken/.test(e.message),
      );
      assert.ok(proxyImage(r.settings), 'a pod that does not ask for it is injected');
    });
    it('a policy of disabled still has its templates tried', () => {
      rejected({ config: 'policy: disabled', 'sidecar.tmpl': 'spec: [\n' }, /template(?: "sidecar"|: sidecar:)/);
    });
  });
});
