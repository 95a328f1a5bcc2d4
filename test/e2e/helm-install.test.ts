// The Helm chart as an Istio user installs it: `helm install` (the real helm, scripts/build-helm.sh) of
// deploy/helm/sidecar-injector into a real kube-apiserver, the default revision and a canary beside it as
// two releases, every object stored; the webhook entries, pointed at a real `sidecar-injector serve` on
// 127.0.0.1 (injectionURL and caBundle, as istiod's chart does for a remote injector), inject pods of a
// namespace labelled for each revision; `helm uninstall` removes every object, cluster-scoped ones too.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHART_DIR, helmOrSkip, helmTemplate, objectKey, type Obj } from '../helpers/deploy-render.ts';
import { apiCall, ApiError } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { waitForInjection } from './harness/deploy.ts';
import { startWebhookProcess, type WebhookProcess } from './harness/injector.ts';

const run = promisify(execFile);
const NS = 'sidecar-injector';

/** The API path of an object the chart renders (the kinds it has). */
function pathOf(o: Obj): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const kind = o.kind.toLowerCase();
  const plural = kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`;
  return o.metadata.namespace ? `${base}/namespaces/${o.metadata.namespace}/${plural}/${o.metadata.name}` : `${base}/${plural}/${o.metadata.name}`;
}

describe('helm install of deploy/helm/sidecar-injector (real API server, real helm)', () => {
  let cp: ControlPlane | undefined;
  const webhooks: WebhookProcess[] = [];
  let helm = '';
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    helm = helmOrSkip(this);
    cp = await startControlPlane();
  });
  after(async function () {
    this.timeout(60_000);
    await Promise.all(webhooks.map((w) => w.stop()));
    await cp?.stop();
  });

  /** helm against the test API server, with its cache and configuration in the control plane's dir. */
  async function helmRun(args: string[]): Promise<string> {
    const home = (d: string) => join(plane().dir, 'helm', d);
    const env = { ...process.env, HELM_CACHE_HOME: home('cache'), HELM_CONFIG_HOME: home('config'), HELM_DATA_HOME: home('data') };
    try {
      const { stdout } = await run(helm, [...args, '--kubeconfig', plane().kubeconfigPath], { env, timeout: 120_000 });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`helm ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
    }
  }

  const exists = async (o: Obj) => {
    try {
      await apiCall(plane(), 'GET', pathOf(o));
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return false;
      throw e;
    }
  };

  const releases: Array<{ name: string; revision: string; namespace: string; labels: Record<string, string> }> = [
    { name: 'sidecar-injector', revision: 'default', namespace: 'app-default', labels: { 'istio-injection': 'enabled' } },
    { name: 'sidecar-injector-canary', revision: 'canary', namespace: 'app-canary', labels: { 'istio.io/rev': 'canary' } },
  ];
  const rendered: Record<string, Obj[]> = {};

  it('installs the default revision and a canary beside it (--create-namespace); the API server stores every object', async function () {
    this.timeout(120_000);
    const caBundle = Buffer.from(plane().caPem).toString('base64');
    for (const r of releases) {
      // the injector of this revision, as the release's Deployment would run it (--revision=R)
      const webhook = await startWebhookProcess({ ca: plane().ca, dir: plane().dir, extraArgs: ['--revision', r.revision] });
      webhooks.push(webhook);
      const set = [`revision=${r.revision}`, `injectionURL=${webhook.url}`, `caBundle=${caBundle}`];
      await helmRun(['install', r.name, CHART_DIR, '--namespace', NS, '--create-namespace', ...set.flatMap((s) => ['--set', s])]);
      rendered[r.name] = helmTemplate(helm, set, NS);
      assert.ok(rendered[r.name]!.length >= 9);
      for (const o of rendered[r.name]!) assert.ok(await exists(o), `${r.name}: ${objectKey(o)} stored`);
    }
    const list = JSON.parse(await helmRun(['list', '--namespace', NS, '-o', 'json'])) as Array<{ name: string; status: string }>;
    assert.deepEqual(list.map((l) => [l.name, l.status]).sort(), releases.map((r) => [r.name, 'deployed']).sort());
  });

  it("each revision's webhook entries inject the pods of a namespace labelled for it", async function () {
    this.timeout(90_000);
    if (webhooks.length < releases.length) this.skip();
    for (const r of releases) {
      await plane().createNamespace(r.namespace, r.labels);
      const pod = await waitForInjection(plane(), r.namespace);
      // Istio's sidecar template writes the injector's revision on the pod
      assert.equal(pod.metadata.annotations?.['istio.io/rev'], r.revision, `${r.namespace}: injected through the ${r.revision} entries`);
    }
  });

  it('helm uninstall removes every object of the release, the cluster-scoped ones too', async function () {
    this.timeout(120_000);
    const installed = releases.filter((r) => rendered[r.name]);
    if (installed.length === 0) this.skip();
    for (const r of installed) {
      await helmRun(['uninstall', r.name, '--namespace', NS, '--wait', '--timeout', '60s']);
      for (const o of rendered[r.name]!) assert.equal(await exists(o), false, `${r.name}: ${objectKey(o)} removed`);
    }
    assert.equal((await helmRun(['list', '--namespace', NS, '-q'])).trim(), '');
  });
});
