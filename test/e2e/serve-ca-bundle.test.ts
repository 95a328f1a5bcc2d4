// `serve` with a cluster publishes its CA as the caBundle of its own webhook configuration, and again
// after the certificate rotates to a new CA, without a restart.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnInjector, type ChildInjector } from '../helpers/child-injector.ts';
import { makeCa, writeServerCert } from '../helpers/tls.ts';
import { apiCall, startControlPlane, waitFor, type ControlPlane } from './harness/index.ts';
import { DEPLOY_DIR, renderDeploy, webhookConfigurationFromDeploy } from './harness/deploy.ts';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';

describe('serve publishes its caBundle', function () {
  this.timeout(16 * 60_000);
  let cp: ControlPlane;
  let inj: ChildInjector;
  let canaryInj: ChildInjector | undefined;
  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => {
    await inj?.stop();
    await canaryInj?.stop();
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

  it('serve --revision canary keeps its tags current too: a tag set after it started gets the new CA after a rotation', async () => {
    const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
    const rendered = await renderDeploy(cp, join(DEPLOY_DIR, 'revisions', 'canary'));
    const mwc = structuredClone(rendered.find((o) => o.kind === 'MutatingWebhookConfiguration')!);
    for (const w of mwc.webhooks as Array<{ clientConfig: unknown }>) w.clientConfig = { url: 'https://127.0.0.1:1/inject' };
    await apiCall(cp, 'POST', MWC, mwc);
    canaryInj = await spawnInjector(['--kubeconfig', cp.kubeconfigPath, '--revision', 'canary', '--webhook-config', 'sidecar-injector-canary']);
    writeFileSync(join(canaryInj.certDir, 'ca.crt'), canaryInj.ca.cert);
    const bundles = async (name: string) =>
      (await apiCall<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(cp, 'GET', `${MWC}/${name}`)).webhooks.map((w) =>
        Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString(),
      );
    const all = (name: string, pem: string) => async () => ((await bundles(name)).every((b) => b === pem) ? true : undefined);
    await waitFor(all('sidecar-injector-canary', canaryInj.ca.cert), { what: "the canary's caBundle", timeoutMs: 60_000, intervalMs: 300 });
    const io = memoryIO();
    assert.equal(await runCli(['tag', 'set', 'prod', '--revision', 'canary', '--kubeconfig', cp.kubeconfigPath], io), 0, io.err());
    assert.deepEqual(await bundles('istio-revision-tag-prod'), [canaryInj.ca.cert, canaryInj.ca.cert], 'copied from the revision');
    const newCa = await makeCa('rotated canary CA');
    await writeServerCert(newCa, canaryInj.certDir, 'rotated');
    writeFileSync(join(canaryInj.certDir, 'ca.crt'), newCa.cert);
    await waitFor(all('istio-revision-tag-prod', newCa.cert), { what: 'the new CA on the tag', timeoutMs: 60_000, intervalMs: 300 });
    await waitFor(all('sidecar-injector-canary', newCa.cert), { what: 'the new CA on the revision', timeoutMs: 60_000, intervalMs: 300 });
    assert.match(await canaryInj.metrics(), /webhook_patch_attempts_total\{name="istio-revision-tag-prod"\} [1-9]/);
    // the default revision's injector (started above) left the canary's tag alone
    assert.doesNotMatch(await inj.metrics(), /name="istio-revision-tag-prod"/);
  });
});
