import assert from 'node:assert/strict';
import { readTemplatesDir } from '../../src/config/files.ts';
import { InjectionError } from '../../src/core/errors.ts';
import { injectPod } from '../../src/core/inject.ts';
import type { Pod } from '../../src/core/types.ts';
import { buildSettings } from '../../src/core/settings/index.ts';
import { PINNED_PROXY_TAG } from '../../src/core/settings/default-values.ts';
import { proxyConfigJson, applyMeshConfig } from '../../src/core/settings/mesh.ts';

const templates = readTemplatesDir();

function failsNaming(input: Parameters<typeof buildSettings>[0], subject: string): void {
  assert.throws(
    () => buildSettings(input),
    (e: unknown) => {
      assert.ok(e instanceof InjectionError, String(e));
      assert.equal(e.code, 'INVALID_SETTING');
      assert.equal(e.subject, subject, e.message);
      assert.ok(e.message.includes(subject), e.message);
      return true;
    },
  );
}

describe('settings: Istio-shaped config, values and mesh config', () => {
  it("defaults to Istio's chart values with a released proxy image", () => {
    const s = buildSettings({ templates });
    const g = s.values.global as any;
    assert.equal(g.hub, 'docker.io/istio');
    assert.equal(g.tag, PINNED_PROXY_TAG);
    assert.equal(g.proxy.statusPort, 15020);
    assert.equal(s.config.policy, 'enabled');
    assert.deepEqual(s.config.defaultTemplates, ['sidecar']);
    assert.equal((s.mesh as any).proxyListenPort, 15001);
    assert.equal((s.mesh.defaultConfig as any).statusPort, 15020);
  });

  it("applies --set to values, mesh and config, with Helm's scalar typing", () => {
    const s = buildSettings({
      templates,
      sets: [
        'values.global.proxy.statusPort=123',
        'values.global.hub=example.com/x',
        'mesh.defaultConfig.proxyMetadata.FOO=bar',
        'config.policy=disabled',
        'values.global.imagePullSecrets={a,b}',
        'values.global.proxy.holdApplicationUntilProxyStarts=true',
      ],
    });
    const g = s.values.global as any;
    assert.equal(g.proxy.statusPort, 123);
    assert.equal(g.hub, 'example.com/x');
    assert.deepEqual(g.imagePullSecrets, ['a', 'b']);
    assert.equal(g.proxy.holdApplicationUntilProxyStarts, true);
    assert.deepEqual((s.mesh.defaultConfig as any).proxyMetadata, { FOO: 'bar' });
    assert.equal((s.mesh.defaultConfig as any).discoveryAddress, 'istiod.istio-system.svc:15012', 'defaultConfig merges over the defaults');
    assert.equal(s.config.policy, 'disabled');
  });

  it("takes policy, selectors and templates from values as Istio's chart does, and a config document over them", () => {
    const values = JSON.stringify({
      global: { proxy: { autoInject: 'disabled' } },
      sidecarInjectorWebhook: { alwaysInjectSelector: [{ matchLabels: { a: 'b' } }], templates: { extra: 'spec: {}' } },
    });
    const s = buildSettings({ templates, values });
    assert.equal(s.config.policy, 'disabled');
    assert.deepEqual(s.config.alwaysInjectSelector, [{ matchLabels: { a: 'b' } }]);
    assert.ok(s.templates.names.includes('extra') && s.templates.names.includes('sidecar'));
    const t = buildSettings({ templates, values, config: 'policy: enabled\naliases:\n  both: [sidecar, extra]\n' });
    assert.equal(t.config.policy, 'enabled');
    assert.deepEqual(t.config.aliases, { both: ['sidecar', 'extra'] });
  });

  it('fails at load naming the key that is wrong', () => {
    failsNaming({ templates, sets: ['values.global.proxy.statusPort=http'] }, 'values.global.proxy.statusPort');
    failsNaming({ templates, sets: ['values.global.proxy.statusPort=70000'] }, 'values.global.proxy.statusPort');
    failsNaming({ templates, values: '{"global": {"proxy": {"resources": {"limits": {"cpu": "lots"}}}}}' }, 'values.global.proxy.resources');
    failsNaming({ templates, values: '{"global": {"proxy": {"autoInject": 1}}}' }, 'values.global.proxy.autoInject');
    failsNaming({ templates, mesh: 'proxyListenPort: -1' }, 'mesh.proxyListenPort');
    failsNaming(
      { templates, mesh: 'defaultConfig:\n  holdApplicationUntilProxyStarts: yes please' },
      'mesh.defaultConfig.holdApplicationUntilProxyStarts',
    );
    failsNaming({ templates, config: 'policy: [enabled]' }, 'config.policy');
    failsNaming(
      { templates, config: 'neverInjectSelector:\n- matchExpressions:\n  - key: a\n    operator: [In]' },
      'config.neverInjectSelector[0].matchExpressions[0]',
    );
    failsNaming({ templates, values: '{not json' }, 'values');
    failsNaming({ templates, sets: ['global.hub=x'] }, 'global.hub');
    failsNaming({ templates, nativeSidecars: 'yes' as never }, 'nativeSidecars');
  });

  it('fails at load when a map the templates read through is not a map, or a defaulted key is null', () => {
    failsNaming({ templates, values: 'global: {proxy: "x"}' }, 'values.global.proxy');
    failsNaming({ templates, values: 'global: [1]' }, 'values.global');
    failsNaming({ templates, values: 'global: {hub: ~}' }, 'values.global.hub');
    failsNaming({ templates, sets: ['values.global.proxy_init=x'] }, 'values.global.proxy_init');
    failsNaming({ templates, mesh: 'inboundTrafficPolicy: PASSTHROUGH' }, 'mesh.inboundTrafficPolicy');
    failsNaming({ templates, values: 'global: {network: ~}' }, 'values.global.network');
    assert.throws(() => buildSettings({ templates, values: 'global: {network: ~}' }), /remove the key to keep the default/);
    // null where the built-in values hold nothing is absent, as before
    assert.equal(buildSettings({ templates, values: 'istio_cni: {enabled: ~}' }).values.istio_cni && true, true);
  });

  it('reads an empty document of any form as no overrides', () => {
    for (const text of ['', '# only a comment', 'null', '~', '---']) {
      const s = buildSettings({ templates, values: text, mesh: text, config: text });
      assert.equal((s.values.global as any).hub, 'docker.io/istio', JSON.stringify(text));
      assert.equal((s.mesh as any).proxyListenPort, 15001);
      assert.deepEqual(s.config.defaultTemplates, ['sidecar']);
    }
  });

  it('reports a template that does not parse as broken, naming the line, and loads the rest', () => {
    const s = buildSettings({ templates: { ...templates, broken: 'spec:\n\n  {% if %}\n', other: 'spec:\n  a: {{ x \n' } });
    assert.match(s.brokenTemplates.broken ?? '', /^a Liquid template \("\{% if" at line 3\)/);
    assert.match(s.brokenTemplates.other ?? '', /^Go template: template: other:2: /);
    assert.deepEqual(Object.keys(s.brokenTemplates).sort(), ['broken', 'other']);
    assert.deepEqual(s.templates.names, [...Object.keys(templates), 'broken', 'other'].sort());
  });

  it("writes PROXY_CONFIG with only the fields that differ from Istio's defaults", () => {
    const mesh = applyMeshConfig({
      defaultConfig: { discoveryAddress: 'istiod.istio-system.svc:15012', concurrency: 0, proxyMetadata: { Z: '1', A: '2' } },
    });
    assert.equal(proxyConfigJson(mesh.defaultConfig as any), '{"concurrency":0,"proxyMetadata":{"A":"2","Z":"1"}}');
    assert.equal(proxyConfigJson(applyMeshConfig(undefined).defaultConfig as any), '{}');
  });
});

describe('values with quoted integers, as istiod reads them (protojson takes "15021")', () => {
  it('loads statusPort "15021" and injects the same pod as with 15021', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { containers: [{ name: 'app', image: 'a' }] } } as Pod;
    const withValues = (values: string) => buildSettings({ values, templates: readTemplatesDir(), nativeSidecars: 'false' });
    const quoted = injectPod(structuredClone(pod), { settings: withValues('{"global":{"proxy":{"statusPort":"15021"}}}'), namespace: 'n' });
    const plain = injectPod(structuredClone(pod), { settings: withValues('{"global":{"proxy":{"statusPort":15021}}}'), namespace: 'n' });
    assert.deepEqual(quoted.pod, plain.pod);
    assert.ok(JSON.stringify(plain.pod).includes('15021'));
  });
});
