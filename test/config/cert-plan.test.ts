// What `serve --cert-secret` does with the Secret it reads: create it when absent, use it while fresh,
// renew the serving certificate with the same CA once 2/3 of its lifetime has passed (only a Secret it
// made), never past the CA's own expiry, and refuse a malformed one naming the key. The CA's rotation:
// cert-rotation.test.ts.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { issueCa, issueServing } from '../../src/config/cert-issue.ts';
import {
  certSecretData,
  CertSecretError,
  GENERATED_LABEL,
  planCertSecret,
  serviceDnsNames,
  type CertSecretLike,
} from '../../src/config/cert-plan.ts';
import type { CertKeyPair } from '../../src/config/cert-source.ts';

const HOUR = 3600_000;
const names = serviceDnsNames('sidecar-injector', 'sidecar-injector');
const opts = { dnsNames: names, lifetimeMs: 30 * HOUR };

describe('certificate Secret plan', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  let ca: CertKeyPair;
  let serving: CertKeyPair;
  before(async () => {
    ca = await issueCa(t0, 30 * HOUR);
    serving = await issueServing(ca, names, t0, 30 * HOUR);
  });
  const secret = (data: Record<string, string>, ours = true): CertSecretLike => ({
    metadata: { name: 'sidecar-injector-tls', resourceVersion: '42', labels: ours ? { [GENERATED_LABEL]: 'true' } : {} },
    data,
  });

  it('creates the Secret when there is none: a new CA and serving certificate', () => {
    const plan = planCertSecret(undefined, t0, opts);
    assert.equal(plan.action, 'write');
    if (plan.action !== 'write') return;
    assert.deepEqual([plan.step, plan.ca, plan.serving, plan.olderCas, plan.resourceVersion], ['create', 'new', 'new', [], undefined]);
  });

  it('serves a fresh Secret as it is, and says when to renew it (2/3 of the lifetime)', () => {
    const plan = planCertSecret(secret(certSecretData(ca, serving)), new Date(t0.getTime() + HOUR), opts);
    assert.equal(plan.action, 'use');
    if (plan.action !== 'use') return;
    assert.equal(plan.certificate.cert, serving.cert);
    assert.equal(plan.certificate.ca, ca.cert);
    const x = new X509Certificate(serving.cert);
    const life = new Date(x.validTo).getTime() - new Date(x.validFrom).getTime();
    assert.equal(plan.renewAt?.getTime(), new Date(x.validFrom).getTime() + (life * 2) / 3);
  });

  it('the serving certificate is for the Service names and signed by the CA', () => {
    const x = new X509Certificate(serving.cert);
    for (const n of names) assert.ok(x.checkHost(n), n);
    assert.ok(x.checkIssued(new X509Certificate(ca.cert)));
    assert.ok(new X509Certificate(ca.cert).ca);
  });

  it('renews past 2/3 of the lifetime, with the same CA and the resourceVersion read', () => {
    const plan = planCertSecret(secret(certSecretData(ca, serving)), new Date(t0.getTime() + 21 * HOUR), opts);
    assert.equal(plan.action, 'write');
    if (plan.action !== 'write') return;
    assert.equal(plan.step, 'renew');
    assert.equal(plan.serving, 'new');
    assert.deepEqual(plan.ca, { cert: `${ca.cert.trimEnd()}\n`, key: ca.key });
    assert.equal(plan.resourceVersion, '42');
    assert.match(plan.why, /67% of its lifetime/);
  });

  it('renews a certificate that does not cover the Service (another Service name)', () => {
    const plan = planCertSecret(secret(certSecretData(ca, serving)), t0, {
      ...opts,
      dnsNames: serviceDnsNames('sidecar-injector-canary', 'sidecar-injector'),
    });
    assert.equal(plan.action, 'write');
    if (plan.action === 'write') assert.match(plan.why, /does not cover sidecar-injector-canary\.sidecar-injector\.svc/);
  });

  it('uses a Secret someone else made (cert-manager, by hand) as it is, even near expiry: they renew it', () => {
    const { 'ca.key': _, ...data } = certSecretData(ca, serving);
    const plan = planCertSecret(secret(data, false), new Date(t0.getTime() + 29 * HOUR), opts);
    assert.equal(plan.action, 'use');
    if (plan.action === 'use') assert.equal(plan.renewAt, undefined);
  });

  for (const [what, edit, key] of [
    ['without tls.key', (d: Record<string, string>) => delete d['tls.key'], 'tls.key'],
    ['with a ca.crt that is not PEM', (d: Record<string, string>) => (d['ca.crt'] = Buffer.from('hello').toString('base64')), 'ca.crt'],
    [
      'whose tls.crt is not a certificate',
      (d: Record<string, string>) =>
        (d['tls.crt'] = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64')),
      'tls.crt',
    ],
    ['whose tls.key does not match tls.crt', (d: Record<string, string>) => (d['tls.key'] = Buffer.from(ca.key).toString('base64')), 'tls.key'],
    ['labelled as made by the injector but without ca.key', (d: Record<string, string>) => delete d['ca.key'], 'ca.key'],
    [
      "whose ca.key is not the key of ca.crt's (first) CA",
      (d: Record<string, string>) => (d['ca.key'] = Buffer.from(serving.key).toString('base64')),
      'ca.key',
    ],
    [
      'whose ca.crt bundle has a second block that is not a certificate',
      (d: Record<string, string>) =>
        (d['ca.crt'] = Buffer.from(`${ca.cert}\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`).toString('base64')),
      'ca.crt',
    ],
  ] as const) {
    it(`refuses a Secret ${what}, naming the key`, () => {
      const data = certSecretData(ca, serving);
      edit(data);
      assert.throws(
        () => planCertSecret(secret(data), t0, opts),
        (e: unknown) => e instanceof CertSecretError && e.key === key && e.message.includes(key) && e.message.includes('sidecar-injector-tls'),
      );
    });
  }

  it("a serving certificate never outlives the CA that signs it (notAfter clipped to the CA's)", async () => {
    // a CA with 5 hours left signs a certificate asked for 30 hours
    const late = new Date(t0.getTime() + 295 * HOUR);
    const s = new X509Certificate((await issueServing(ca, names, late, 30 * HOUR)).cert);
    assert.equal(s.validTo, new X509Certificate(ca.cert).validTo);
    // far from the CA's end, the lifetime asked for
    const early = new X509Certificate(serving.cert);
    assert.equal(new Date(early.validTo).getTime(), t0.getTime() + 30 * HOUR);
  });
});
