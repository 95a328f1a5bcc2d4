// Revision tags against a real kube-apiserver: `tag set|list|remove` and `namespace enable --revision` through
// the real CLI entry (runCli), with the canary revision's configuration as deploy/revisions/canary renders it
// (clientConfig a url, as an injector outside the cluster has it); then the caBundle patcher of revision
// canary, as the injector user with deploy/'s RBAC, keeping its tags' caBundle current.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { startRevisionCaBundlePatcher, type RevisionCaBundlePatcher } from '../../src/kube/revision-ca-bundles.ts';
import type { CaBundleEvent } from '../../src/kube/ca-bundle.ts';
import { loadKubeConfig } from '../../src/kube/client.ts';
import { memoryIO } from '../helpers/cli.ts';
import { apiCall, ApiError, updateObject } from './harness/api.ts';
import { createTestCA } from './harness/certs.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { applyDeployRbac, DEPLOY_DIR, renderDeploy, webhookConfigurationFromDeploy, type K8sObject } from './harness/deploy.ts';
import { waitFor } from './harness/wait.ts';

const MWC_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const URL_CANARY = 'https://127.0.0.1:9/inject';
const b64 = (s: string) => Buffer.from(s).toString('base64');

type Mwc = K8sObject & {
  metadata: { name: string; labels: Record<string, string>; resourceVersion: string };
  webhooks: Array<{ name: string; clientConfig: { url?: string; caBundle?: string }; namespaceSelector: unknown; objectSelector: unknown }>;
};

