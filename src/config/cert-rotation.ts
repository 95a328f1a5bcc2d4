// The CA rotation of a certificate Secret the injector made, decided from the Secret as read and `now`
// (pure). It starts (cert-plan.ts, step a: 'add-ca') when the CA is due: ca.crt becomes "new CA, old CA",
// ca.key the new CA's key, tls.crt (signed by the old CA) is kept, and the time is recorded (CA_ADDED_AT).
// Every replica publishes ca.crt as the caBundle, so the API server trusts both. While ca.crt holds more
// than one CA this file decides the rest, so that the caBundle always holds the CA of whatever any replica
// may still serve:
// b. 'renew-with-new-ca': once the grace period has passed since (a), tls.crt is renewed, signed by the new CA;
// c. 'drop-old-ca': an old CA is dropped from ca.crt once it has expired, or once the grace period has passed
//    again since tls.crt was last issued (no certificate in the Secret is signed by it any longer).
import {
  CA_ADDED_AT,
  type CertPlan,
  earliest,
  type PlanContext,
  renew,
  renewalTime,
  SERVING_ISSUED_AT,
  servingDue,
  validity,
  write,
} from './cert-steps.ts';

const annotationTime = (v: string | undefined): Date | undefined => {
  const t = v === undefined ? Number.NaN : Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
};

/** Why tls.crt, not signed by the newest CA, must be renewed now, or undefined while it waits for `switchAt`. */
function whyServeNewCa(ctx: PlanContext, switchAt: Date): string | undefined {
  const { read, now, signer } = ctx;
  if (signer < 0) return 'tls.crt is not signed by a CA of ca.crt';
  if (new Date(read.cas[signer]!.x509.validTo) <= now) return "tls.crt's CA has expired";
  if (now >= switchAt) return `the new CA has been in ca.crt since ${ctx.annotations[CA_ADDED_AT] ?? 'its notBefore'}`;
  return undefined;
}

/** ca.crt holds the new CA first, then older ones: steps (b) and (c). */
export function planRotating(ctx: PlanContext): CertPlan {
  const { read, now, graceMs } = ctx;
  // when the new CA was added; without a readable annotation, when it was issued (its notBefore: at most a
  // minute before it was added)
  const addedAt = annotationTime(ctx.annotations[CA_ADDED_AT]) ?? validity(read.cas[0]!.x509).from;
  const serveNewAt = new Date(addedAt.getTime() + graceMs);
  const leaf = validity(read.x509);
  if (ctx.signer !== 0) {
    // after the grace period; or sooner, at 2/3 of the way to its expiry, for a tls.crt that would expire first
    const switchAt = earliest(serveNewAt, renewalTime(addedAt, leaf.to));
    const why = whyServeNewCa(ctx, switchAt);
    return why === undefined ? { action: 'use', certificate: read.certificate, renewAt: switchAt } : renew(ctx, 'renew-with-new-ca', why);
  }
  const due = servingDue(ctx);
  if (due !== undefined) return renew(ctx, 'renew', due);
  const issuedAt = annotationTime(ctx.annotations[SERVING_ISSUED_AT]);
  const dropAt = new Date(Math.max(issuedAt?.getTime() ?? 0, serveNewAt.getTime()) + graceMs);
  const older = read.cas.slice(1);
  const keep = now >= dropAt ? [] : older.filter((c) => new Date(c.x509.validTo) > now);
  if (keep.length < older.length) {
    const why =
      now >= dropAt ? `tls.crt has been signed by the new CA since ${issuedAt?.toISOString() ?? serveNewAt.toISOString()}` : 'an old CA has expired';
    return write(ctx, 'drop-old-ca', why, {
      ca: ctx.current,
      serving: ctx.serving,
      olderCas: keep.map((c) => c.pem),
      annotations: keep.length === 0 ? { [CA_ADDED_AT]: null } : {},
    });
  }
  const expiries = older.map((c) => new Date(c.x509.validTo));
  return { action: 'use', certificate: read.certificate, renewAt: earliest(renewalTime(leaf.from, leaf.to), dropAt, ...expiries) };
}
