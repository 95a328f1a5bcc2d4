// The CA rotation of the Secret `serve --cert-secret` made, as replicas see it: each decides from the
// Secret as read and `now` (injected: no clock), and writes with the resourceVersion read (an in-memory
// store that refuses a stale one, as the API server does). At no moment may a replica serve a certificate
// that a caBundle the API server may still hold cannot verify: a new CA is published a grace period before
// a certificate it signed is served, and an old CA stays published a grace period after the last one.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { issueCa, issueServing, plannedSecret } from '../../src/config/cert-issue.ts';
import {
  CA_ADDED_AT,
  type CertPlan,
  certSecretData,
  type CertSecretLike,
  type CertStep,
  GENERATED_LABEL,
  planCertSecret,
  rotationGraceMs,
  SERVING_ISSUED_AT,
  serviceDnsNames,
} from '../../src/config/cert-plan.ts';
import { pemCertificates } from '../../src/config/cert-read.ts';

const HOUR = 3600_000;
const LIFETIME = 30 * HOUR; // the CA: 300 h, due at 200 h; grace: 1 h
const GRACE = rotationGraceMs(LIFETIME);
const dnsNames = serviceDnsNames('sidecar-injector', 'sidecar-injector');
const opts = { name: 'sidecar-injector-tls', namespace: 'sidecar-injector', dnsNames, lifetimeMs: LIFETIME };
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (h: number) => new Date(t0.getTime() + h * HOUR);

/** The API server's part: a Secret, replaced only with the resourceVersion it has. */
class Store {
  secret: CertSecretLike | undefined;
  /** Every Secret written, with when and by which step. */
  readonly history: Array<{ at: number; step: CertStep; secret: CertSecretLike }> = [];
  private rv = 0;
  write(body: CertSecretLike, now = t0, step: CertStep = 'create'): 'ok' | 'conflict' {
    const want = body.metadata?.resourceVersion;
    if (want === undefined ? this.secret !== undefined : want !== this.secret?.metadata?.resourceVersion) return 'conflict';
    this.secret = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
    this.history.push({ at: now.getTime(), step, secret: this.secret });
    return 'ok';
  }
}

/** One replica's pass (cert-secret.ts's settle): read, plan, write, until the plan is to use the Secret. */
async function settle(store: Store, now: Date, steps: CertStep[] = []): Promise<CertPlan & { action: 'use' }> {
  for (let round = 0; round < 6; round++) {
    const read = store.secret;
    const plan = planCertSecret(read, now, opts);
    if (plan.action === 'use') return plan;
    if (store.write(await plannedSecret(plan, read, opts, now), now, plan.step) === 'ok') steps.push(plan.step);
  }
  throw new Error('did not settle');
}

const x509 = (pem: string) => new X509Certificate(pem);
const b64 = (s: CertSecretLike, key: string) => Buffer.from(s.data![key]!, 'base64').toString('utf8');
const bundle = (s: CertSecretLike) => pemCertificates(b64(s, 'ca.crt')).map(x509);
const leaf = (s: CertSecretLike) => x509(b64(s, 'tls.crt'));
const verifies = (cas: X509Certificate[], l: X509Certificate) => cas.some((c) => l.checkIssued(c) && l.verify(c.publicKey));

