// One decision everywhere, against a real kube-apiserver: with the canary revision's configuration (as
// deploy/revisions/canary renders it) and the tag prod -> canary (`tag set`), a namespace labelled
// istio.io/rev=prod is injected by the tag's webhook, and `explain --kubeconfig`, `namespace status` and
// /preview of a `serve` watching the cluster all say so; when the tag goes, they follow.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import type { NamespaceReport } from '../../src/core/namespace-report.ts';
import { memoryIO } from '../helpers/cli.ts';
import { apiCall, createPod, podManifest } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { DEPLOY_DIR, renderDeploy, type K8sObject } from './harness/deploy.ts';
import { startWebhookProcess, type WebhookProcess } from './harness/injector.ts';
import { waitFor } from './harness/wait.ts';

const MWC_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const TAG = { configuration: 'istio-revision-tag-prod', name: 'rev.namespace.sidecar-injector.istio.io', revision: 'canary', tag: 'prod' };
const POD = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } };

describe('which revision injects: explain, namespace status and /preview (real API server)', () => {
  let cp: ControlPlane | undefined;
  let dir = '';
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };
  let serve: WebhookProcess | undefined;

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    cp = await startControlPlane();
    dir = cp.dir;
    const rendered = await renderDeploy(cp, join(DEPLOY_DIR, 'revisions', 'canary'));
    const canary = structuredClone(rendered.find((o) => o.kind === 'MutatingWebhookConfiguration')) as K8sObject & {
      webhooks: Array<{ clientConfig: unknown }>;
    };
    for (const w of canary.webhooks) w.clientConfig = { url: 'https://127.0.0.1:9/inject', caBundle: Buffer.from(cp.caPem).toString('base64') };
    await apiCall(cp, 'POST', MWC_PATH, canary);
    // pods made before the namespace moves to the tag (the tag's webhook is not served here)
    await cp.createNamespace('shop');
    const old = podManifest('old-default', { annotations: { 'sidecar.istio.io/status': '{}', 'istio.io/rev': 'default' } });
    (old.spec as { containers: unknown[] }).containers.push({ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.28.0' });
    await createPod(cp, 'shop', old);
    await createPod(cp, 'shop', podManifest('plain'));
    assert.equal((await cli(['tag', 'set', 'prod', '--revision', 'canary'])).code, 0);
    assert.equal((await cli(['namespace', 'enable', 'shop', '--revision', 'prod'])).code, 0);
  });
  after(async function () {
    this.timeout(60_000);
    await serve?.stop();
    await cp?.stop();
  });

  async function cli(args: string[], stdin = '') {
    const io = memoryIO(stdin);
    const code = await runCli([...args, '--kubeconfig', plane().kubeconfigPath], io);
    return { code, out: io.out(), err: io.err() };
  }

  it('explain --kubeconfig: the tag prod of revision canary injects (JSON items, and the text line)', async () => {
    const r = await cli(['explain', '-f', '-', '-n', 'shop', '-o', 'json'], JSON.stringify(POD));
    assert.equal(r.code, 0, r.err);
    const items = JSON.parse(r.out);
    assert.equal(items[0].inject, true);
    assert.deepEqual(items[0].webhook, TAG);
    assert.ok(items[0].notes.some((n: string) => n.startsWith('decided as revision canary would')));
    const text = await cli(['explain', '-f', '-', '-n', 'shop'], JSON.stringify(POD));
    assert.match(text.out, /webhook: istio-revision-tag-prod\/rev\.namespace\.sidecar-injector\.istio\.io \(revision canary, tag prod\)/);
  });

  it('namespace status: REVISION prod→canary, and the pods not on it (one injected by default, one not injected)', async () => {
    const json = await cli(['namespace', 'status', 'shop', '-o', 'json']);
    assert.equal(json.code, 0, json.err);
    const [r] = (JSON.parse(json.out) as { namespaces: NamespaceReport[] }).namespaces;
    assert.deepEqual(r!.webhook, TAG);
    assert.equal(r!.revision, 'canary');
    assert.deepEqual(r!.notOnRevision, [
      { name: 'old-default', owner: 'Pod/old-default', revision: 'default' },
      { name: 'plain', owner: 'Pod/plain', revision: null },
    ]);
    const text = await cli(['namespace', 'status', 'shop']);
    assert.match(
      text.out,
      /^NAMESPACE\s+OPTED IN\s+REVISION\s+PODS\s+WITH SIDECAR\s+NEED RESTART\s+NOT ON REVISION\s+WHY\nshop\s+yes\s+prod→canary\s+2\s+1\s+1\s+2\s+istio\.io\/rev=prod\n/,
    );
    assert.match(text.out, /old-default\s+Pod\/old-default\s+revision default/);
  });

  async function preview(port: number): Promise<{ webhook: unknown; inject: boolean; reason: string; webhooksSource: string }> {
    const body = JSON.stringify(POD);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/preview?namespace=shop',
          method: 'POST',
          ca: plane().ca.certPem,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () =>
            res.statusCode === 200
              ? resolve({ ...JSON.parse(text).items[0], webhooksSource: JSON.parse(text).webhooksSource })
              : reject(new Error(`${res.statusCode}: ${text}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it("serve's /preview decides with the cluster's configurations (the tag), and follows the tag's removal", async function () {
    this.timeout(120_000);
    serve = await startWebhookProcess({ ca: plane().ca, dir, kubeconfig: plane().kubeconfigPath });
    await waitFor(async () => JSON.stringify((await preview(serve!.previewPort)).webhook) === JSON.stringify(TAG), {
      what: "/preview to decide with the tag's entry",
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    const tagged = await preview(serve.previewPort);
    assert.equal(tagged.inject, true);
    assert.equal(tagged.webhooksSource, 'cluster');
    assert.equal((await cli(['tag', 'remove', 'prod', '--force'])).code, 0);
    await waitFor(async () => (await preview(serve!.previewPort)).reason === 'NAMESPACE_NOT_SELECTED', {
      what: "/preview to see the tag's removal",
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    assert.equal((await preview(serve.previewPort)).webhook, null);
  });
});
