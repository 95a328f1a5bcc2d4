// The webhook as a cluster sees it: a real kube-apiserver calls the real `sidecar-injector serve` process
// through the MutatingWebhookConfiguration of deploy/ (only clientConfig changed: a URL on 127.0.0.1 instead
// of the Service), with the caBundle set by the caBundle patcher running as the injector's ServiceAccount
// under deploy/'s RBAC. Pods are created with the API (harness apiCall) and with the real kubectl.
//
// Not repeated here: the `namespace` command's enable/disable/status cases are in test/e2e/namespace.test.ts;
// the one below only checks that its report agrees with what the webhook really injected.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../src/cli/main.ts';
import { startCaBundlePatcher, type CaBundlePatcher } from '../../src/kube/ca-bundle.ts';
import { loadKubeConfig } from '../../src/kube/client.ts';
import type { NamespaceReport } from '../../src/core/namespace-report.ts';
import { memoryIO } from '../helpers/cli.ts';
import { apiCall, ApiError, createPod, podManifest } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import {
  applyDeployRbac,
  containerNames,
  DEPLOY_DIR,
  dryRunPod,
  initContainerNames,
  renderDeploy,
  serviceAccountKubeconfig,
  waitForInjection,
  waitForRefusal,
  webhookConfigurationFromDeploy,
  type StoredPod,
} from './harness/deploy.ts';
import { startWebhookProcess, type WebhookProcess } from './harness/injector.ts';
import { waitFor } from './harness/wait.ts';

const SA = 'system:serviceaccount:sidecar-injector:sidecar-injector';
const MWC_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.28.0';

// Namespaces of the injection tests.
const ENABLED = 'e2e-enabled';
const PLAIN = 'e2e-plain';
const DISABLED = 'e2e-disabled';

