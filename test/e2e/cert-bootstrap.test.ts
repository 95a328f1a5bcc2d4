// Certificates without cert-manager: `serve --cert-secret` with no certificate given, as deploy/ runs it
// (the ServiceAccount with deploy/base/rbac.yaml's permissions). Two replicas started together make
// exactly one Secret and serve chains to the same CA, which becomes the webhook's caBundle, and a pod of
// a labelled namespace is injected; a replica started later uses the same CA; with a short lifetime the
// serving certificate is renewed (same CA) without a restart and without a failed admission; and a CA that
// is due is rotated (new CA published beside the old one, then served, then the old one dropped) with the
// caBundle verifying what every replica serves all along.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { issueCa, issueServing } from '../../src/config/cert-issue.ts';
import { certSecretData, GENERATED_LABEL, serviceDnsNames } from '../../src/config/cert-plan.ts';
import { pemCertificates } from '../../src/config/cert-read.ts';
import { apiCall, createPod, podManifest, updateObject } from './harness/api.ts';
import { startControlPlane, type ControlPlane } from './harness/control-plane.ts';
import {
  applyDeployRbac,
  containerNames,
  dryRunPod,
  initContainerNames,
  type StoredPod,
  serviceAccountKubeconfig,
  waitForInjection,
  webhookConfigurationFromDeploy,
} from './harness/deploy.ts';
import { startWebhookProcess, type WebhookProcess } from './harness/injector.ts';
import { waitFor } from './harness/wait.ts';

const NS = 'sidecar-injector';
const SECRET = 'sidecar-injector-tls';
const SECRETS = `/api/v1/namespaces/${NS}/secrets`;
const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

/** The certificate a listener serves (the leaf of its chain). */
function servedCert(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = s.getPeerCertificate().raw;
      s.end();
      resolve(new X509Certificate(raw));
    });
    s.on('error', reject);
  });
}

/** Whether a client trusting only `caBundle` completes a handshake with the listener on `port` (127.0.0.1). */
function trustedHandshake(port: number, caBundle: string): Promise<true | string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, ca: caBundle, rejectUnauthorized: true, timeout: 5000 }, () => {
      s.end();
      resolve(true);
    });
    s.on('timeout', () => s.destroy(new Error('handshake timed out')));
    s.on('error', (e) => resolve(e.message));
  });
}

type Secret = { metadata: { resourceVersion: string }; data: Record<string, string> };
/** istio-proxy as a native sidecar (no node known: native, as in Istio) or a classic one. */
const injected = (pod: StoredPod) => [...containerNames(pod), ...initContainerNames(pod)].includes('istio-proxy');
const pem = (s: Secret, key: string) => Buffer.from(s.data[key]!, 'base64').toString('utf8');

