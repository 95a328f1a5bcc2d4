// One compile entry point per template: the dialect is told per template (Liquid or Go text/template), and a
// template that does not compile is a problem of its own, named, that leaves the others compiled.
import assert from 'node:assert/strict';
import { readTemplatesDir } from '../../src/config/files.ts';
import { compileTemplates } from '../../src/core/render/engine.ts';
import { templateDialect } from '../../src/core/render/compile.ts';
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
  it('tells Liquid from Go per template', () => {
    const liquid = ['{%- assign g = values.global -%}\nimage: {{ g.hub }}', 'labels:\n  a: {{ objectMeta.name }}', 'spec: {}', '{{- "x" -}}'];
    const go = [
      'image: {{ .Values.global.hub }}',
      '{{- if .Values }}x{{ end }}',
      '{{/* a comment */}}',
      '{{ $x := 1 }}',
      '{{ define "r" }}{{ end }}',
      'a: {{ template "r" . }}',
      'b: {{- range $k, $v := .X }}{{ end }}',
    ];
    for (const t of liquid) assert.equal(templateDialect(t), 'liquid', t);
    for (const t of go) assert.equal(templateDialect(t), 'go', t);
    // the built-in files: each one's extension says its dialect, and the detection agrees
    const builtin = readTemplatesDir();
    assert.equal(templateDialect(builtin.sidecar!), 'liquid');
    assert.equal(templateDialect(builtin['capture-native']!), 'go');
  });

  it("reports a Go template's syntax error as Go's, and a Liquid one with its line, each by name; the others compile", () => {
    const t = compileTemplates({
      ...readTemplatesDir(),
      gateway: 'spec:\n  {{- if .Values }}\n',
      typo: 'spec:\n  {% if %}\n',
      fine: 'metadata:\n  labels:\n    a: {{ "b" }}\n',
    });
    assert.match(t.broken.gateway ?? '', /^Go template: template: gateway:\d+: unexpected EOF$/);
    assert.match(t.broken.typo ?? '', /^Liquid template, line 2: /);
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
