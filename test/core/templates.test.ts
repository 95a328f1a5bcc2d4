import assert from 'node:assert/strict';
import { readTemplatesDir } from '../../src/config/files.ts';
import { injectPod } from '../../src/core/inject.ts';
import { buildSettings } from '../../src/core/settings/index.ts';
import type { Pod } from '../../src/core/types.ts';

const builtin = readTemplatesDir();
const pod = (templates: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', annotations: { 'inject.istio.io/templates': templates } },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});

function run(extra: Record<string, string>, templates: string) {
  const settings = buildSettings({ templates: { ...builtin, ...extra }, nativeSidecars: 'false' });
  return injectPod(pod(templates), { settings, namespace: 'default' });
}

describe('templates: several per pod, and clear errors', () => {
  it('runs templates in order, later ones winning, and expands aliases', () => {
    const extra = { later: 'spec:\n  containers:\n  - name: istio-proxy\n    image: "example.com/proxy:2"\n' };
    const r = run(extra, 'sidecar,later');
    assert.equal(r.pod.spec.containers.find((c) => c.name === 'istio-proxy')!.image, 'example.com/proxy:2');
    const settings = buildSettings({ templates: { ...builtin, ...extra }, config: 'aliases:\n  both: [sidecar, later]\n', nativeSidecars: 'false' });
    assert.deepEqual(injectPod(pod('both'), { settings, namespace: 'default' }).templates, ['sidecar', 'later']);
  });

  it('names a template that renders something other than a pod', () => {
    assert.throws(
      () => run({ list: '- a\n- b\n' }, 'list'),
      (e: Error & { code?: string }) => e.code === 'TEMPLATE_NOT_POD' && /"list"/.test(e.message),
    );
    assert.throws(() => run({ extra: 'kind: Pod\nspec: {}\n' }, 'extra'), /"extra" did not render to a pod/);
  });

  it('names the template and the rendered line of invalid YAML', () => {
    assert.throws(
      () => run({ bad: 'spec:\n  a: 1\n   b: 2\n' }, 'bad'),
      (e: Error & { code?: string }) => e.code === 'TEMPLATE_NOT_POD' && /"bad" rendered invalid YAML at rendered line \d/.test(e.message),
    );
  });

  it('names the template, line and column of a runtime error, as Go does', () => {
    assert.throws(
      () => run({ oops: 'spec:\n  x: 1\n  y: {{ index .Spec.Containers 5 }}\n' }, 'oops'),
      (e: Error & { code?: string }) =>
        e.code === 'TEMPLATE_RENDER' &&
        /template: oops:3:8: executing "oops" at <index .Spec.Containers 5>: error calling index: index out of range: 5/.test(e.message),
    );
  });

  it('cannot read files: a template named like a path is a template that does not exist', () => {
    assert.throws(
      () => run({ oops: 'spec:\n{{ template "/etc/passwd" }}\n' }, 'oops'),
      (e: Error & { code?: string }) =>
        e.code === 'TEMPLATE_RENDER' && /template "\/etc\/passwd" not defined/.test(e.message) && !/root:/.test(e.message),
    );
  });

  it("drops keys a template leaves empty instead of deleting the pod's own", () => {
    const r = run({ empty: 'spec:\n  containers:\n  {{- range .Values.nothing }}\n  - name: x\n  {{- end }}\n' }, 'empty');
    assert.deepEqual(
      r.pod.spec.containers.map((c) => c.name),
      ['app'],
    );
  });
});
