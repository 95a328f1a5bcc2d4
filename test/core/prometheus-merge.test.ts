import assert from 'node:assert/strict';
import { injectPod } from '../../src/core/inject.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

const settings = defaultSettings({ native: 'false' });

function injected(annotations: Record<string, string>): Pod {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'm', namespace: 'shop', annotations },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
  };
  return injectPod(pod, { settings, namespace: 'shop' }).pod;
}

const scrapeEnv = (pod: Pod) =>
  pod.spec.containers.find((c) => c.name === 'istio-proxy')?.env?.find((e) => e.name === 'ISTIO_PROMETHEUS_ANNOTATIONS')?.value;

describe("Prometheus metrics merge, as istiod's applyPrometheusMerge", () => {
  it('hands the first scrape target to the agent as port and path, with every target listed', () => {
    const pod = injected({ 'prometheus.istio.io/scrape-targets': ' 9090:/m , 9091', 'prometheus.io/scrape': 'true' });
    assert.deepEqual(JSON.parse(scrapeEnv(pod)!), {
      scrape: 'true',
      path: '/m',
      port: '9090',
      targets: [
        { port: '9090', path: '/m' },
        { port: '9091', path: '/metrics' },
      ],
    });
    assert.equal(pod.metadata.annotations!['prometheus.io/port'], '15020');
    assert.equal(pod.metadata.annotations!['prometheus.istio.io/scrape-targets'], undefined, 'the pod is scraped at the agent');
  });

  it('refuses a target on a port the proxy reserves, naming the annotation', () => {
    assert.throws(
      () => injected({ 'prometheus.istio.io/scrape-targets': '9090,15090:/stats' }),
      /'prometheus\.istio\.io\/scrape-targets': target port 15090 is a port the proxy reserves/,
    );
  });

  it('takes an empty prometheus.io/port as unset and adds no scrape env when every value is empty', () => {
    const pod = injected({ 'prometheus.io/port': '' });
    assert.equal(scrapeEnv(pod), undefined);
    assert.equal(pod.metadata.annotations!['prometheus.io/path'], '/stats/prometheus');
  });

  it('reads ports as Go does (a sign is allowed) and writes the JSON as Go does (<, >, & escaped)', () => {
    const pod = injected({ 'prometheus.io/port': '+9090', 'prometheus.io/path': '/m?a=1&b=<2>' });
    assert.equal(scrapeEnv(pod), '{"scrape":"","path":"/m?a=1\\u0026b=\\u003c2\\u003e","port":"+9090"}');
  });
});