describe('certificate Secret: CA rotation', () => {
  let store: Store;
  let firstCa: X509Certificate;
  beforeEach(async () => {
    store = new Store();
    await settle(store, t0);
    firstCa = bundle(store.secret!)[0]!;
  });

  it('steady: looks again when the CA reaches 2/3 of its lifetime (200 h of 300 h) if the serving certificate is not due first', async () => {
    const plan = await settle(store, at(199)); // renews the serving certificate (due at 20 h), due again at 219 h
    const from = new Date(firstCa.validFrom).getTime();
    assert.equal(plan.renewAt?.getTime(), from + ((new Date(firstCa.validTo).getTime() - from) * 2) / 3);
  });

  it('across two CA rotations, every certificate served is verified by every caBundle the API server may hold meanwhile', async () => {
    // the replicas' timers: each pass at the time the last plan said; a replica or the API server may lag a
    // Secret's change by anything under the grace period, so a state is seen until the next one's write + GRACE
    const steps: CertStep[] = [];
    let now = t0;
    for (let pass = 0; pass < 60 && now < at(560); pass++) {
      const plan = await settle(store, now, steps);
      now = new Date(Math.max(plan.renewAt!.getTime(), now.getTime() + 1));
    }
    assert.deepEqual(
      steps.filter((s) => s !== 'renew'),
      ['add-ca', 'renew-with-new-ca', 'drop-old-ca', 'add-ca', 'renew-with-new-ca', 'drop-old-ca'],
    );
    const states = store.history.map((h) => ({ at: h.at, step: h.step, leaf: leaf(h.secret), cas: bundle(h.secret) }));
    const seenUntil = (i: number) => (states[i + 1]?.at ?? Number.POSITIVE_INFINITY) + GRACE;
    for (let i = 0; i < states.length; i++) {
      const s = states[i]!;
      const signer = s.cas.find((c) => verifies([c], s.leaf))!;
      assert.ok(signer, `state ${i}: tls.crt is signed by a CA of ca.crt`);
      assert.ok(new Date(s.leaf.validTo) <= new Date(signer.validTo), `state ${i}: tls.crt does not outlive its CA`);
      for (let j = 0; j < i; j++) {
        if (seenUntil(j) <= s.at) continue; // state j is no longer seen by anyone when state i is written
        assert.ok(verifies(states[j]!.cas, s.leaf), `state ${i} (${s.step}): its tls.crt is verified by state ${j}'s caBundle`);
        assert.ok(verifies(s.cas, states[j]!.leaf), `state ${i} (${s.step}): its caBundle verifies state ${j}'s tls.crt`);
      }
    }
  });

  it('(a) adds a new CA first in ca.crt beside the old one, keeps the serving certificate, records when', async () => {
    const before = store.secret!;
    const steps: CertStep[] = [];
    const plan = await settle(store, at(201), steps);
    assert.deepEqual(steps, ['renew', 'add-ca'], 'a due serving certificate is renewed with the old CA first, then the CA is added');
    const s = store.secret!;
    const [next, old] = bundle(s);
    assert.equal(bundle(s).length, 2);
    assert.equal(old!.fingerprint256, firstCa.fingerprint256);
    assert.notEqual(next!.fingerprint256, firstCa.fingerprint256);
    assert.notEqual(next!.subject, firstCa.subject, 'a client looking its issuer up by name tells the two apart');
    assert.ok(verifies([old!], leaf(s)), 'tls.crt is still signed by the old CA');
    assert.notEqual(leaf(s).serialNumber, leaf(before).serialNumber);
    assert.equal(s.metadata?.annotations?.[CA_ADDED_AT], at(201).toISOString());
    // what a replica publishes as caBundle: ca.crt, both CAs
    assert.equal(pemCertificates(plan.certificate.ca!).length, 2);
    assert.equal(plan.renewAt?.getTime(), at(201).getTime() + GRACE, 'looks again when the grace period is over');
  });

  it('(b) serves a certificate of the new CA only after the grace period, (c) drops the old CA a grace period later', async () => {
    await settle(store, at(201));
    const tls = b64(store.secret!, 'tls.crt');
    const steps: CertStep[] = [];
    await settle(store, new Date(at(201).getTime() + GRACE - 1), steps);
    assert.deepEqual(steps, [], 'nothing before the grace period is over');
    assert.equal(b64(store.secret!, 'tls.crt'), tls);
    const bAt = new Date(at(201).getTime() + GRACE);
    const afterB = await settle(store, bAt, steps);
    assert.deepEqual(steps, ['renew-with-new-ca']);
    const [next, old] = bundle(store.secret!);
    assert.ok(verifies([next!], leaf(store.secret!)) && !verifies([old!], leaf(store.secret!)), 'tls.crt is signed by the new CA');
    assert.equal(bundle(store.secret!).length, 2, 'both CAs are still published');
    assert.equal(store.secret!.metadata?.annotations?.[SERVING_ISSUED_AT], bAt.toISOString());
    assert.equal(afterB.renewAt?.getTime(), bAt.getTime() + GRACE);
    await settle(store, new Date(bAt.getTime() + GRACE - 1), steps);
    assert.deepEqual(steps, ['renew-with-new-ca'], 'the old CA is kept during the second grace period');
    const done = await settle(store, new Date(bAt.getTime() + GRACE), steps);
    assert.deepEqual(steps, ['renew-with-new-ca', 'drop-old-ca']);
    assert.deepEqual(
      bundle(store.secret!).map((c) => c.fingerprint256),
      [next!.fingerprint256],
    );
    assert.equal(store.secret!.metadata?.annotations?.[CA_ADDED_AT], undefined);
    assert.equal(pemCertificates(done.certificate.ca!).length, 1);
  });

  it("racing replicas: each step is written once, the losers read the winner's Secret and serve and publish the same", async () => {
    for (const when of [at(201), new Date(at(201).getTime() + GRACE), new Date(at(201).getTime() + 2 * GRACE)]) {
      const read = store.secret;
      const plans = [planCertSecret(read, when, opts), planCertSecret(read, when, opts)];
      const bodies = await Promise.all(plans.map((p) => (p.action === 'write' ? plannedSecret(p, read, opts, when) : undefined)));
      const results = bodies.map((b) => (b ? store.write(b) : 'none'));
      assert.deepEqual(results, ['ok', 'conflict'], `one write wins at ${when.toISOString()}`);
      const [a, b] = await Promise.all([settle(store, when), settle(store, when)]);
      assert.equal(a.certificate.cert, b.certificate.cert);
      assert.equal(a.certificate.ca, b.certificate.ca);
      assert.equal(a.certificate.ca, b64(store.secret!, 'ca.crt'));
    }
    // a → renew (with the old CA) and add-ca at 201 h, b, c: the old CA is gone
    assert.equal(bundle(store.secret!).length, 1);
    assert.notEqual(bundle(store.secret!)[0]!.fingerprint256, firstCa.fingerprint256);
  });

  it('a fresh replica reading a Secret mid-rotation serves its certificate, publishes both CAs and waits for the next step', async () => {
    await settle(store, at(201));
    const mid = store.secret!;
    const plan = planCertSecret(mid, at(201.5), opts);
    assert.equal(plan.action, 'use');
    if (plan.action !== 'use') return;
    assert.equal(plan.certificate.cert, b64(mid, 'tls.crt'));
    assert.deepEqual(
      pemCertificates(plan.certificate.ca!).map((p) => x509(p).fingerprint256),
      bundle(mid).map((c) => c.fingerprint256),
    );
    assert.equal(plan.renewAt?.getTime(), at(201).getTime() + GRACE);
    // without the annotation (stripped by hand): the new CA's notBefore stands for when it was added
    const { [CA_ADDED_AT]: _, ...rest } = mid.metadata!.annotations!;
    const stripped = planCertSecret({ ...mid, metadata: { ...mid.metadata, annotations: rest } }, at(201.5), opts);
    assert.equal(stripped.action === 'use' && stripped.renewAt?.getTime(), new Date(bundle(mid)[0]!.validFrom).getTime() + GRACE);
  });

  it('a CA ending before a serving certificate issued now would is rotated, even before 2/3 of its life', async () => {
    // a CA made for 3 h serving certificates (30 h) now used with 30 h ones: 10 h after it was made it has
    // 20 h left, less than a serving certificate's 30 h
    const ca = await issueCa(t0, 3 * HOUR);
    const serving = await issueServing(ca, dnsNames, t0, 3 * HOUR);
    const s: CertSecretLike = {
      metadata: { name: 'x', resourceVersion: '1', labels: { [GENERATED_LABEL]: 'true' } },
      data: certSecretData(ca, serving),
    };
    const plan = planCertSecret(s, at(1), opts);
    assert.ok(plan.action === 'write' && plan.step === 'add-ca', JSON.stringify(plan.action === 'write' && plan.why));
    if (plan.action === 'write') assert.match(plan.why, /expires before a serving certificate issued now would/);
  });

  it('a CA with less than the grace period left is replaced together with the serving certificate', async () => {
    const plan = planCertSecret(store.secret, new Date(new Date(firstCa.validTo).getTime() - GRACE / 2), opts);
    assert.ok(plan.action === 'write' && plan.step === 'replace-expired-ca');
    if (plan.action === 'write') assert.deepEqual([plan.ca, plan.serving, plan.olderCas.length], ['new', 'new', 1]);
  });

  it('a Secret the injector did not make is used as it is, never rotated, even with an expiring CA', () => {
    const { metadata, data } = store.secret!;
    const { 'ca.key': _, ...theirs } = data!;
    const plan = planCertSecret({ metadata: { ...metadata, labels: {} }, data: theirs }, at(299.9), opts);
    assert.equal(plan.action, 'use');
    if (plan.action === 'use') assert.equal(plan.renewAt, undefined);
  });
});
