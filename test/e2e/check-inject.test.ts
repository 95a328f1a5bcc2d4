// `check-inject` against a real kube-apiserver: the canary revision's MutatingWebhookConfiguration (as
// deploy/revisions/canary renders it), namespaces labelled or not, a Deployment, a Deployment opted out
// and a pod; per webhook entry, the verdict and the labels it looked at, as istioctl x check-inject.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import type { CheckResult } from '../../src/core/webhooks/check-inject.ts';
import { memoryIO } from '../helpers/cli.ts';
import { apiCall, createPod, podManifest } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { DEPLOY_DIR, renderDeploy, type K8sObject } from './harness/deploy.ts';

const MWC_PATH = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const deployment = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, ...labels } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } },
  },
});

describe('check-inject (real API server)', () => {
  let cp: ControlPlane | undefined;
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    cp = await startControlPlane();
    const rendered = await renderDeploy(cp, join(DEPLOY_DIR, 'revisions', 'canary'));
    const canary = structuredClone(rendered.find((o) => o.kind === 'MutatingWebhookConfiguration')) as K8sObject & {
      webhooks: Array<{ clientConfig: unknown }>;
    };
    for (const w of canary.webhooks) w.clientConfig = { url: 'https://127.0.0.1:9/inject', caBundle: Buffer.from(cp.caPem).toString('base64') };
    await apiCall(cp, 'POST', MWC_PATH, canary);
    await cp.createNamespace('ci-on', { 'istio.io/rev': 'canary' });
    await cp.createNamespace('ci-off');
    for (const d of [deployment('web', {}), deployment('quiet', { 'sidecar.istio.io/inject': 'false' })])
      await apiCall(cp, 'POST', '/apis/apps/v1/namespaces/ci-on/deployments', d);
    await createPod(cp, 'ci-off', podManifest('plain'));
  });
  after(async function () {
    this.timeout(60_000);
    await cp?.stop();
  });

  async function cli(args: string[]) {
    const io = memoryIO();
    const code = await runCli(['check-inject', ...args, '--kubeconfig', plane().kubeconfigPath], io);
    return { code, out: io.out(), err: io.err() };
  }
  const json = async (args: string[]): Promise<CheckResult> => {
    const r = await cli([...args, '-o', 'json']);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out);
  };

  it("says which entry injects a Deployment's pods in a namespace on the revision, and the label that matched", async () => {
    const r = await cli(['-n', 'ci-on', 'deployment/web']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^WEBHOOK\s+REVISION\s+INJECTED\s+REASON$/m);
    assert.match(
      r.out,
      /^sidecar-injector-canary\/rev\.namespace\.sidecar-injector\.istio\.io\s+canary\s+✔\s+namespace istio\.io\/rev=canary.* matches$/m,
    );
    assert.match(r.out, /^injected by sidecar-injector-canary\/rev\.namespace\.sidecar-injector\.istio\.io \(revision canary\)$/m);
    const j = await json(['-n', 'ci-on', 'deployment/web']);
    assert.equal(j.rows.filter((x) => x.injected).length, 1);
    assert.ok(
      j.rows.every((x) => x.labels.length > 0),
      'each entry says which labels it looked at',
    );
  });

  it('shows a Deployment whose template opts out as not injected by any entry, naming its label', async () => {
    const j = await json(['-n', 'ci-on', 'deployment/quiet']);
    assert.ok(j.rows.every((x) => !x.injected));
    assert.ok(j.rows.some((x) => x.reason.includes('pod sidecar.istio.io/inject=false')));
    assert.equal(j.verdict, 'no webhook would inject the sidecar');
  });

  it('checks a pod, and a new pod of a namespace with --namespace-only', async () => {
    const pod = await json(['-n', 'ci-off', 'plain']);
    assert.ok(pod.rows.length > 0 && pod.rows.every((x) => !x.injected));
    const ns = await json(['-n', 'ci-on', '--namespace-only']);
    assert.equal(ns.rows.filter((x) => x.injected).length, 1);
  });

  it('says what is missing when the pod is not there, exit 1', async () => {
    const r = await cli(['-n', 'ci-off', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.err, /pod "nope" not found in namespace "ci-off"/);
  });
});
