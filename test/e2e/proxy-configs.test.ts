// Istio's ProxyConfig resources from a real API server: the watch (no CRD = none, and it finds the CRD once
// installed; adds, updates, deletes followed), then the whole path: `serve` as deploy/'s ServiceAccount
// (deploy/'s RBAC) watching proxyconfigs.networking.istio.io, and a pod created through the API server
// getting the env and concurrency of the ProxyConfigs that apply to it.
import assert from 'node:assert/strict';
import { loadKubeConfig } from '../../src/kube/client.ts';
import { startProxyConfigWatch, type ProxyConfigWatch } from '../../src/kube/proxy-config-watch.ts';
import type { InformerEvent } from '../../src/kube/resilient-informer.ts';
import { apiCall, ApiError, createPod, podManifest } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { applyDeployRbac, serviceAccountKubeconfig, waitForInjection, webhookConfigurationFromDeploy } from './harness/deploy.ts';
import { startWebhookProcess, type WebhookProcess } from './harness/injector.ts';
import { waitFor } from './harness/wait.ts';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const PC_API = '/apis/networking.istio.io/v1beta1';

// The spec schema of Istio's CRD (manifests/charts/base/files/crd-all.gen.yaml), without status
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } };
const PROXY_CONFIG_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'proxyconfigs.networking.istio.io' },
  spec: {
    group: 'networking.istio.io',
    names: { kind: 'ProxyConfig', listKind: 'ProxyConfigList', plural: 'proxyconfigs', singular: 'proxyconfig' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1beta1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  concurrency: { type: 'integer', format: 'int32', minimum: 0, nullable: true },
                  environmentVariables: STRING_MAP,
                  image: { type: 'object', properties: { imageType: { type: 'string' } } },
                  selector: { type: 'object', properties: { matchLabels: STRING_MAP } },
                },
              },
            },
          },
        },
      },
    ],
  },
};

const proxyConfig = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'ProxyConfig',
  metadata: { name },
  spec,
});

interface StoredContainer {
  name: string;
  image?: string;
  env?: Array<{ name: string; value?: string }>;
}

