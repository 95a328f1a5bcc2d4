// The caBundle patcher against a real kube-apiserver, as the user e2e-injector bound to exactly the
// ClusterRole of deploy/base/rbac.yaml (get, list, watch and patch of MutatingWebhookConfigurations: which
// ones it writes is the patcher's own check, the sidecar-injector.io/owned and istio.io/rev labels).
import assert from 'node:assert/strict';
import { startCaBundlePatcher, type CaBundleEvent, type CaBundlePatcher } from '../../src/kube/ca-bundle.ts';
import { loadKubeConfig } from '../../src/kube/client.ts';
import { apiCall, ApiError } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { applyDeployRbac, webhookConfigurationFromDeploy, type K8sObject } from './harness/deploy.ts';
import { createTestCA } from './harness/certs.ts';
import { waitFor } from './harness/wait.ts';

const NAME = 'sidecar-injector';
const MWC_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const b64 = (s: string) => Buffer.from(s).toString('base64');

type Mwc = K8sObject & {
  metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; managedFields?: Array<{ manager: string; operation: string }> };
  webhooks: Array<{ name: string; clientConfig: { url?: string; caBundle?: string } }>;
};

describe("caBundle patcher (real API server, the injector's own RBAC)", () => {
  let cp: ControlPlane | undefined;
  const patchers: CaBundlePatcher[] = [];
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };
  let template: K8sObject;

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    cp = await startControlPlane();
    await applyDeployRbac(cp, [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: cp.injectorUser.name }]);
    template = await webhookConfigurationFromDeploy(cp, { url: 'https://127.0.0.1:9/inject' });
  });
  afterEach(async () => {
    for (const p of patchers.splice(0)) p.stop();
    await apiCall(plane(), 'DELETE', `${MWC_PATH}/${NAME}`).catch((e) => {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    });
  });
  after(async function () {
    this.timeout(60_000);
    for (const p of patchers.splice(0)) p.stop();
    await cp?.stop();
  });

  function start(caBundle: () => string | undefined, name = NAME, backoff = { initialMs: 50, maxMs: 400 }, revision?: string) {
    const events: CaBundleEvent[] = [];
    const logs: Array<{ level: string; msg: string; obj: object }> = [];
    const logger = {
      info: (obj: object, msg: string) => logs.push({ level: 'info', msg, obj }),
      warn: (obj: object, msg: string) => logs.push({ level: 'warn', msg, obj }),
      error: (obj: object, msg: string) => logs.push({ level: 'error', msg, obj }),
    };
    const kubeConfig = loadKubeConfig({ kubeconfigPath: plane().injectorUser.kubeconfigPath });
    assert.ok(kubeConfig);
    const patcher = startCaBundlePatcher({
      kubeConfig,
      webhookConfigurationName: name,
      ...(revision ? { revision } : {}),
      caBundle,
      logger,
      onEvent: (e) => events.push(e),
      backoff,
      requestTimeoutMs: 5000,
    });
    patchers.push(patcher);
    const count = (type: CaBundleEvent['type']) => events.filter((e) => e.type === type).length;
    return { patcher, events, logs, count };
  }

  const create = (obj: K8sObject) => apiCall<Mwc>(plane(), 'POST', MWC_PATH, obj);
  const get = (name = NAME) => apiCall<Mwc>(plane(), 'GET', `${MWC_PATH}/${name}`);
  const bundles = (m: Mwc) => m.webhooks.map((w) => w.clientConfig.caBundle);
  /** The value on every entry of deploy/'s configuration. */
  const everyEntry = <T>(v: T): T[] => (template.webhooks as unknown[]).map(() => v);
  const entryNames = () => (template.webhooks as Array<{ name: string }>).map((w) => w.name);

  it("sets the caBundle on every entry of its configuration, as the injector user with only deploy/'s ClusterRole", async () => {
    await create(template);
    const { patcher, events } = start(() => plane().caPem);
    const r = await patcher.firstSync;
    assert.deepEqual(r, { outcome: 'patched', webhooks: entryNames() });
    const m = await get();
    assert.deepEqual(bundles(m), everyEntry(b64(plane().caPem)));
    assert.deepEqual(
      m.webhooks.map((w) => w.clientConfig.url),
      everyEntry('https://127.0.0.1:9/inject'),
      'nothing else changed',
    );
    assert.ok(
      m.metadata.managedFields?.some((f) => f.manager === 'sidecar-injector' && f.operation === 'Update'),
      JSON.stringify(m.metadata.managedFields),
    );
    assert.deepEqual(
      events.filter((e) => e.type !== 'attempt').map((e) => e.type),
      ['success'],
    );
  });

  it('sends nothing when every entry already carries the CA', async () => {
    await create(template);
    const { patcher, count } = start(() => plane().caPem);
    assert.equal((await patcher.firstSync).outcome, 'patched');
    const before = (await get()).metadata.resourceVersion;
    assert.deepEqual(await patcher.sync(), { outcome: 'unchanged' });
    assert.deepEqual(await patcher.sync(), { outcome: 'unchanged' });
    assert.equal((await get()).metadata.resourceVersion, before, 'the object was not written again');
    assert.equal(count('failure'), 0);
  });

  it('after a rotation to a new CA, replaces the caBundle, only on the entries that still have the old one', async () => {
    // one entry (the second) already has the new CA
    await create(template);
    let current = plane().caPem;
    const { patcher } = start(() => current);
    assert.equal((await patcher.firstSync).outcome, 'patched');
    const next = (await createTestCA('rotated CA')).certPem;
    // One entry already has the new CA (another replica, or a person, got there first).
    await apiCall(plane(), 'PATCH', `${MWC_PATH}/${NAME}`, [{ op: 'replace', path: '/webhooks/1/clientConfig/caBundle', value: b64(next) }], {
      contentType: 'application/json-patch+json',
    });
    current = next;
    assert.deepEqual(await patcher.sync(), { outcome: 'patched', webhooks: entryNames().filter((_, i) => i !== 1) });
    assert.deepEqual(bundles(await get()), everyEntry(b64(next)));
  });

  it('keeps retrying while its configuration does not exist yet, and sets the caBundle soon after it is created', async () => {
    const { patcher, events, count } = start(() => plane().caPem);
    const first = patcher.firstSync;
    await waitFor(() => count('retry') >= 3, { what: 'three retries while the configuration is missing', timeoutMs: 10_000, intervalMs: 50 });
    const failures = events.filter((e) => e.type === 'failure');
    assert.ok(
      failures.every((e) => e.type === 'failure' && e.reason === 'webhook_config_not_found'),
      JSON.stringify(failures),
    );
    await create(template);
    assert.equal((await first).outcome, 'patched');
    assert.deepEqual(bundles(await get()), everyEntry(b64(plane().caPem)));
    // Istio's counters: every try an attempt, every failed try a failure and a retry.
    assert.equal(count('attempt'), count('failure') + 1);
    assert.equal(count('retry'), count('failure'));
  });

  it('keeps retrying while no CA is available, and publishes it once there is one', async () => {
    await create(template);
    let pem: string | undefined;
    const { patcher, events, count } = start(() => pem);
    const done = patcher.firstSync;
    await waitFor(() => count('retry') >= 2, { what: 'two retries without a CA', timeoutMs: 10_000, intervalMs: 50 });
    assert.ok(events.some((e) => e.type === 'failure' && e.reason === 'load_ca_bundle_failure' && /no CA certificate is available/.test(e.detail)));
    assert.deepEqual(bundles(await get()), everyEntry(undefined), 'nothing written meanwhile');
    pem = plane().caPem;
    assert.equal((await done).outcome, 'patched');
    assert.deepEqual(bundles(await get()), everyEntry(b64(plane().caPem)));
  });

  it('tries again at once when sync() is called during a long backoff wait (a new certificate arrived)', async () => {
    await create(template);
    let pem: string | undefined;
    const { patcher, count } = start(() => pem, NAME, { initialMs: 60_000, maxMs: 60_000 });
    await waitFor(() => count('retry') === 1, { what: 'the first failed attempt', timeoutMs: 10_000, intervalMs: 50 });
    pem = plane().caPem;
    const t0 = Date.now();
    assert.equal((await patcher.sync()).outcome, 'patched');
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms, not the 30-60 s backoff`);
    assert.equal((await patcher.firstSync).outcome, 'patched', 'the pass started at start is served by the same attempt');
  });

  it('refuses a configuration without the sidecar-injector.io/owned label, logs why, leaves it untouched and does not retry', async () => {
    const { 'sidecar-injector.io/owned': _owned, ...labels } = template.metadata.labels ?? {};
    const created = await create({ ...template, metadata: { ...template.metadata, labels } });
    const { patcher, events, logs, count } = start(() => plane().caPem);
    const r = await patcher.firstSync;
    assert.equal(r.outcome, 'refused');
    assert.equal(r.outcome === 'refused' && r.reason, 'not_owned');
    const after = await get();
    assert.equal(after.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.deepEqual(bundles(after), everyEntry(undefined));
    assert.deepEqual(
      events.map((e) => (e.type === 'failure' ? `failure:${e.reason}` : e.type)).filter((t) => t !== 'attempt'),
      ['failure:not_owned'],
    );
    assert.equal(count('retry'), 0);
    assert.ok(
      logs.some((l) => l.level === 'error' && /not labelled sidecar-injector\.io\/owned: "true"/.test(l.msg)),
      JSON.stringify(logs),
    );
  });

  it('refuses a configuration of another revision (istio.io/rev): left untouched, not retried; and it cannot delete or replace one', async () => {
    const labels = { ...template.metadata.labels, 'istio.io/rev': 'canary' };
    const other = await create({ ...template, metadata: { ...template.metadata, name: 'canary-webhook', labels } });
    try {
      const { patcher, count } = start(() => plane().caPem, 'canary-webhook', undefined, 'default');
      const r = await patcher.firstSync;
      assert.equal(r.outcome === 'refused' && r.reason, 'wrong_revision', JSON.stringify(r));
      assert.match(r.outcome === 'refused' ? r.message : '', /belongs to revision "canary" \(label istio\.io\/rev\), not to revision "default"/);
      assert.equal(count('retry'), 0);
      assert.equal((await get('canary-webhook')).metadata.resourceVersion, other.metadata.resourceVersion);
      // its RBAC lets it patch any configuration (tags have names unknown in advance), nothing more
      const asInjector = { ...plane(), token: plane().injectorUser.token };
      await assert.rejects(apiCall(asInjector, 'DELETE', `${MWC_PATH}/canary-webhook`), (e: unknown) => e instanceof ApiError && e.status === 403);
      await assert.rejects(
        apiCall(asInjector, 'PUT', `${MWC_PATH}/canary-webhook`, other),
        (e: unknown) => e instanceof ApiError && e.status === 403,
      );
    } finally {
      await apiCall(plane(), 'DELETE', `${MWC_PATH}/canary-webhook`).catch(() => undefined);
    }
  });

  it('stop() ends the retries of a configuration that does not exist: pending syncs resolve "stopped", no attempt after', async () => {
    const { patcher, count } = start(() => plane().caPem, 'never-created');
    const pending = patcher.firstSync;
    await waitFor(() => count('retry') >= 3, { what: 'three retries of a missing configuration', timeoutMs: 10_000, intervalMs: 50 });
    patcher.stop();
    assert.deepEqual(await pending, { outcome: 'stopped' });
    const attempts = count('attempt');
    await new Promise((r) => setTimeout(r, 600)); // longer than the largest backoff
    assert.equal(count('attempt'), attempts, 'no attempt after stop()');
  });
});
