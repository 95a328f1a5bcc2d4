// What to do with the certificate Secret (`serve --cert-secret`), decided from the Secret as read and `now`:
// pure, no I/O. The Secret holds the CA and the serving certificate (tls.crt, tls.key, ca.crt, and ca.key
// when the injector made it). Absent: create it. A Secret made by someone else (cert-manager, by hand) is
// used as it is and renewed by them. One the injector made (label sidecar-injector.io/generated) is kept
// up by one step at a time, each written with the resourceVersion read so that racing replicas agree:
// - renew: the serving certificate past RENEW_FRACTION of its lifetime (or not covering the Service's
//   names) is replaced, signed by the current CA (never outliving it: cert-issue.ts clips it);
// - the CA past RENEW_FRACTION of its lifetime (or ending before a serving certificate issued now would) is
//   rotated in three steps (cert-rotation.ts) so that the API server can always verify what is served.
// A Secret missing a key or holding one that does not parse is refused, naming the key.
import { CertSecretError, keyMatches, readCertSecret, signerIndex, type CertSecretLike } from './cert-read.ts';
import { planRotating } from './cert-rotation.ts';
import {
  CA_ADDED_AT,
  type CertPlan,
  type CertPlanOptions,
  earliest,
  GENERATED_LABEL,
  type PlanContext,
  pct,
  renew,
  renewalTime,
  rotationGraceMs,
  SERVING_ISSUED_AT,
  servingDue,
  validity,
  write,
} from './cert-steps.ts';

export { CertSecretError, certSecretData, readCertSecret, type CertSecretLike } from './cert-read.ts';
export {
  CA_ADDED_AT,
  type CertPlan,
  type CertPlanOptions,
  type CertStep,
  type CertWrite,
  GENERATED_LABEL,
  RENEW_FRACTION,
  renewalTime,
  rotationGraceMs,
  SERVING_ISSUED_AT,
} from './cert-steps.ts';

/** One CA in ca.crt: renew the serving certificate when due, then start a rotation when the CA is due. */
function planSteady(ctx: PlanContext): CertPlan {
  const { now, opts, graceMs, read } = ctx;
  const ca = validity(read.cas[0]!.x509);
  if (ca.to.getTime() - now.getTime() < graceMs) {
    // no time left to publish a new CA before serving with it: replace both at once (the webhook is, or is
    // about to be, failing anyway); the old CA is still published until it expires
    const stillValid = ca.to > now;
    return write(ctx, 'replace-expired-ca', `the CA ${stillValid ? 'expires' : 'expired'} at ${ca.to.toISOString()}`, {
      ca: 'new',
      serving: 'new',
      olderCas: stillValid ? [read.cas[0]!.pem] : [],
      annotations: { [CA_ADDED_AT]: stillValid ? now.toISOString() : null, [SERVING_ISSUED_AT]: now.toISOString() },
    });
  }
  const servingWhy = ctx.signer !== 0 ? 'tls.crt is not signed by the CA of ca.crt' : servingDue(ctx);
  if (servingWhy !== undefined) return renew(ctx, 'renew', servingWhy);
  const caRenewAt = renewalTime(ca.from, ca.to);
  const caShortAt = new Date(ca.to.getTime() - opts.lifetimeMs);
  if (now >= caRenewAt || now >= caShortAt) {
    return write(
      ctx,
      'add-ca',
      now >= caRenewAt ? `the CA is past ${pct()} of its lifetime` : `the CA expires before a serving certificate issued now would`,
      { ca: 'new', serving: ctx.serving, olderCas: [read.cas[0]!.pem], annotations: { [CA_ADDED_AT]: now.toISOString() } },
    );
  }
  const { from, to } = validity(read.x509);
  return { action: 'use', certificate: read.certificate, renewAt: earliest(renewalTime(from, to), caRenewAt, caShortAt) };
}

/** The plan for the Secret as read (undefined: absent). Throws CertSecretError for a malformed one. */
export function planCertSecret(secret: CertSecretLike | undefined, now: Date, opts: CertPlanOptions): CertPlan {
  if (secret === undefined)
    return {
      action: 'write',
      step: 'create',
      why: 'there is no Secret',
      ca: 'new',
      serving: 'new',
      olderCas: [],
      annotations: { [SERVING_ISSUED_AT]: now.toISOString() },
    };
  const read = readCertSecret(secret);
  const name = secret.metadata?.name ?? '(unnamed)';
  if (secret.metadata?.labels?.[GENERATED_LABEL] !== 'true') return { action: 'use', certificate: read.certificate };
  const { caKey } = read;
  if (caKey === undefined || read.cas.length === 0) {
    const key = caKey === undefined ? 'ca.key' : 'ca.crt';
    throw new CertSecretError(`Secret ${name} is labelled ${GENERATED_LABEL} but has no ${key}`, key);
  }
  if (!keyMatches(caKey, read.cas[0]!.x509))
    throw new CertSecretError(`Secret ${name}: ca.key is not the key of the first certificate of ca.crt`, 'ca.key');
  const ctx: PlanContext = {
    read,
    now,
    opts,
    graceMs: rotationGraceMs(opts.lifetimeMs),
    resourceVersion: secret.metadata?.resourceVersion ?? '',
    annotations: secret.metadata?.annotations ?? {},
    current: { cert: read.cas[0]!.pem, key: caKey },
    serving: { cert: read.certificate.cert, key: read.certificate.key },
    signer: signerIndex(read.x509, read.cas),
  };
  return read.cas.length > 1 ? planRotating(ctx) : planSteady(ctx);
}

/** The DNS names a Service is called by from inside the cluster. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, `${service}.${namespace}`, service];
}
