// One compile entry point per template: every template is Go text/template, and a template that does not
// compile is a problem of its own, named, that leaves the others compiled.
import assert from 'node:assert/strict';
import { readTemplatesDir } from '../../src/config/files.ts';
import { compileTemplates } from '../../src/core/render/engine.ts';
import type { RenderContext } from '../../src/core/render/template-data.ts';
import { defaultSettings } from '../helpers/settings.ts';

/** A render of a plain pod with the default settings. */
const CTX: RenderContext = {
  settings: defaultSettings(),
  pod: { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'app' }] } },
  workload: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default' },
  proxyConfig: {},
  nativeSidecars: false,
  holdProxy: false,
  network: '',
  interceptionMode: '',
};

describe('template compile entry point', () => {
  it("compiles every built-in template as Go text/template, Istio's four that inject pods among them", () => {
    const t = compileTemplates(readTemplatesDir());
    assert.deepEqual(t.broken, {});
    for (const name of ['sidecar', 'gateway', 'grpc-agent', 'grpc-simple']) assert.ok(t.names.includes(name), name);
  });

  it("reports a Go template's syntax error as Go's, and a left-over Liquid one with a hint, each by name; the others compile", () => {
    const t = compileTemplates({
      ...readTemplatesDir(),
      gateway: 'spec:\n  {{- if .Values }}\n',
      typo: 'spec:\n  {% if %}\n',
      fine: 'metadata:\n  labels:\n    a: {{ "b" }}\n',
    });
    assert.match(t.broken.gateway ?? '', /^Go template: template: gateway:\d+: unexpected EOF$/);
    assert.equal(t.broken.typo, 'a Liquid template ("{% if" at line 2): templates are Go text/template, as in Istio\'s ConfigMap');
    assert.deepEqual(Object.keys(t.broken).sort(), ['gateway', 'typo']);
    assert.deepEqual(t.render('fine', CTX), { metadata: { labels: { a: 'b' } } });
    assert.throws(
      () => t.render('gateway', CTX),
      (e: any) => e.code === 'TEMPLATE_BROKEN' && e.subject === 'gateway' && /template "gateway" is broken.*unexpected EOF/.test(e.message),
    );
    assert.throws(
      () => t.render('nosuch', CTX),
      (e: any) => e.code === 'TEMPLATE_NOT_FOUND',
    );
  });
});
