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

  it('names the template and line of a runtime error', () => {
    assert.throws(
      () => run({ oops: 'spec:\n  x: 1\n{% include "/etc/passwd" %}\n' }, 'oops'),
      (e: Error & { code?: string }) =>
        e.code === 'TEMPLATE_RENDER' &&
        /"oops", line 3/.test(e.message) &&
        /Failed to lookup "\/etc\/passwd"/.test(e.message) &&
        !/file:/.test(e.message),
    );
  });

  it("drops keys a template leaves empty instead of deleting the pod's own", () => {
    const r = run({ empty: 'spec:\n  containers:\n  {%- for c in nothing %}\n  - name: x\n  {%- endfor %}\n' }, 'empty');
    assert.deepEqual(
      r.pod.spec.containers.map((c) => c.name),
      ['app'],
    );
  });
});
