// Re-injection keeps the pod's own text of a quantity equal to what the templates render (`2` for our
// `2000m`), and still changes one that differs in value.
import assert from 'node:assert/strict';
import { injectPod } from '../../src/core/inject.ts';
import { applyPatch } from '../../src/core/patch.ts';
import type { Container, Pod } from '../../src/core/types.ts';
import { deepFreeze } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings({ native: 'false' });
const fresh: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', annotations: { 'sidecar.istio.io/userVolume': '{"cache":{"emptyDir":{"sizeLimit":"1024Mi"}}}' } },
  spec: { containers: [{ name: 'app', image: 'app:1', resources: { limits: { cpu: '1000m' } } }] },
};

/** The pod as istiod stores it: every quantity in Go's canonical text. */
function asGoWritesIt(pod: Pod): Pod {
  const copy = structuredClone(pod);
  const canon: Record<string, string> = { '2000m': '2', '1024Mi': '1Gi', '1000m': '1' };
  const respell = (m: Record<string, string> | undefined) => {
    for (const k of Object.keys(m ?? {})) m![k] = canon[m![k]!] ?? m![k]!;
  };
  for (const c of [...copy.spec.containers, ...(copy.spec.initContainers ?? [])] as Array<
    Container & { resources?: Record<string, Record<string, string>> }
  >) {
    respell(c.resources?.limits);
    respell(c.resources?.requests);
  }
  for (const v of copy.spec.volumes ?? []) respell(v.emptyDir as Record<string, string> | undefined);
  return copy;
}

const proxyOf = (pod: Pod) =>
  pod.spec.containers.find((c) => c.name === 'istio-proxy') as Container & { resources: { limits: Record<string, string> } };

describe('re-injection and the spelling of quantities', () => {
  const first = injectPod(fresh, { settings, namespace: 'default' }).pod;

  it('our templates write 2000m and 1024Mi (the values as given), so the test means something', () => {
    assert.deepEqual(proxyOf(first).resources.limits, { cpu: '2000m', memory: '1024Mi' });
  });

  it('gives an empty patch for the pod as Go writes it: no replace of "2" with "2000m"', () => {
    const stored = deepFreeze(asGoWritesIt(first));
    assert.equal(proxyOf(stored).resources.limits.cpu, '2');
    const again = injectPod(stored, { settings, namespace: 'default' });
    assert.deepEqual(again.patch, []);
    assert.equal(proxyOf(again.pod).resources.limits.cpu, '2', 'the injected pod keeps the stored text');
  });

  it('still replaces a quantity that differs in value', () => {
    const stored = asGoWritesIt(first);
    proxyOf(stored).resources.limits.cpu = '3';
    const again = injectPod(stored, { settings, namespace: 'default' });
    assert.deepEqual(
      again.patch.map((o) => [o.op, o.path, (o as { value?: unknown }).value]),
      [['replace', `/spec/containers/${stored.spec.containers.indexOf(proxyOf(stored))}/resources/limits/cpu`, '2000m']],
    );
    assert.equal(proxyOf(applyPatch(stored, again.patch)).resources.limits.cpu, '2000m');
  });
});
