// ProxyConfig resources given to the running injector (serve --proxy-configs) reach every door: /inject
// on the main thread, /inject of a large pod in the admission worker, and /preview in its worker.
import assert from 'node:assert/strict';
import { applyPatch } from '../../src/core/patch.ts';
import { proxyConfigsFromText } from '../../src/core/proxy-configs.ts';
import type { Pod } from '../../src/core/types.ts';
import { plainPod, reviewJson } from '../helpers/admission.ts';
import { startTestInjector, type TestInjector } from '../helpers/server.ts';

// reviewJson creates pods in namespace "apps"
const PROXY_CONFIGS = `
apiVersion: networking.istio.io/v1beta1
kind: ProxyConfig
metadata: {name: apps-wide, namespace: apps}
spec:
  concurrency: 5
  environmentVariables: {FROM_PROXY_CONFIG: "apps"}
---
apiVersion: networking.istio.io/v1beta1
kind: ProxyConfig
metadata: {name: big-only, namespace: apps}
spec:
  selector: {matchLabels: {size: big}}
  environmentVariables: {FROM_PROXY_CONFIG: "big"}
`;

function proxyEnv(pod: Pod): Record<string, string> {
  const proxy = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === 'istio-proxy');
  assert.ok(proxy, 'an istio-proxy container');
  return Object.fromEntries((proxy.env ?? []).map((e) => [e.name, String(e.value)]));
}

function injected(body: string, pod: Record<string, unknown>): Pod {
  const response = JSON.parse(body).response;
  assert.equal(response.allowed, true, body.slice(0, 300));
  const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
  return applyPatch(pod, patch) as unknown as Pod;
}

describe('ProxyConfig resources through the HTTP doors', () => {
  let inj: TestInjector;
  before(async () => {
    const { set, warnings } = proxyConfigsFromText(PROXY_CONFIGS, 'pcs.yaml');
    assert.deepEqual(warnings, []);
    inj = await startTestInjector({ proxyConfigs: set, nativeSidecars: 'false' });
  });
  after(async () => inj?.stop(1000));

  it('/inject: the namespace-wide resource sets the env var and concurrency', async () => {
    const pod = plainPod('small', { namespace: 'apps' });
    const r = await inj.post('/inject', reviewJson('u-small', pod));
    assert.equal(r.status, 200);
    const env = proxyEnv(injected(r.body, pod));
    assert.equal(env.FROM_PROXY_CONFIG, 'apps');
    assert.equal(JSON.parse(env.PROXY_CONFIG!).concurrency, 5);
  });

  it('/inject of a large pod (admitted in the worker): the selecting resource wins there too', async () => {
    const labels = { size: 'big', ...Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`k${i}`, 'v'.repeat(30)])) };
    const pod = plainPod('large', { namespace: 'apps', labels });
    const body = reviewJson('u-large', pod);
    assert.ok(body.length > 64 * 1024, 'over the large-admission threshold');
    const r = await inj.post('/inject', body);
    assert.equal(r.status, 200);
    assert.equal(proxyEnv(injected(r.body, pod)).FROM_PROXY_CONFIG, 'big');
    const metrics = (await inj.ops('/metrics')).body;
    assert.match(metrics, /sidecar_injector_large_admissions_total\{outcome="answered"\} 1/);
  });

  it('/preview: the same resources, and a note naming each', async () => {
    const pod = plainPod('preview', { labels: { size: 'big' } });
    const r = await inj.post('/preview?namespace=apps', JSON.stringify(pod));
    assert.equal(r.status, 200, r.body);
    const item = r.json().items[0];
    assert.equal(proxyEnv(item.injected).FROM_PROXY_CONFIG, 'big');
    assert.ok(
      item.notes.some((n: string) => n.startsWith('ProxyConfig apps/apps-wide (namespace-wide) applied')),
      item.notes.join('\n'),
    );
    assert.ok(
      item.notes.some((n: string) => n.startsWith('ProxyConfig apps/big-only (selects the pod) applied')),
      item.notes.join('\n'),
    );
  });
});
