// The `namespace` command against a real kube-apiserver, through the real CLI entry (runCli).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import type { NamespaceReport } from '../../src/core/namespace-report.ts';
import { memoryIO } from '../helpers/cli.ts';
import { apiCall, createPod, podManifest } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';

describe('namespace command (real API server)', () => {
  let cp: ControlPlane | undefined;
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
    await cp?.stop();
  });

  async function cli(args: string[], kubeconfig = plane().kubeconfigPath) {
    const io = memoryIO();
    const code = await runCli(['namespace', ...args, '--kubeconfig', kubeconfig], io);
    return { code, out: io.out(), err: io.err() };
  }

  async function statusJson(ns: string): Promise<NamespaceReport> {
    const r = await cli(['status', ns, '-o', 'json']);
    assert.equal(r.code, 0, r.err);
    const reports = (JSON.parse(r.out) as { namespaces: NamespaceReport[] }).namespaces;
    assert.equal(reports.length, 1);
    return reports[0]!;
  }

  it('enable labels the namespace (as kubectl shows it) and status reports a pod created before the label as needing a restart', async () => {
    const ns = 'ns-enable';
    await plane().createNamespace(ns);
    await createPod(plane(), ns, podManifest('before'));
    await createPod(plane(), ns, podManifest('host', { hostNetwork: true }));
    await createPod(plane(), ns, podManifest('opted-out', { labels: { 'sidecar.istio.io/inject': 'false' } }));
    const injected = podManifest('has-proxy', { annotations: { 'sidecar.istio.io/status': '{"containers":["istio-proxy"]}' } });
    (injected.spec as { containers: unknown[] }).containers.push({ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.28.0' });
    await createPod(plane(), ns, injected);
    // A Deployment's pod (owner ReplicaSet web-7d9f8c6b5); no controllers run, so the owner need not exist.
    await createPod(plane(), ns, {
      ...podManifest(''),
      metadata: {
        generateName: 'web-7d9f8c6b5-',
        labels: { app: 'web', 'pod-template-hash': '7d9f8c6b5' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f8c6b5', uid: '6b1f6f1e-0000-4000-8000-000000000001', controller: true },
        ],
      },
    });

    const before = await statusJson(ns);
    assert.equal(before.optedIn, false);
    assert.deepEqual(before.needRestart, [], 'nothing needs a restart while the namespace is not opted in');

    const en = await cli(['enable', ns]);
    assert.equal(en.code, 0, en.err);
    assert.match(en.out, /namespace "ns-enable": istio-injection=enabled \(was not set\)/);
    assert.equal(en.err, '');

    const shown = await plane().kubectl(['get', 'ns', ns, '--show-labels', '--no-headers']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /\bistio-injection=enabled\b/);

    const r = await statusJson(ns);
    assert.equal(r.optedIn, true);
    assert.equal(r.webhook?.name, 'namespace.sidecar-injector.istio.io');
    assert.equal(r.pods, 5);
    assert.equal(r.withSidecar, 1);
    assert.deepEqual(r.needRestart.map((p) => p.owner).sort(), ['Deployment/web', 'Pod/before']);
    assert.deepEqual(
      r.skipped.map((p) => [p.name, p.reason]),
      [
        ['host', 'HOST_NETWORK'],
        ['opted-out', 'LABEL_DISABLED'],
      ],
    );

    const text = await cli(['status', ns]);
    assert.equal(text.code, 0, text.err);
    // REVISION, PODS, WITH SIDECAR, NEED RESTART, NOT ON REVISION (the two to restart, and has-proxy: no istio.io/rev stamp)
    assert.match(text.out, /^ns-enable\s+yes\s+default\s+5\s+1\s+2\s+3\s+istio-injection=enabled$/m);
    // this cluster has no webhook configurations: deploy/'s entries decide, and it says so
    assert.match(text.err, /no MutatingWebhookConfiguration of the cluster injects pods .*deploy\/ makes for revision "default"/);
    assert.match(text.out, /before\s+Pod\/before/);
    assert.match(text.out, /kubectl rollout restart deployment\/web -n ns-enable/);
  });

  it('enable on an already enabled namespace changes nothing and says so', async () => {
    await plane().createNamespace('ns-twice', { 'istio-injection': 'enabled' });
    const r = await cli(['enable', 'ns-twice']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /istio-injection is already "enabled"; nothing changed/);
  });

  it('disable opts the namespace out: no pod is reported as needing a restart', async () => {
    const ns = 'ns-disable';
    await plane().createNamespace(ns, { 'istio-injection': 'enabled' });
    await createPod(plane(), ns, podManifest('app'));
    assert.equal((await statusJson(ns)).needRestart.length, 1);
    const r = await cli(['disable', ns]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /istio-injection=disabled \(was "enabled"\)/);
    const got = await apiCall<{ metadata: { labels: Record<string, string> } }>(plane(), 'GET', `/api/v1/namespaces/${ns}`);
    assert.equal(got.metadata.labels['istio-injection'], 'disabled');
    const s = await statusJson(ns);
    assert.equal(s.optedIn, false);
    assert.equal(s.why, 'istio-injection=disabled');
    assert.deepEqual(s.needRestart, []);
  });

  it('warns that istio.io/rev is ignored once istio-injection is set, and says what happens instead', async () => {
    await plane().createNamespace('ns-rev', { 'istio.io/rev': 'canary' });
    const r = await cli(['enable', 'ns-rev']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^warning: namespace "ns-rev" also has istio\.io\/rev=canary/);
    assert.match(
      r.err,
      /istio\.io\/rev label is ignored and new pods are injected through webhook entry namespace\.sidecar-injector\.istio\.io \(revision "default"\), not by revision "canary"/,
    );
    const d = await cli(['disable', 'ns-rev']);
    assert.match(d.err, /new pods are not injected by revision "default", nor by revision "canary"/);
  });

  it('a missing namespace is an error naming it (exit 1)', async () => {
    for (const args of [
      ['status', 'no-such-ns'],
      ['enable', 'no-such-ns'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 1);
      assert.equal(r.err, 'error: namespace "no-such-ns" not found\n');
      assert.equal(r.out, '');
    }
  });

  it('a user without RBAC permissions gets "forbidden" naming the namespace and the user (exit 1)', async () => {
    await plane().createNamespace('ns-rbac');
    const r = await cli(['enable', 'ns-rbac'], plane().injectorUser.kubeconfigPath);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: cannot read namespace "ns-rbac": forbidden: .*User "e2e-injector" cannot get resource "namespaces"/);
  });

  it('status without a name covers every namespace', async () => {
    const r = await cli(['status', '-o', 'json']);
    assert.equal(r.code, 0, r.err);
    const names = (JSON.parse(r.out) as { namespaces: NamespaceReport[] }).namespaces.map((n) => n.namespace);
    for (const ns of ['default', 'kube-system', 'ns-enable', 'ns-disable']) assert.ok(names.includes(ns), `${ns} in ${names.join(',')}`);
  });

  it('with no cluster configured it says so instead of trying localhost (exit 1)', async () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME, KUBERNETES_SERVICE_HOST: process.env.KUBERNETES_SERVICE_HOST };
    const home = mkdtempSync(join(tmpdir(), 'no-kube-home-'));
    try {
      delete process.env.KUBECONFIG;
      delete process.env.KUBERNETES_SERVICE_HOST;
      process.env.HOME = home;
      const io = memoryIO();
      assert.equal(await runCli(['namespace', 'status'], io), 1);
      assert.match(io.err(), /^error: no cluster configured: pass --kubeconfig FILE/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(home, { recursive: true, force: true });
    }
  });
});
