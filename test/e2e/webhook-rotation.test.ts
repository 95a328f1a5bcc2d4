// The API server keeps calling `sidecar-injector serve` through a rotation to a new CA. serve runs as
// deploy/ runs it: as its ServiceAccount with only deploy/'s RBAC (for the informers and the caBundle
// patcher alike), ca.crt next to tls.crt/tls.key, started before its MutatingWebhookConfiguration exists.
// (test/e2e/serve-ca-bundle.test.ts checks the caBundle alone, as the admin, with nobody calling the webhook.)
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiCall } from './harness/api.ts';
import { createTestCA, issueServerCert } from './harness/certs.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import { applyDeployRbac, serviceAccountKubeconfig, waitForInjection, webhookConfigurationFromDeploy } from './harness/deploy.ts';
import { startWebhookProcess, type WebhookProcess } from './harness/injector.ts';
import { waitFor } from './harness/wait.ts';

const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/sidecar-injector';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe("webhook certificate rotation to a new CA (real API server, the injector's ServiceAccount)", () => {
  let cp: ControlPlane | undefined;
  let webhook: WebhookProcess | undefined;
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };

  before(async function () {
    this.timeout(16 * 60_000); // a cold build of the binaries takes ~5 min; the start itself is bounded at 90 s
    cp = await startControlPlane();
    await cp.createNamespace('sidecar-injector', { 'istio-injection': 'disabled' });
    await apiCall(cp, 'POST', '/api/v1/namespaces/sidecar-injector/serviceaccounts', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sidecar-injector' },
    });
    await applyDeployRbac(cp, [{ kind: 'ServiceAccount', name: 'sidecar-injector', namespace: 'sidecar-injector' }]);
    await cp.createNamespace('e2e-enabled', { 'istio-injection': 'enabled' });
  });
  after(async function () {
    this.timeout(60_000);
    await webhook?.stop();
    await cp?.stop();
  });

  const bundles = async () =>
    (await apiCall<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(plane(), 'GET', MWC)).webhooks.map((w) => w.clientConfig.caBundle);

  it('serve sets the caBundle once its configuration is created and again after the rotation, and pods keep being injected', async function () {
    this.timeout(120_000);
    const kubeconfig = await serviceAccountKubeconfig(plane(), 'sidecar-injector', 'sidecar-injector');
    const wh = await startWebhookProcess({ ca: plane().ca, dir: plane().dir, kubeconfig, extraArgs: ['--webhook-config', 'sidecar-injector'] });
    webhook = wh;
    await apiCall(
      plane(),
      'POST',
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      await webhookConfigurationFromDeploy(plane(), { url: wh.url }),
    );
    const first = b64(plane().caPem);
    await waitFor(async () => (await bundles()).every((b) => b === first), {
      what: 'the caBundle of both entries to be the first CA',
      timeoutMs: 40_000,
      intervalMs: 250,
    });
    await waitForInjection(plane(), 'e2e-enabled');

    // A rotation as a Secret update looks in the pod: new files, swapped in at once.
    const next = await createTestCA('rotated CA');
    const cert = await issueServerCert(next, ['127.0.0.1', 'localhost']);
    for (const [file, content] of [
      ['ca.crt', next.certPem],
      ['tls.key', cert.keyPem],
      ['tls.crt', cert.certPem],
    ] as const) {
      writeFileSync(join(wh.certDir, `.${file}.new`), content);
    }
    for (const file of ['ca.crt', 'tls.key', 'tls.crt']) renameSync(join(wh.certDir, `.${file}.new`), join(wh.certDir, file));
    await waitFor(async () => (await bundles()).every((b) => b === b64(next.certPem)), {
      what: 'the caBundle of both entries to be the rotated CA',
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    await waitForInjection(plane(), 'e2e-enabled', { timeoutMs: 30_000 });

    const metrics = (await wh.ops('/metrics')).body;
    const attempts = Number(/^webhook_patch_attempts_total\{name="sidecar-injector"\} (\d+)/m.exec(metrics)?.[1]);
    assert.ok(
      attempts >= 2,
      `webhook_patch_attempts_total in:\n${metrics
        .split('\n')
        .filter((l) => l.startsWith('webhook_patch'))
        .join('\n')}`,
    );
    assert.match(
      metrics,
      /^webhook_patch_failures_total\{name="sidecar-injector",reason="webhook_config_not_found"\} [1-9]/m,
      'it was started before its configuration existed',
    );
  });
});
