// istiod's own ConfigMaps as the settings, from a real API server: created with kubectl from the data
// Istio's chart renders, `serve --istio-configmaps istio-system` as deploy/'s ServiceAccount with the
// Role of deploy/istio-configmaps/rbac.yaml (these two ConfigMaps by name, nothing else), pods created through the
// API server injected from them; a change of either ConfigMap applied, a broken one reported while the last
// good settings keep serving, and its repair. With --revision, the `-<rev>` ConfigMaps.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type IstioChartData, chartDataOrSkip } from '../helpers/istio-chart.ts';
import {
  apiCall,
  applyDeployRbac,
  type ControlPlane,
  DEPLOY_DIR,
  dryRunPod,
  serviceAccountKubeconfig,
  startControlPlane,
  startWebhookProcess,
  type StoredPod,
  waitFor,
  waitForInjection,
  type WebhookProcess,
  webhookConfigurationFromDeploy,
} from './harness/index.ts';

const PROBE = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'cm-' },
  spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
};
type ProxyContainer = { name: string; image?: string; env?: Array<{ name: string; value?: string }> };

describe("istiod's ConfigMaps as the settings (real API server)", () => {
  let cp: ControlPlane | undefined;
  let chart: IstioChartData;
  const webhooks: WebhookProcess[] = [];
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    chart = chartDataOrSkip(this);
    cp = await startControlPlane();
  });
  after(async function () {
    this.timeout(60_000);
    for (const w of webhooks) await w.stop();
    await cp?.stop();
  });

  const kubectl = async (...args: string[]) => {
    const r = await plane().kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** kubectl create configmap NAME --from-file=KEY=FILE... in istio-system. */
  const createConfigMap = async (name: string, data: Record<string, string>) => {
    const files = Object.entries(data).map(([key, text]) => {
      const path = join(plane().dir, `${name}.${key}`);
      writeFileSync(path, text);
      return `--from-file=${key}=${path}`;
    });
    await kubectl('-n', 'istio-system', 'create', 'configmap', name, ...files);
  };
  const patchData = (name: string, data: Record<string, string>) =>
    kubectl('-n', 'istio-system', 'patch', 'configmap', name, '--type', 'merge', '-p', JSON.stringify({ data }));
  const proxyOf = async (namespace: string): Promise<ProxyContainer | undefined> =>
    ((await dryRunPod(plane(), namespace, PROBE)) as StoredPod & { spec: { containers: ProxyContainer[] } }).spec.containers.find(
      (c) => c.name === 'istio-proxy',
    );
  const valuesWith = (global: Record<string, unknown>) => {
    const v = JSON.parse(chart.values) as { global: Record<string, unknown> };
    return JSON.stringify({ ...v, global: { ...v.global, ...global } });
  };

  it('serves from them as the ServiceAccount with the Role of deploy/istio-configmaps/rbac.yaml, and follows every change', async function () {
    this.timeout(180_000);
    await plane().createNamespace('sidecar-injector');
    await plane().createNamespace('istio-system');
    await plane().createNamespace('cm-apps', { 'istio-injection': 'enabled' });
    await applyDeployRbac(plane(), [{ kind: 'ServiceAccount', name: 'sidecar-injector', namespace: 'sidecar-injector' }]);
    await apiCall(plane(), 'POST', '/api/v1/namespaces/sidecar-injector/serviceaccounts', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sidecar-injector' },
    });
    await kubectl('apply', '-f', join(DEPLOY_DIR, 'istio-configmaps', 'rbac.yaml'));
    const kubeconfig = await serviceAccountKubeconfig(plane(), 'sidecar-injector', 'sidecar-injector');
    // Istio's config as its chart makes it: its Go templates run here
    await createConfigMap('istio-sidecar-injector', { config: chart.config, values: chart.values });
    await createConfigMap('istio', { mesh: chart.mesh, meshNetworks: 'networks: {}' });

    const webhook = await startWebhookProcess({
      ca: plane().ca,
      dir: plane().dir,
      kubeconfig,
      nativeSidecars: 'false',
      extraArgs: ['--istio-configmaps', 'istio-system'],
    });
    webhooks.push(webhook);
    const caBundle = Buffer.from(plane().caPem).toString('base64');
    await apiCall(
      plane(),
      'POST',
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      await webhookConfigurationFromDeploy(plane(), { url: webhook.url, caBundle }),
    );
    const first = (await waitForInjection(plane(), 'cm-apps')) as StoredPod & { spec: { containers: ProxyContainer[] } };
    assert.match(
      first.spec.containers.find((c) => c.name === 'istio-proxy')?.image ?? '',
      /^registry\.istio\.io\/testing\/proxyv2:/,
      "the chart's hub",
    );

    // istio-sidecar-injector changed: the next pods get the new values
    await patchData('istio-sidecar-injector', { values: valuesWith({ hub: 'registry.example/mirror' }) });
    await waitFor(async () => (await proxyOf('cm-apps'))?.image?.startsWith('registry.example/mirror/proxyv2:'), {
      what: 'the changed values.global.hub to reach injected pods',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    // istio changed: the mesh config too
    await patchData('istio', { mesh: chart.mesh.replace('trustDomain: cluster.local', 'trustDomain: example.org') });
    await waitFor(async () => (await proxyOf('cm-apps'))?.env?.some((e) => e.name === 'ISTIO_META_MESH_ID' && e.value === 'example.org'), {
      what: 'the changed mesh trustDomain to reach injected pods',
      timeoutMs: 30_000,
      intervalMs: 250,
    });

    // a broken update: reported, and the last good settings keep serving
    await patchData('istio-sidecar-injector', { values: 'global: [' });
    await waitFor(async () => /^sidecar_injector_config_broken 1$/m.test((await webhook.ops('/metrics')).body), {
      what: 'sidecar_injector_config_broken to be 1',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const ready = await webhook.ops('/readyz');
    assert.equal(ready.status, 200, ready.body);
    assert.match(
      ready.body,
      /serving the last good configuration; the configuration in ConfigMaps istio-system\/istio-sidecar-injector and istio-system\/istio is broken: invalid setting values: not YAML or JSON/,
    );
    assert.match((await proxyOf('cm-apps'))?.image ?? '', /^registry\.example\/mirror\/proxyv2:/, 'still the last good settings');

    // repaired
    await patchData('istio-sidecar-injector', { values: valuesWith({ hub: 'registry.example/fixed' }) });
    await waitFor(async () => (await proxyOf('cm-apps'))?.image?.startsWith('registry.example/fixed/proxyv2:'), {
      what: 'the repaired values to reach injected pods',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    assert.match((await webhook.ops('/metrics')).body, /^sidecar_injector_config_broken 0$/m);

    // deleted: a configuration that fails, named; the last good one serves until it is back
    await kubectl('-n', 'istio-system', 'delete', 'configmap', 'istio');
    await waitFor(async () => /ConfigMap istio-system\/istio \(mesh\) not found/.test((await webhook.ops('/readyz')).body), {
      what: '/readyz to name the deleted ConfigMap',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    assert.match((await proxyOf('cm-apps'))?.image ?? '', /^registry\.example\/fixed\/proxyv2:/, 'still the last good settings');
    await createConfigMap('istio', { mesh: chart.mesh });
    await waitFor(async () => /^sidecar_injector_config_broken 0$/m.test((await webhook.ops('/metrics')).body), {
      what: 'the recreated ConfigMap to load',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    assert.match((await webhook.ops('/metrics')).body, /^sidecar_injector_informer_events_total\{informer="configmaps",type="synced"\} 2$/m);
  });

  it('with no such ConfigMaps, serve does not start: it exits naming the ConfigMap it did not find', async function () {
    this.timeout(120_000); // start-up waits up to 60 s for the list
    await plane().createNamespace('no-istio');
    await assert.rejects(
      startWebhookProcess({ ca: plane().ca, dir: plane().dir, kubeconfig: plane().kubeconfigPath, extraArgs: ['--istio-configmaps', 'no-istio'] }),
      /it exited \(code 1\)[\s\S]*ConfigMap no-istio\/istio-sidecar-injector \(config, values\) not found/,
    );
  });

  it('with --revision: the ConfigMaps istio-sidecar-injector-<rev> and istio-<rev>', async function () {
    this.timeout(120_000);
    await createConfigMap('istio-sidecar-injector-canary', {
      config: chart.config,
      values: valuesWith({ hub: 'registry.example/canary' }),
    });
    await createConfigMap('istio-canary', { mesh: chart.mesh });
    const webhook = await startWebhookProcess({
      ca: plane().ca,
      dir: plane().dir,
      kubeconfig: plane().kubeconfigPath,
      nativeSidecars: 'false',
      extraArgs: ['--istio-configmaps', 'istio-system', '--revision', 'canary'],
    });
    webhooks.push(webhook);
    const loaded = webhook.logs().find((l) => l.msg === 'configuration loaded');
    assert.equal(loaded?.configDir, 'ConfigMaps istio-system/istio-sidecar-injector-canary and istio-system/istio-canary');
    // pods now reach this replica only: the first one's webhook configuration gives way to one pointing here
    await apiCall(plane(), 'DELETE', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/sidecar-injector');
    await apiCall(
      plane(),
      'POST',
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      await webhookConfigurationFromDeploy(plane(), { url: webhook.url, caBundle: Buffer.from(plane().caPem).toString('base64'), name: 'canary' }),
    );
    await waitFor(async () => (await proxyOf('cm-apps'))?.image?.startsWith('registry.example/canary/proxyv2:'), {
      what: "the canary revision's hub in injected pods",
      timeoutMs: 30_000,
      intervalMs: 250,
    });
  });
});
