// The steps the certificate Secret's plan (cert-plan.ts, cert-rotation.ts) can take, and what they are
// decided from: the Secret read, `now` and the options. Pure, no I/O.
import { isIP } from 'node:net';
import type { ReadCertSecret } from './cert-read.ts';
import type { CertKeyPair, ServingCertificate } from './cert-source.ts';

/** Marks a certificate Secret the injector created (and so renews). */
export const GENERATED_LABEL = 'sidecar-injector.io/generated';
/** When the newest CA of ca.crt was added (a CA rotation is under way while ca.crt holds more than one). */
export const CA_ADDED_AT = 'sidecar-injector.io/ca-added-at';
/** When tls.crt was last issued by the injector. */
export const SERVING_ISSUED_AT = 'sidecar-injector.io/serving-issued-at';
/** A certificate (serving or CA) is renewed once this fraction of its lifetime has passed. */
export const RENEW_FRACTION = 2 / 3;

const HOUR = 3600_000;
/**
 * How long a new CA is published before a serving certificate it signed is served, and how long an old CA
 * stays published after the last serving certificate it signed was replaced: long enough for every
 * replica to read the Secret (each replica's timer fires at the step's time and reads it, and a watch
 * that went silent is restarted within minutes), patch the caBundle (retried, resynced every 5 min) and for
 * the API server to load the patched configuration (seconds). An hour, or a tenth of a short (test)
 * lifetime: renewal at 2/3 leaves a third of it, so the serving certificate in use outlasts the wait.
 */
export const rotationGraceMs = (lifetimeMs: number): number => Math.min(HOUR, lifetimeMs / 10);

export interface CertPlanOptions {
  /** The names the serving certificate must cover. */
  dnsNames: readonly string[];
  /** Lifetime of a serving certificate issued now. */
  lifetimeMs: number;
}

export type CertStep = 'create' | 'renew' | 'add-ca' | 'renew-with-new-ca' | 'drop-old-ca' | 'replace-expired-ca';

/** Write the Secret: create it (no resourceVersion) or replace the one read (its resourceVersion). */
export interface CertWrite {
  action: 'write';
  step: CertStep;
  why: string;
  resourceVersion?: string;
  /** The CA whose key becomes ca.key and the first certificate of ca.crt ('new': issue one). */
  ca: CertKeyPair | 'new';
  /** The serving certificate: kept, or 'new' (issued now, signed by `ca`). */
  serving: CertKeyPair | 'new';
  /** CA certificates still published after `ca` in ca.crt (older ones, during a rotation). */
  olderCas: string[];
  /** Annotations to set (a string) or remove (null); the others are kept. */
  annotations: Record<string, string | null>;
}

export type CertPlan =
  /** Use it; `renewAt` is when to look again (only for a Secret the injector keeps up). */
  { action: 'use'; certificate: ServingCertificate; renewAt?: Date } | CertWrite;

/** What the steps are decided from: the Secret read, with its CA and serving pairs at hand. */
export interface PlanContext {
  read: ReadCertSecret;
  now: Date;
  opts: CertPlanOptions;
  graceMs: number;
  resourceVersion: string;
  annotations: Record<string, string>;
  /** ca.crt's first certificate and ca.key. */
  current: CertKeyPair;
  /** tls.crt and tls.key as read. */
  serving: CertKeyPair;
  /** Which CA of ca.crt signed tls.crt (-1: none). */
  signer: number;
}

/** When a certificate valid from notBefore to notAfter is due for renewal. */
export function renewalTime(notBefore: Date, notAfter: Date): Date {
  return new Date(notBefore.getTime() + (notAfter.getTime() - notBefore.getTime()) * RENEW_FRACTION);
}

export const validity = (x: { validFrom: string; validTo: string }) => ({ from: new Date(x.validFrom), to: new Date(x.validTo) });
export const pct = () => `${Math.round(RENEW_FRACTION * 100)}%`;
export const earliest = (...ds: Array<Date | undefined>): Date => new Date(Math.min(...ds.filter((d) => d !== undefined).map((d) => d.getTime())));

/** A write of `step` on the Secret read. */
export function write(ctx: PlanContext, step: CertStep, why: string, w: Pick<CertWrite, 'ca' | 'serving' | 'olderCas' | 'annotations'>): CertWrite {
  return { action: 'write', step, why, resourceVersion: ctx.resourceVersion, ...w };
}

/** Why the serving certificate must be replaced now (whichever CA signs it), or undefined. */
export function servingDue(ctx: PlanContext): string | undefined {
  const { x509 } = ctx.read;
  const missing = ctx.opts.dnsNames.filter((n) => !(isIP(n) ? x509.checkIP(n) : x509.checkHost(n, { subject: 'never' })));
  if (missing.length > 0) return `it does not cover ${missing.join(', ')}`;
  const { from, to } = validity(x509);
  if (ctx.now >= renewalTime(from, to)) return `it is past ${pct()} of its lifetime`;
  return undefined;
}

/** A renewal of the serving certificate by the current CA, the other CAs of ca.crt kept. */
export const renew = (ctx: PlanContext, step: CertStep, why: string): CertWrite =>
  write(ctx, step, why, {
    ca: ctx.current,
    serving: 'new',
    olderCas: ctx.read.cas.slice(1).map((c) => c.pem),
    annotations: { [SERVING_ISSUED_AT]: ctx.now.toISOString() },
  });