describe('webhook through a real API server (deploy/ manifests, kubectl)', () => {
  let cp: ControlPlane | undefined;
  let webhook: WebhookProcess | undefined;
  let patcher: CaBundlePatcher | undefined;
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };
  const hook = () => {
    if (!webhook) throw new Error('webhook did not start');
    return webhook;
  };

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    cp = await startControlPlane();
    // deploy/README.md step 1: the namespace exists before `kubectl apply -k deploy/` (it holds the TLS Secret).
    await cp.createNamespace('sidecar-injector', { 'istio-injection': 'disabled' });
  });
  after(async function () {
    this.timeout(60_000);
    patcher?.stop();
    await webhook?.stop();
    await cp?.stop();
  });

  const pod = (ns: string, name: string) => apiCall<StoredPod>(plane(), 'GET', `/api/v1/namespaces/${ns}/pods/${name}`);
  const create = (ns: string, manifest: Record<string, unknown>) => createPod(plane(), ns, manifest) as Promise<unknown> as Promise<StoredPod>;

  /** The webhook process, its configuration from deploy/, and the caBundle patcher; idempotent. */
  async function wire(): Promise<void> {
    if (!webhook) {
      webhook = await startWebhookProcess({ ca: plane().ca, dir: plane().dir, kubeconfig: plane().kubeconfigPath, nativeSidecars: 'auto' });
      await plane().createNamespace(ENABLED, { 'istio-injection': 'enabled' });
      await plane().createNamespace(PLAIN);
      await plane().createNamespace(DISABLED, { 'istio-injection': 'disabled' });
      await apiCall(plane(), 'POST', MWC_PATH, await webhookConfigurationFromDeploy(plane(), { url: webhook.url }));
      // one node with an older kubelet: classic sidecars until it upgrades (with no node at all, `auto` is
      // native, as in Istio)
      await apiCall(plane(), 'POST', '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-legacy' },
        status: { nodeInfo: { kubeletVersion: 'v1.32.0' } },
      });
    }
  }
  async function startPatcher(): Promise<void> {
    if (patcher) return;
    await applyDeployRbac(plane(), [{ kind: 'ServiceAccount', name: 'sidecar-injector', namespace: 'sidecar-injector' }]);
    await apiCall(plane(), 'POST', '/api/v1/namespaces/sidecar-injector/serviceaccounts', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sidecar-injector' },
    }).catch((e) => {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    });
    const kubeConfig = loadKubeConfig({ kubeconfigPath: await serviceAccountKubeconfig(plane(), 'sidecar-injector', 'sidecar-injector') });
    assert.ok(kubeConfig);
    patcher = startCaBundlePatcher({
      kubeConfig,
      webhookConfigurationName: 'sidecar-injector',
      caBundle: () => plane().caPem,
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    const r = await patcher.firstSync;
    assert.equal(r.outcome, 'patched', JSON.stringify(r));
  }
  async function ready(): Promise<void> {
    await wire();
    await startPatcher();
    await waitForInjection(plane(), ENABLED, { native: false });
  }

  describe('deploy/', () => {
    it('`kubectl apply --server-side --dry-run=server -k deploy/` is accepted by the API server, every object, nothing stored', async function () {
      this.timeout(60_000);
      const r = await plane().kubectl(['apply', '--server-side', '--dry-run=server', '-k', DEPLOY_DIR]);
      assert.equal(r.code, 0, r.stderr);
      const objects = await renderDeploy(plane());
      assert.equal(objects.length, 12, objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', '));
      for (const o of objects) {
        const resource = o.kind.toLowerCase() + (o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '');
        assert.match(
          r.stdout,
          new RegExp(`^${resource.replace(/\./g, '\\.')}/${o.metadata.name} serverside-applied \\(server dry run\\)$`, 'm'),
          `${o.kind}/${o.metadata.name} in:\n${r.stdout}`,
        );
      }
      await assert.rejects(
        apiCall(plane(), 'GET', '/apis/apps/v1/namespaces/sidecar-injector/deployments/sidecar-injector'),
        (e: unknown) => e instanceof ApiError && e.status === 404,
      );
      await assert.rejects(apiCall(plane(), 'GET', `${MWC_PATH}/sidecar-injector`), (e: unknown) => e instanceof ApiError && e.status === 404);
    });

    describe('RBAC of the ServiceAccount sidecar-injector (deploy/base/rbac.yaml applied)', () => {
      before(async () => {
        await plane().kubectl(['-n', 'sidecar-injector', 'create', 'serviceaccount', 'sidecar-injector']);
        const r = await plane().kubectl(['apply', '-f', join(DEPLOY_DIR, 'base', 'rbac.yaml')]);
        assert.equal(r.code, 0, r.stderr);
      });

      const canI = async (...args: string[]) => {
        const r = await plane().kubectl(['auth', 'can-i', ...args, `--as=${SA}`]);
        assert.ok(r.code === 0 || r.code === 1, `kubectl auth can-i ${args.join(' ')}: ${r.stderr}`);
        return r.stdout.trim();
      };

      /** Whether the ServiceAccount may `verb` proxyconfigs.networking.istio.io (in all namespaces when none is given). */
      const proxyConfigAccess = async (verb: string, namespace?: string) => {
        const r = await apiCall<{ status: { allowed: boolean } }>(plane(), 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: SA,
            groups: ['system:serviceaccounts', 'system:serviceaccounts:sidecar-injector', 'system:authenticated'],
            resourceAttributes: { group: 'networking.istio.io', resource: 'proxyconfigs', verb, ...(namespace ? { namespace } : {}) },
          },
        });
        return r.status.allowed;
      };

      it('allows exactly: list/watch namespaces, nodes and Istio ProxyConfigs, get/list/watch/patch MutatingWebhookConfigurations (its own and its tags)', async () => {
        const allowed = [
          ['list', 'namespaces'],
          ['watch', 'namespaces'],
          ['list', 'nodes'],
          ['watch', 'nodes'],
          ['get', 'mutatingwebhookconfigurations/sidecar-injector'],
          ['patch', 'mutatingwebhookconfigurations/sidecar-injector'],
          // its revision's tags: names not known in advance, found by a label watch
          ['list', 'mutatingwebhookconfigurations'],
          ['watch', 'mutatingwebhookconfigurations'],
          ['patch', 'mutatingwebhookconfigurations/istio-revision-tag-prod'],
        ];
        for (const a of allowed) assert.equal(await canI(...a), 'yes', `can-i ${a.join(' ')}`);
        // no ProxyConfig CRD here, so kubectl cannot resolve the resource: asked with a SubjectAccessReview
        for (const verb of ['list', 'watch']) assert.equal(await proxyConfigAccess(verb), true, `${verb} proxyconfigs.networking.istio.io`);
      });

      it('denies everything else: pods (even list), secrets, creating, replacing or deleting webhook configurations, configmaps, writes to namespaces', async () => {
        const denied = [
          ['list', 'pods', '--all-namespaces'],
          ['list', 'pods', '-n', 'e2e-any'],
          ['get', 'secrets', '-n', 'sidecar-injector'],
          ['list', 'secrets', '--all-namespaces'],
          ['create', 'pods', '-n', 'e2e-any'],
          ['delete', 'pods', '-n', 'e2e-any'],
          ['watch', 'pods', '--all-namespaces'],
          ['get', 'pods', '-n', 'e2e-any'],
          ['update', 'mutatingwebhookconfigurations/sidecar-injector'],
          ['delete', 'mutatingwebhookconfigurations/sidecar-injector'],
          ['create', 'mutatingwebhookconfigurations'],
          ['patch', 'validatingwebhookconfigurations/sidecar-injector'],
          ['list', 'configmaps', '-n', 'sidecar-injector'],
          ['get', 'namespaces/default'],
          ['patch', 'namespaces/default'],
          ['patch', 'nodes/any'],
          ['create', 'serviceaccounts/token', '-n', 'sidecar-injector'],
        ];
        for (const d of denied) assert.equal(await canI(...d), 'no', `can-i ${d.join(' ')}`);
        for (const verb of ['get', 'create', 'update', 'delete'])
          assert.equal(await proxyConfigAccess(verb, 'e2e-any'), false, `${verb} proxyconfigs`);
      });
    });
  });

  describe('registered from deploy/ (clientConfig.url on 127.0.0.1, failurePolicy Fail)', () => {
    before(async function () {
      this.timeout(90_000);
      await wire();
    });

    it('refuses pods of an opted-in namespace while the caBundle is missing, and injects them once the patcher (as the ServiceAccount) set it', async function () {
      this.timeout(90_000);
      if (!patcher) {
        const refused = await waitForRefusal(plane(), ENABLED, /failed calling webhook/);
        assert.match(refused, /failed calling webhook "namespace\.sidecar-injector\.istio\.io".*(x509|certificate signed by unknown authority)/);
      }
      await startPatcher();
      const probe = await waitForInjection(plane(), ENABLED, { native: false });
      assert.deepEqual(containerNames(probe), ['app', 'istio-proxy']);
      const mwc = await apiCall<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(plane(), 'GET', `${MWC_PATH}/sidecar-injector`);
      assert.deepEqual(
        mwc.webhooks.map((w) => w.clientConfig.caBundle),
        mwc.webhooks.map(() => Buffer.from(plane().caPem).toString('base64')),
      );
      assert.equal(mwc.webhooks.length, 4, "Istio's four entries of the default revision");
    });

    describe('classic sidecars (auto, a node runs kubelet v1.32)', () => {
      before(async function () {
        this.timeout(90_000);
        await ready();
      });

      it('stores a pod of an istio-injection=enabled namespace with istio-init and istio-proxy (create response and a later GET)', async () => {
        const created = await create(ENABLED, podManifest('web'));
        for (const p of [created, await pod(ENABLED, 'web')]) {
          assert.deepEqual(initContainerNames(p), ['istio-init']);
          assert.deepEqual(containerNames(p), ['app', 'istio-proxy']);
          assert.equal(p.spec.containers[1]!.image, PROXY_IMAGE);
          assert.match(p.metadata.annotations?.['sidecar.istio.io/status'] ?? '', /"containers":\["istio-proxy"\]/);
          assert.equal(p.metadata.labels?.['security.istio.io/tlsMode'], 'istio');
        }
        await waitFor(() => hook().admissions(ENABLED, 'web').length > 0, { what: 'the admission log of pod web', timeoutMs: 10_000 });
        assert.deepEqual(
          hook()
            .admissions(ENABLED, 'web')
            .map((l) => [l.decision, l.reason]),
          [['injected', 'POLICY_ENABLED']],
        );
      });

      it('injects a pod labelled sidecar.istio.io/inject: "true" in a namespace that is not labelled (object. entry)', async () => {
        const created = await create(PLAIN, podManifest('opted-in', { labels: { 'sidecar.istio.io/inject': 'true' } }));
        const stored = await pod(PLAIN, 'opted-in');
        for (const p of [created, stored]) assert.deepEqual([initContainerNames(p), containerNames(p)], [['istio-init'], ['app', 'istio-proxy']]);
        await waitFor(() => hook().admissions(PLAIN, 'opted-in').length > 0, { what: 'the admission log of pod opted-in', timeoutMs: 10_000 });
        assert.deepEqual(
          hook()
            .admissions(PLAIN, 'opted-in')
            .map((l) => [l.decision, l.reason]),
          [['injected', 'LABEL_ENABLED']],
        );
      });

      it('leaves pods alone: unlabelled namespace, istio-injection=disabled, kube-system (even labelled enabled), inject: "false", hostNetwork', async () => {
        await apiCall(plane(), 'PATCH', '/api/v1/namespaces/kube-system', { metadata: { labels: { 'istio-injection': 'enabled' } } });
        await apiCall(plane(), 'POST', '/api/v1/namespaces/kube-system/serviceaccounts', {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'default' },
        }).catch((e) => {
          if (!(e instanceof ApiError && e.status === 409)) throw e;
        });
        const cases: Array<[string, string, Record<string, unknown>]> = [
          [PLAIN, 'plain', podManifest('plain')],
          [DISABLED, 'disabled', podManifest('disabled')],
          ['kube-system', 'system', podManifest('system')],
          [ENABLED, 'opted-out', podManifest('opted-out', { labels: { 'sidecar.istio.io/inject': 'false' } })],
          [ENABLED, 'host', podManifest('host', { hostNetwork: true })],
        ];
        for (const [ns, name, manifest] of cases) {
          const created = await create(ns, manifest);
          for (const p of [created, await pod(ns, name)]) {
            assert.deepEqual([initContainerNames(p), containerNames(p)], [[], ['app']], `${ns}/${name}`);
            assert.equal(p.metadata.annotations?.['sidecar.istio.io/status'], undefined, `${ns}/${name}`);
          }
        }
        // A pod injected after them: its log line proves the earlier ones' lines would be there by now.
        await create(ENABLED, podManifest('barrier'));
        await waitFor(() => hook().admissions(ENABLED, 'barrier').length === 1, { what: 'the admission log of pod barrier', timeoutMs: 10_000 });
        for (const [ns, name] of cases.slice(0, 4))
          assert.deepEqual(hook().admissions(ns, name), [], `the API server did not call the webhook for ${ns}/${name}`);
        assert.deepEqual(
          hook()
            .admissions(ENABLED, 'host')
            .map((l) => [l.decision, l.reason]),
          [['skipped', 'HOST_NETWORK']],
          'hostNetwork: called, and skipped by the webhook',
        );
      });

      it('`kubectl create --dry-run=server -o yaml -f pod.yaml` shows the injected pod, and stores nothing', async () => {
        const file = join(plane().dir, 'pod.yaml');
        writeFileSync(
          file,
          'apiVersion: v1\nkind: Pod\nmetadata:\n  name: preview\n  namespace: e2e-enabled\nspec:\n  containers:\n  - name: app\n    image: registry.example/app:1\n',
        );
        const r = await plane().kubectl(['create', '--dry-run=server', '-o', 'yaml', '-f', file]);
        assert.equal(r.code, 0, r.stderr);
        const shown = parseYaml(r.stdout) as StoredPod;
        assert.deepEqual([initContainerNames(shown), containerNames(shown)], [['istio-init'], ['app', 'istio-proxy']]);
        assert.match(r.stdout, new RegExp(`image: ${PROXY_IMAGE.replace(/\./g, '\\.')}`));
        await assert.rejects(pod(ENABLED, 'preview'), (e: unknown) => e instanceof ApiError && e.status === 404);
      });

      it('refuses a pod with an invalid annotation value, with our message naming the annotation (API and kubectl)', async () => {
        const bad = podManifest('greedy', { annotations: { 'sidecar.istio.io/proxyCPU': 'lots' } });
        const err = await create(ENABLED, bad).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof ApiError, String(err));
        const message = (JSON.parse(err.body) as { message: string }).message;
        assert.equal(
          message,
          "admission webhook \"namespace.sidecar-injector.istio.io\" denied the request: invalid value 'lots' for annotation 'sidecar.istio.io/proxyCPU': not a resource quantity (e.g. 100m, 128Mi)",
        );

        const file = join(plane().dir, 'greedy.json');
        writeFileSync(file, JSON.stringify({ ...bad, metadata: { ...(bad.metadata as object), namespace: ENABLED } }));
        const k = await plane().kubectl(['create', '-f', file]);
        assert.equal(k.code, 1);
        assert.match(
          k.stderr,
          /admission webhook "namespace\.sidecar-injector\.istio\.io" denied the request: invalid value 'lots' for annotation 'sidecar\.istio\.io\/proxyCPU'/,
        );
        await assert.rejects(pod(ENABLED, 'greedy'), (e: unknown) => e instanceof ApiError && e.status === 404);
      });

      it('after `sidecar-injector namespace enable`, new pods are injected and `namespace status` names the older pod as needing a restart', async function () {
        this.timeout(60_000);
        const ns = 'e2e-later';
        await plane().createNamespace(ns);
        await create(ns, podManifest('older'));
        const cli = async (args: string[]) => {
          const io = memoryIO();
          const code = await runCli(['namespace', ...args, '--kubeconfig', plane().kubeconfigPath], io);
          return { code, out: io.out(), err: io.err() };
        };
        const en = await cli(['enable', ns]);
        assert.equal(en.code, 0, en.err);
        await waitForInjection(plane(), ns, { timeoutMs: 15_000 }); // the API server's namespace cache sees the label
        const newer = await create(ns, podManifest('newer'));
        assert.deepEqual(containerNames(newer), ['app', 'istio-proxy']);
        const st = await cli(['status', ns, '-o', 'json']);
        assert.equal(st.code, 0, st.err);
        const [report] = (JSON.parse(st.out) as { namespaces: NamespaceReport[] }).namespaces;
        assert.equal(report?.optedIn, true);
        assert.equal(report?.withSidecar, 1, 'the pod the webhook injected counts as having the sidecar');
        assert.deepEqual(
          report?.needRestart.map((p) => p.owner),
          ['Pod/older'],
        );
      });
    });

    describe('native sidecars (auto: every node runs kubelet v1.33)', () => {
      before(async function () {
        this.timeout(90_000);
        await ready();
        await apiCall(plane(), 'PATCH', '/api/v1/nodes/node-legacy/status', { status: { nodeInfo: { kubeletVersion: 'v1.33.0' } } });
        for (const name of ['node-a', 'node-b']) {
          await apiCall(plane(), 'POST', '/api/v1/nodes', {
            apiVersion: 'v1',
            kind: 'Node',
            metadata: { name },
            status: { nodeInfo: { kubeletVersion: 'v1.33.0' } },
          });
        }
        // The injector's node informer sees them; no restart, no flag.
        await waitForInjection(plane(), ENABLED, { native: true, timeoutMs: 20_000 });
      });

      it('stores the pod with istio-proxy as an init container with restartPolicy Always, after istio-init (create response and a later GET)', async () => {
        const created = await create(ENABLED, podManifest('native'));
        for (const p of [created, await pod(ENABLED, 'native')]) {
          assert.deepEqual(initContainerNames(p), ['istio-init', 'istio-proxy']);
          assert.equal(p.spec.initContainers![1]!.restartPolicy, 'Always');
          assert.equal(p.spec.initContainers![0]!.restartPolicy, undefined);
          assert.deepEqual(containerNames(p), ['app']);
        }
      });

      it('goes back to classic sidecars once a node with an older kubelet (v1.32) registers', async function () {
        this.timeout(30_000);
        await apiCall(plane(), 'POST', '/api/v1/nodes', {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'node-old' },
          status: { nodeInfo: { kubeletVersion: 'v1.32.4' } },
        });
        const p = await waitForInjection(plane(), ENABLED, { native: false, timeoutMs: 20_000 });
        assert.deepEqual([initContainerNames(p), containerNames(p)], [['istio-init'], ['app', 'istio-proxy']]);
      });
    });

    describe('with the webhook stopped (failurePolicy: Fail)', () => {
      before(async function () {
        this.timeout(60_000);
        await ready();
        await hook().stop();
      });

      it('refuses pod creation in an opted-in namespace, and for an opted-in pod, naming the webhook', async () => {
        for (const [ns, manifest, entry] of [
          [ENABLED, podManifest('while-down'), 'namespace'],
          [PLAIN, podManifest('opted-in-while-down', { labels: { 'sidecar.istio.io/inject': 'true' } }), 'object'],
        ] as const) {
          const err = await create(ns, manifest).then(
            () => undefined,
            (e: unknown) => e,
          );
          assert.ok(err instanceof ApiError, `${ns}: ${String(err)}`);
          assert.match(err.body, new RegExp(`failed calling webhook \\\\"${entry}\\.sidecar-injector\\.istio\\.io\\\\".*connection refused`));
        }
        await assert.rejects(pod(ENABLED, 'while-down'), (e: unknown) => e instanceof ApiError && e.status === 404);
      });

      it('leaves namespaces that are not opted in unaffected', async () => {
        for (const ns of [PLAIN, DISABLED, 'kube-system']) {
          const p = await create(ns, podManifest('unaffected'));
          assert.deepEqual(containerNames(p), ['app'], ns);
        }
        const d = await dryRunPod(plane(), PLAIN, podManifest('dry'));
        assert.deepEqual(containerNames(d), ['app']);
      });
    });
  });
});
