// `serve` with a cluster publishes its CA as the caBundle of its own webhook configuration, and again
// after the certificate rotates to a new CA, without a restart.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnInjector, type ChildInjector } from '../helpers/child-injector.ts';
import { makeCa, writeServerCert } from '../helpers/tls.ts';
import { apiCall, startControlPlane, waitFor, type ControlPlane } from './harness/index.ts';
import { webhookConfigurationFromDeploy } from './harness/deploy.ts';

describe('serve publishes its caBundle', function () {
  this.timeout(16 * 60_000);
  let cp: ControlPlane;
  let inj: ChildInjector;
  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => {
    await inj?.stop();
    await cp?.stop();
  });

  it('sets caBundle on its own configuration at start and after a rotation to a new CA', async () => {
    const mwc = await webhookConfigurationFromDeploy(cp, { url: 'https://127.0.0.1:1/inject', name: 'serve-owned' });
    await apiCall(cp, 'POST', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', mwc);
    inj = await spawnInjector(['--kubeconfig', cp.kubeconfigPath, '--webhook-config', 'serve-owned']);
    writeFileSync(join(inj.certDir, 'ca.crt'), inj.ca.cert);
    const bundles = async () =>
      (
        await apiCall<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(
          cp,
          'GET',
          '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/serve-owned',
        )
      ).webhooks.map((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString());
    await waitFor(async () => ((await bundles()).every((b) => b.includes('BEGIN CERTIFICATE')) ? true : undefined), {
      what: 'a caBundle on every entry',
      timeoutMs: 60_000,
      intervalMs: 300,
    });
    const newCa = await makeCa('rotated CA');
    await writeServerCert(newCa, inj.certDir, 'rotated');
    writeFileSync(join(inj.certDir, 'ca.crt'), newCa.cert);
    await waitFor(async () => ((await bundles()).every((b) => b === newCa.cert) ? true : undefined), {
      what: 'the new CA as caBundle',
      timeoutMs: 60_000,
      intervalMs: 300,
    });
    const m = await inj.metrics();
    assert.match(m, /webhook_patch_attempts_total\{name="serve-owned"\} [1-9]/);
  });
});