describe('ProxyConfig resources (real API server)', () => {
  let cp: ControlPlane | undefined;
  let watch: ProxyConfigWatch | undefined;
  let webhook: WebhookProcess | undefined;
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    cp = await startControlPlane();
  });
  after(async function () {
    this.timeout(60_000);
    watch?.stop();
    await webhook?.stop();
    await cp?.stop();
  });

  async function installCrd(): Promise<void> {
    await apiCall(plane(), 'POST', CRD_PATH, PROXY_CONFIG_CRD).catch((e) => {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    });
    // served once the API server lists it (Established)
    await waitFor(() => apiCall(plane(), 'GET', `${PC_API}/proxyconfigs`).then(() => true), {
      what: 'the ProxyConfig CRD to be served',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
  }

  it('the watch: no CRD means none (synced, no error); once installed, resources are followed', async function () {
    this.timeout(90_000);
    const kubeConfig = loadKubeConfig({ kubeconfigPath: plane().kubeconfigPath });
    assert.ok(kubeConfig);
    const events: InformerEvent[] = [];
    watch = startProxyConfigWatch({
      kubeConfig,
      onEvent: (e) => events.push(e),
      backoff: { initialMs: 100, maxMs: 500 },
      listTimeoutMs: 3000,
      crdPollMs: 200,
    });
    const w = watch;
    await waitFor(() => w.synced(), { what: 'the ProxyConfig watch to sync without the CRD', timeoutMs: 15_000 });
    assert.equal(w.current().size, 0);

    await installCrd();
    await plane().createNamespace('pc-watch');
    await apiCall(
      plane(),
      'POST',
      `${PC_API}/namespaces/pc-watch/proxyconfigs`,
      proxyConfig('wide', { concurrency: 3, environmentVariables: { A: '1' } }),
    );
    await waitFor(() => w.current().byNamespace.get('pc-watch')?.[0]?.spec.concurrency === 3, {
      what: 'ProxyConfig pc-watch/wide in the watch',
      timeoutMs: 30_000,
    });
    // no CRD is not an error: looked for quietly, then listed and watched
    assert.deepEqual(
      events.map((e) => e.type),
      ['synced'],
    );
    const stored = w.current().byNamespace.get('pc-watch')![0]!;
    assert.match(stored.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT/);

    await apiCall(plane(), 'PATCH', `${PC_API}/namespaces/pc-watch/proxyconfigs/wide`, { spec: { concurrency: 6 } });
    await waitFor(() => w.current().byNamespace.get('pc-watch')?.[0]?.spec.concurrency === 6, {
      what: 'the update of pc-watch/wide',
      timeoutMs: 15_000,
    });
    await apiCall(plane(), 'DELETE', `${PC_API}/namespaces/pc-watch/proxyconfigs/wide`);
    await waitFor(() => w.current().size === 0, { what: 'the delete of pc-watch/wide', timeoutMs: 15_000 });
  });

  it("serve as deploy/'s ServiceAccount: a pod created through the API server gets what its ProxyConfigs give", async function () {
    this.timeout(120_000);
    await installCrd();
    await plane().createNamespace('sidecar-injector');
    await applyDeployRbac(plane(), [{ kind: 'ServiceAccount', name: 'sidecar-injector', namespace: 'sidecar-injector' }]);
    await apiCall(plane(), 'POST', '/api/v1/namespaces/sidecar-injector/serviceaccounts', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sidecar-injector' },
    });
    const kubeconfig = await serviceAccountKubeconfig(plane(), 'sidecar-injector', 'sidecar-injector');
    await plane().createNamespace('istio-system');
    await plane().createNamespace('pc-apps', { 'istio-injection': 'enabled' });
    await apiCall(
      plane(),
      'POST',
      `${PC_API}/namespaces/istio-system/proxyconfigs`,
      proxyConfig('mesh-wide', { concurrency: 4, environmentVariables: { FROM: 'root' } }),
    );

    // ready means its caches synced, the ProxyConfigs included (listed as the ServiceAccount)
    webhook = await startWebhookProcess({ ca: plane().ca, dir: plane().dir, kubeconfig, nativeSidecars: 'false' });
    const caBundle = Buffer.from(plane().caPem).toString('base64');
    await apiCall(
      plane(),
      'POST',
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      await webhookConfigurationFromDeploy(plane(), { url: webhook.url, caBundle }),
    );
    await waitForInjection(plane(), 'pc-apps');

    // created after the injector started: it reaches the injector through the watch
    await apiCall(
      plane(),
      'POST',
      `${PC_API}/namespaces/pc-apps/proxyconfigs`,
      proxyConfig('web', {
        selector: { matchLabels: { app: 'web' } },
        environmentVariables: { FROM: 'workload' },
        image: { imageType: 'distroless' },
      }),
    );
    const proxyOf = async (name: string, labels: Record<string, string>) => {
      const pod = (await createPod(plane(), 'pc-apps', podManifest(name, { labels }))) as {
        spec: { containers: StoredContainer[]; initContainers?: StoredContainer[] };
      };
      const proxy = pod.spec.containers.find((c) => c.name === 'istio-proxy');
      assert.ok(proxy, `pod ${name} injected`);
      const init = pod.spec.initContainers?.find((c) => c.name === 'istio-init');
      return { proxy, init, env: Object.fromEntries((proxy.env ?? []).map((e) => [e.name, e.value])) };
    };
    const web = await waitFor(
      async () => {
        const p = await proxyOf(`web-${Date.now()}`, { app: 'web' });
        return p.env.FROM === 'workload' ? p : false;
      },
      { what: 'a pod app=web to get the workload ProxyConfig', timeoutMs: 20_000, intervalMs: 500, maxAttempts: 20 },
    );
    assert.equal(JSON.parse(web.env.PROXY_CONFIG ?? '{}').concurrency, 4, 'concurrency from the root namespace');
    assert.match(web.proxy.image ?? '', /-distroless$/);
    assert.doesNotMatch(web.init?.image ?? '', /distroless/);

    const api = await proxyOf('api', { app: 'api' });
    assert.equal(api.env.FROM, 'root');
    assert.doesNotMatch(api.proxy.image ?? '', /distroless/);
  });
});