describe('certificates without cert-manager: serve --cert-secret (real API server)', function () {
  this.timeout(5 * 60_000);
  let cp: ControlPlane | undefined;
  let kubeconfig = '';
  let replicas: WebhookProcess[] = [];
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };
  const start = (lifetimeSeconds?: number) =>
    startWebhookProcess({
      ca: plane().ca,
      dir: plane().dir,
      kubeconfig,
      certSecret: { name: SECRET, namespace: NS, ...(lifetimeSeconds ? { lifetimeSeconds } : {}) },
      extraArgs: ['--webhook-config', 'sidecar-injector'],
    });
  const secrets = async () => (await apiCall<{ items: Secret[] }>(plane(), 'GET', SECRETS)).items;
  const caBundles = async () =>
    (await apiCall<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }>(plane(), 'GET', `${MWC}/sidecar-injector`)).webhooks.map((w) =>
      Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString(),
    );
  /** Points every entry of the webhook configuration at `url` (replicas restart on new ports); returns it. */
  const pointWebhookAt = async (url: string) => {
    type Mwc = { metadata: unknown; webhooks: Array<{ clientConfig: { url?: string } }> };
    // the replicas may be writing the caBundle meanwhile: updateObject tries again on a conflict
    return updateObject<Mwc>(plane(), `${MWC}/sidecar-injector`, (mwc) => {
      for (const w of mwc.webhooks) w.clientConfig.url = url;
      return mwc;
    });
  };
  const stopAll = async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    replicas = [];
  };

  before(async function () {
    this.timeout(16 * 60_000);
    cp = await startControlPlane();
    await apiCall(plane(), 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await apiCall(plane(), 'POST', `/api/v1/namespaces/${NS}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sidecar-injector' },
    });
    await applyDeployRbac(plane(), [{ kind: 'ServiceAccount', name: 'sidecar-injector', namespace: NS }], NS);
    kubeconfig = await serviceAccountKubeconfig(plane(), NS, 'sidecar-injector');
  });
  after(async function () {
    this.timeout(60_000);
    await stopAll();
    await cp?.stop();
  });

  it('two replicas started together make exactly one Secret and serve chains to its CA, the caBundle; a labelled namespace is injected', async () => {
    replicas = await Promise.all([start(), start()]);
    const all = await secrets();
    assert.equal(all.length, 1, 'exactly one Secret');
    const caPem = pem(all[0]!, 'ca.crt');
    const ca = new X509Certificate(caPem);
    for (const r of replicas) {
      const leaf = await servedCert(r.port);
      assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), `replica on ${r.port} serves a certificate of the Secret's CA`);
      assert.ok(leaf.checkHost('sidecar-injector.sidecar-injector.svc'));
    }
    // the webhook configuration, applied without a caBundle, pointed at the first replica
    const mwc = await webhookConfigurationFromDeploy(plane(), { url: replicas[0]!.url, name: 'sidecar-injector' });
    await apiCall(plane(), 'POST', MWC, mwc);
    await waitFor(async () => ((await caBundles()).every((b) => b === caPem) ? true : undefined), {
      what: "the Secret's CA as caBundle on every entry",
      timeoutMs: 60_000,
      intervalMs: 300,
    });
    await plane().createNamespace('app', { 'istio-injection': 'enabled' });
    await waitForInjection(plane(), 'app');
    const pod = (await createPod(plane(), 'app', podManifest('web'))) as unknown as StoredPod;
    assert.ok(injected(pod), 'the stored pod has the sidecar');
  });

  it('a replica started afterwards uses the same CA', async function () {
    if (replicas.length === 0) this.skip();
    const before = (await secrets())[0]!;
    const late = await start();
    replicas.push(late);
    const after = await secrets();
    assert.equal(after.length, 1);
    assert.equal(after[0]!.metadata.resourceVersion, before.metadata.resourceVersion, 'the Secret is left as it was');
    assert.ok((await servedCert(late.port)).checkIssued(new X509Certificate(pem(before, 'ca.crt'))));
  });

  it('renews the serving certificate before it expires (short lifetime): same CA, no restart, no failed admission', async function () {
    this.timeout(3 * 60_000);
    await stopAll();
    await apiCall(plane(), 'DELETE', `${SECRETS}/${SECRET}`);
    replicas = await Promise.all([start(20), start(20)]);
    const first = (await secrets())[0]!;
    const ca = pem(first, 'ca.crt');
    const mwc = await pointWebhookAt(replicas[0]!.url);
    await waitFor(async () => ((await caBundles()).every((b) => b === ca) ? true : undefined), {
      what: 'the new CA as caBundle',
      timeoutMs: 60_000,
      intervalMs: 300,
    });
    await waitForInjection(plane(), 'app');
    const serials = await Promise.all(replicas.map(async (r) => (await servedCert(r.port)).serialNumber));
    const pids = replicas.map((r) => r.process.pid);
    // admissions all along, until both replicas serve a renewed certificate
    let admissions = 0;
    const failed: string[] = [];
    await waitFor(
      async () => {
        admissions++;
        try {
          if (!injected(await dryRunPod(plane(), 'app', podManifest(`probe-${admissions}`)))) failed.push(`admission ${admissions}: not injected`);
        } catch (e) {
          failed.push(`admission ${admissions}: ${(e as Error).message}`);
        }
        const now = await Promise.all(replicas.map(async (r) => (await servedCert(r.port)).serialNumber));
        return now.every((s, i) => s !== serials[i]) ? true : undefined;
      },
      { what: 'both replicas to serve a renewed certificate', timeoutMs: 90_000, intervalMs: 300 },
    );
    assert.deepEqual(failed, [], 'no admission failed');
    assert.ok(admissions > 5, `admissions were made during the renewal (${admissions})`);
    const renewed = (await secrets())[0]!;
    assert.notEqual(renewed.metadata.resourceVersion, first.metadata.resourceVersion, 'the Secret was updated');
    assert.equal(pem(renewed, 'ca.crt'), ca, 'the CA is kept');
    assert.deepEqual(
      await caBundles(),
      mwc.webhooks.map(() => ca),
    );
    for (const r of replicas) assert.ok((await servedCert(r.port)).checkIssued(new X509Certificate(ca)));
    assert.deepEqual(
      replicas.map((r) => r.process.pid),
      pids,
      'no replica restarted',
    );
    for (const r of replicas) assert.equal(r.process.exited(), undefined, 'still running');
  });

  it('rotates a CA that is due: both CAs in the caBundle during the overlap, every replica reachable by a client trusting only the caBundle', async function () {
    this.timeout(4 * 60_000);
    await stopAll();
    await apiCall(plane(), 'DELETE', `${SECRETS}/${SECRET}`);
    // a Secret the injector made earlier (30 s serving certificates: a 300 s CA, a 3 s grace period), its CA
    // due (2/3 of 303 s) DUE_S seconds from now, its serving certificate renewed (same CA) a little before
    const L = 30_000;
    const DUE_S = 40;
    const madeAt = new Date(Date.now() + DUE_S * 1000 - 199_000);
    const oldCa = await issueCa(madeAt, L);
    const leaf = await issueServing(oldCa, [...serviceDnsNames('sidecar-injector', NS), '127.0.0.1', 'localhost'], new Date(), L);
    await apiCall(plane(), 'POST', SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: SECRET, labels: { [GENERATED_LABEL]: 'true' } },
      data: certSecretData(oldCa, leaf),
    });
    const oldFp = new X509Certificate(oldCa.cert).fingerprint256;
    replicas = await Promise.all([start(L / 1000), start(L / 1000)]);
    await pointWebhookAt(replicas[0]!.url);
    await waitForInjection(plane(), 'app');
    // every 300 ms until the old CA is gone everywhere: the caBundle as published, a handshake with each
    // replica trusting only it, an admission through the API server, and which CA each replica serves from
    const fps = (pem: string) => pemCertificates(pem).map((p) => new X509Certificate(p).fingerprint256);
    const oldKey = new X509Certificate(oldCa.cert).publicKey;
    const bundles: string[][] = [];
    const failed: string[] = [];
    const seen = { newPublished: 0, newServed: 0, oldServed: 0, oldDropped: 0 };
    let rounds = 0;
    await waitFor(
      async () => {
        rounds++;
        const t = Date.now();
        const caBundle = (await caBundles())[0]!;
        const fp = fps(caBundle);
        if (bundles.at(-1)?.join() !== fp.join()) bundles.push(fp);
        if (fp.some((f) => f !== oldFp)) seen.newPublished ||= t;
        if (!fp.includes(oldFp)) seen.oldDropped ||= t;
        for (const r of replicas) {
          const ok = await trustedHandshake(r.port, caBundle);
          if (ok !== true) failed.push(`round ${rounds}: replica ${r.port} with caBundle of ${fp.length} CA(s): ${ok}`);
        }
        try {
          if (!injected(await dryRunPod(plane(), 'app', podManifest(`rot-${rounds}`)))) failed.push(`round ${rounds}: not injected`);
        } catch (e) {
          failed.push(`round ${rounds}: admission: ${(e as Error).message}`);
        }
        const fromOld = await Promise.all(replicas.map(async (r) => (await servedCert(r.port)).verify(oldKey)));
        if (fromOld.some(Boolean)) seen.oldServed = Date.now();
        if (!fromOld.every(Boolean)) seen.newServed ||= t;
        const caCrt = fps(pem((await secrets())[0]!, 'ca.crt'));
        const done = caCrt.length === 1 && caCrt[0] !== oldFp && fp.join() === caCrt.join() && !fromOld.some(Boolean);
        return done && bundles.length >= 3 ? true : undefined;
      },
      { what: 'the CA rotation to finish (one new CA in ca.crt and the caBundle)', timeoutMs: 150_000, intervalMs: 300, maxAttempts: 500 },
    );
    assert.deepEqual(failed, [], 'no handshake and no admission failed');
    // old alone, old and new (new first), new alone
    const newFp = bundles.at(-1)![0]!;
    assert.notEqual(newFp, oldFp);
    assert.deepEqual(bundles, [[oldFp], [newFp, oldFp], [newFp]], 'the caBundle held both CAs between the old one alone and the new one alone');
    // the grace period (3 s here) on both sides, as sampled: the new CA published well before it is served,
    // the old one kept well after the last certificate it signed was served
    assert.ok(seen.newServed - seen.newPublished >= 1500, `new CA published ${seen.newServed - seen.newPublished} ms before it was served`);
    assert.ok(seen.oldDropped - seen.oldServed >= 1500, `old CA kept ${seen.oldDropped - seen.oldServed} ms after it was last served`);
    const newCa = new X509Certificate(pem((await secrets())[0]!, 'ca.crt'));
    for (const r of replicas) {
      const served = await servedCert(r.port);
      assert.ok(served.checkIssued(newCa) && served.verify(newCa.publicKey), `replica on ${r.port} serves a certificate of the new CA`);
    }
    for (const r of replicas) assert.equal(r.process.exited(), undefined, 'still running');
  });
});