describe('revision tags (real API server)', () => {
  let cp: ControlPlane | undefined;
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };
  let canary: Mwc;

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    cp = await startControlPlane();
    const rendered = await renderDeploy(cp, join(DEPLOY_DIR, 'revisions', 'canary'));
    canary = structuredClone(rendered.find((o) => o.kind === 'MutatingWebhookConfiguration')) as Mwc;
    for (const w of canary.webhooks) w.clientConfig = { url: URL_CANARY, caBundle: b64(cp.caPem) };
    await apiCall(cp, 'POST', MWC_PATH, canary);
  });
  after(async function () {
    this.timeout(60_000);
    await cp?.stop();
  });

  async function cli(args: string[]) {
    const io = memoryIO();
    const code = await runCli([...args, '--kubeconfig', plane().kubeconfigPath], io);
    return { code, out: io.out(), err: io.err() };
  }
  const get = (name: string) => apiCall<Mwc>(plane(), 'GET', `${MWC_PATH}/${name}`);
  const gone = (name: string) => assert.rejects(get(name), (e: unknown) => e instanceof ApiError && e.status === 404);

  describe('the tag command', () => {
    it("tag set prod --revision canary writes istio-revision-tag-prod: Istio's tag entries calling the canary's url with its caBundle", async () => {
      const r = await cli(['tag', 'set', 'prod', '--revision', 'canary']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /tag "prod" -> revision "canary": MutatingWebhookConfiguration "istio-revision-tag-prod" created/);
      const tag = await get('istio-revision-tag-prod');
      assert.equal(tag.metadata.labels['istio.io/rev'], 'canary');
      assert.equal(tag.metadata.labels['istio.io/tag'], 'prod');
      assert.equal(tag.metadata.labels['sidecar-injector.io/owned'], 'true');
      assert.equal(tag.metadata.labels.app, 'sidecar-injector');
      assert.deepEqual(
        tag.webhooks.map((w) => w.name),
        ['rev.namespace.sidecar-injector.istio.io', 'rev.object.sidecar-injector.istio.io'],
      );
      assert.deepEqual(tag.webhooks[0]!.namespaceSelector, {
        matchExpressions: [
          { key: 'istio.io/rev', operator: 'In', values: ['prod'] },
          { key: 'istio-injection', operator: 'DoesNotExist' },
        ],
      });
      for (const w of tag.webhooks) assert.deepEqual(w.clientConfig, { url: URL_CANARY, caBundle: b64(plane().caPem) });
    });

    it('--dry-run -o yaml prints it and writes nothing', async () => {
      const r = await cli(['tag', 'set', 'staging', '--revision', 'canary', '--dry-run', '-o', 'yaml']);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /name: istio-revision-tag-staging/);
      assert.match(r.out, /istio\.io\/tag: staging/);
      await gone('istio-revision-tag-staging');
    });

    it('refuses clearly: an unknown revision, a tag named as a revision, a tag pointing elsewhere without --overwrite', async () => {
      const unknown = await cli(['tag', 'set', 'beta', '--revision', 'nope']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /revision "nope" is unknown/);
      await gone('istio-revision-tag-beta');
      // a second revision, "stable", so that a tag can point elsewhere and a tag can be named as a revision
      await apiCall(plane(), 'POST', MWC_PATH, {
        ...canary,
        metadata: { name: 'sidecar-injector-stable', labels: { ...canary.metadata.labels, 'istio.io/rev': 'stable' } },
      });
      const named = await cli(['tag', 'set', 'stable', '--revision', 'canary']);
      assert.equal(named.code, 1);
      assert.match(named.err, /cannot create tag "stable": revision "stable" exists/);
      const moved = await cli(['tag', 'set', 'prod', '--revision', 'stable']);
      assert.equal(moved.code, 1);
      assert.match(moved.err, /tag "prod" already points to revision "canary".*--overwrite/);
      assert.equal((await get('istio-revision-tag-prod')).metadata.labels['istio.io/rev'], 'canary', 'unchanged');
      const forced = await cli(['tag', 'set', 'prod', '--revision', 'stable', '--overwrite']);
      assert.equal(forced.code, 0, forced.err);
      assert.equal((await get('istio-revision-tag-prod')).metadata.labels['istio.io/rev'], 'stable');
      assert.equal((await cli(['tag', 'set', 'prod', '--revision', 'canary', '--overwrite'])).code, 0);
    });

    it('namespace enable --revision prod labels istio.io/rev=prod and removes istio-injection; tag list shows it (text and json)', async () => {
      await plane().createNamespace('shop', { 'istio-injection': 'enabled' });
      const e = await cli(['namespace', 'enable', 'shop', '--revision', 'prod']);
      assert.equal(e.code, 0, e.err);
      assert.match(e.out, /namespace "shop": istio\.io\/rev=prod \(was not set\); istio-injection removed \(was "enabled"\)/);
      assert.equal(e.err, '', 'prod is served by a tag: no warning');
      const ns = await apiCall<{ metadata: { labels: Record<string, string> } }>(plane(), 'GET', '/api/v1/namespaces/shop');
      assert.equal(ns.metadata.labels['istio.io/rev'], 'prod');
      assert.equal(ns.metadata.labels['istio-injection'], undefined);
      const list = await cli(['tag', 'list']);
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, /^TAG\s+REVISION\s+NAMESPACES\nprod\s+canary\s+shop\n$/);
      const json = JSON.parse((await cli(['tag', 'list', '-o', 'json'])).out);
      assert.deepEqual(json, [
        { tag: 'prod', revision: 'canary', namespaces: ['shop'], webhookConfiguration: 'istio-revision-tag-prod', owned: true },
      ]);
      const unknown = await cli(['namespace', 'enable', 'shop', '--revision', 'nowhere']);
      assert.match(unknown.err, /no MutatingWebhookConfiguration serves revision or tag "nowhere"/);
      assert.equal((await cli(['namespace', 'enable', 'shop', '--revision', 'prod'])).code, 0);
    });

    it('tag remove refuses while a namespace uses the tag, and deletes it with --force', async () => {
      const r = await cli(['tag', 'remove', 'prod']);
      assert.equal(r.code, 1);
      assert.match(r.err, /tag "prod" is still used by 1 namespace\(s\): shop/);
      await get('istio-revision-tag-prod');
      const f = await cli(['tag', 'remove', 'prod', '--force']);
      assert.equal(f.code, 0, f.err);
      assert.match(f.err, /new pods in shop .* are no longer injected/);
      await gone('istio-revision-tag-prod');
      assert.equal((await cli(['tag', 'list'])).out, 'no revision tags found\n');
    });
  });

  it("tag set default --revision canary: the tag carries the default entries too, and the default revision's own entries are deactivated, kept", async () => {
    const own = await webhookConfigurationFromDeploy(plane(), { url: 'https://127.0.0.1:8/inject', caBundle: b64(plane().caPem) });
    await apiCall(plane(), 'POST', MWC_PATH, own);
    const r = await cli(['tag', 'set', 'default', '--revision', 'canary']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /deactivated the entries of "sidecar-injector"/);
    const tag = await get('istio-revision-tag-default');
    assert.deepEqual(
      tag.webhooks.map((w) => w.name),
      [
        'rev.namespace.sidecar-injector.istio.io',
        'rev.object.sidecar-injector.istio.io',
        'namespace.sidecar-injector.istio.io',
        'object.sidecar-injector.istio.io',
      ],
    );
    assert.ok(tag.webhooks.every((w) => w.clientConfig.url === URL_CANARY));
    const never = { matchLabels: { 'istio.io/deactivated': 'never-match' } };
    const deactivated = await get('sidecar-injector');
    assert.equal(deactivated.webhooks.length, 4);
    for (const w of deactivated.webhooks) assert.deepEqual([w.namespaceSelector, w.objectSelector], [never, never], w.name);
    // and back: the default tag now points at the default revision again (its own entries stay deactivated)
    const back = await cli(['tag', 'set', 'default', '--revision', 'default', '--overwrite']);
    assert.equal(back.code, 0, back.err);
    assert.ok((await get('istio-revision-tag-default')).webhooks.every((w) => w.clientConfig.url === 'https://127.0.0.1:8/inject'));
    assert.equal((await cli(['tag', 'remove', 'default'])).code, 0);
    await apiCall(plane(), 'DELETE', `${MWC_PATH}/sidecar-injector`);
  });

  describe("the caBundle patcher of revision canary (the injector user, deploy/'s RBAC)", () => {
    let patcher: RevisionCaBundlePatcher | undefined;
    const events: CaBundleEvent[] = [];
    const logs: string[] = [];
    before(async () => {
      await applyDeployRbac(plane(), [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: plane().injectorUser.name }]);
    });
    after(() => patcher?.stop());

    it("keeps every tag of its revision current: one set after it started, and all after a rotation; leaves other revisions' and unowned ones alone", async function () {
      this.timeout(60_000);
      const first = plane().caPem;
      let current = first;
      const kubeConfig = loadKubeConfig({ kubeconfigPath: plane().injectorUser.kubeconfigPath });
      assert.ok(kubeConfig);
      const log = (level: string) => (_: object, msg: string) => logs.push(`${level}: ${msg}`);
      patcher = startRevisionCaBundlePatcher({
        kubeConfig,
        revision: 'canary',
        webhookConfigurationName: 'sidecar-injector-canary',
        caBundle: () => current,
        onEvent: (e) => events.push(e),
        logger: { info: log('info'), warn: log('warn'), error: log('error') },
        backoff: { initialMs: 50, maxMs: 400 },
        requestTimeoutMs: 5000,
      });
      assert.ok(['patched', 'unchanged'].includes((await patcher.firstSync).outcome));
      // set after the patcher started: found by its watch
      assert.equal((await cli(['tag', 'set', 'prod', '--revision', 'canary'])).code, 0);
      await waitFor(() => patcher!.names().includes('istio-revision-tag-prod'), {
        what: 'the watch to see the new tag',
        timeoutMs: 20_000,
        intervalMs: 100,
      });
      // not ours (no owned label) but of this revision; and a tag of another revision
      await apiCall(plane(), 'POST', MWC_PATH, {
        ...canary,
        metadata: { name: 'istio-revision-tag-theirs', labels: { 'istio.io/rev': 'canary', 'istio.io/tag': 'theirs' } },
      });
      assert.equal((await cli(['tag', 'set', 'other', '--revision', 'stable'])).code, 0);
      const before = {
        theirs: (await get('istio-revision-tag-theirs')).metadata.resourceVersion,
        other: (await get('istio-revision-tag-other')).metadata.resourceVersion,
      };
      // the rotation: a new CA, then sync() as the server calls it after loading the new certificate
      const next = (await createTestCA('rotated CA')).certPem;
      current = next;
      const results = await patcher.sync();
      assert.equal(results['istio-revision-tag-prod']?.outcome, 'patched', JSON.stringify(results));
      assert.equal(results['sidecar-injector-canary']?.outcome, 'patched');
      for (const name of ['sidecar-injector-canary', 'istio-revision-tag-prod'])
        assert.deepEqual(
          (await get(name)).webhooks.map((w) => w.clientConfig.caBundle),
          (await get(name)).webhooks.map(() => b64(next)),
          name,
        );
      assert.equal((await get('istio-revision-tag-theirs')).metadata.resourceVersion, before.theirs, 'not ours: untouched');
      assert.equal((await get('istio-revision-tag-other')).metadata.resourceVersion, before.other, 'another revision: untouched');
      assert.ok(
        logs.some((l) => /error: .*"istio-revision-tag-theirs" is not labelled sidecar-injector\.io\/owned/.test(l)),
        logs.join('\n'),
      );
      // a re-apply that drops the caBundle is put back by the watch, without a sync()
      await updateObject<Mwc>(plane(), `${MWC_PATH}/istio-revision-tag-prod`, (wiped) => {
        for (const w of wiped.webhooks) delete w.clientConfig.caBundle;
        return wiped;
      });
      await waitFor(async () => (await get('istio-revision-tag-prod')).webhooks.every((w) => w.clientConfig.caBundle === b64(next)), {
        what: "the tag's caBundle put back",
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      assert.ok(events.some((e) => e.type === 'success' && e.name === 'istio-revision-tag-prod' && e.patched.length === 2));
      // a removed tag is let go
      assert.equal((await cli(['tag', 'remove', 'prod', '--force'])).code, 0);
      await waitFor(() => !patcher!.names().includes('istio-revision-tag-prod'), {
        what: 'the removed tag let go',
        timeoutMs: 20_000,
        intervalMs: 100,
      });
    });
  });
});
