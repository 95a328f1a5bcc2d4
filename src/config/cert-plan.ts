// What to do with the certificate Secret (`serve --cert-secret`), decided from the Secret as read: pure, no
// I/O. The Secret holds the CA and the serving certificate (tls.crt, tls.key, ca.crt, and ca.key when the
// injector made it). Absent: create it. Present: use it, and when the injector made it (label
// sidecar-injector.io/generated) and the serving certificate has passed RENEW_FRACTION of its lifetime (or
// does not cover the Service's names), renew it with the same CA. A Secret made by someone else
// (cert-manager, by hand) is used as it is and renewed by them. A Secret missing a key or holding one that
// does not parse is refused, naming the key.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { CertKeyPair, ServingCertificate } from './cert-source.ts';

/** Marks a certificate Secret the injector created (and so renews). */
export const GENERATED_LABEL = 'sidecar-injector.io/generated';
/** The serving certificate is renewed once this fraction of its lifetime has passed. */
export const RENEW_FRACTION = 2 / 3;

/** The fields of a Secret the plan reads; `data` values are base64, as the API gives them. */
export interface CertSecretLike {
  metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

export class CertSecretError extends Error {
  readonly code = 'CERT_SECRET_INVALID';
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

export type CertPlan =
  /** No Secret: make a CA and a serving certificate, and create it. */
  | { action: 'create' }
  /** Use it; `renewAt` is when to look again (only for a Secret the injector renews). */
  | { action: 'use'; certificate: ServingCertificate; renewAt?: Date }
  /** Replace the serving certificate, signed by this CA, on the Secret of this resourceVersion. */
  | { action: 'renew'; certificate: ServingCertificate; ca: CertKeyPair; resourceVersion: string; why: string };

function field(secret: CertSecretLike, key: string, name: string, required: boolean): string | undefined {
  const b64 = secret.data?.[key];
  if (b64 === undefined || b64 === '') {
    if (required) throw new CertSecretError(`Secret ${name} has no key ${key}`, key);
    return undefined;
  }
  const text = Buffer.from(b64, 'base64').toString('utf8');
  if (!text.includes('-----BEGIN ')) throw new CertSecretError(`Secret ${name}: key ${key} is not PEM`, key);
  return text;
}

function parseCert(pem: string, key: string, name: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new CertSecretError(`Secret ${name}: key ${key} is not a certificate: ${(e as Error).message}`, key);
  }
}

/** The certificate the Secret holds, checked: tls.crt and tls.key that match, ca.crt (and ca.key) when there. */
export function readCertSecret(secret: CertSecretLike): { certificate: ServingCertificate; caKey?: string; x509: X509Certificate } {
  const name = secret.metadata?.name ?? '(unnamed)';
  const cert = field(secret, 'tls.crt', name, true)!;
  const key = field(secret, 'tls.key', name, true)!;
  const ca = field(secret, 'ca.crt', name, false);
  const caKey = field(secret, 'ca.key', name, false);
  const x509 = parseCert(cert, 'tls.crt', name);
  if (ca !== undefined) parseCert(ca, 'ca.crt', name);
  try {
    createPrivateKey(key);
  } catch (e) {
    throw new CertSecretError(`Secret ${name}: key tls.key is not a private key: ${(e as Error).message}`, 'tls.key');
  }
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new CertSecretError(`Secret ${name}: tls.key does not match tls.crt: ${(e as Error).message}`, 'tls.key');
  }
  if (caKey !== undefined) {
    try {
      createPrivateKey(caKey);
    } catch (e) {
      throw new CertSecretError(`Secret ${name}: key ca.key is not a private key: ${(e as Error).message}`, 'ca.key');
    }
  }
  const certificate: ServingCertificate = { cert, key, ...(ca !== undefined ? { ca } : {}), notAfter: new Date(x509.validTo) };
  return { certificate, ...(caKey !== undefined ? { caKey } : {}), x509 };
}

/** When a certificate valid from notBefore to notAfter is due for renewal. */
export function renewalTime(notBefore: Date, notAfter: Date): Date {
  return new Date(notBefore.getTime() + (notAfter.getTime() - notBefore.getTime()) * RENEW_FRACTION);
}

/** The plan for the Secret as read (undefined: absent). Throws CertSecretError for a malformed one. */
export function planCertSecret(secret: CertSecretLike | undefined, now: Date, dnsNames: readonly string[]): CertPlan {
  if (secret === undefined) return { action: 'create' };
  const { certificate, caKey, x509 } = readCertSecret(secret);
  const ours = secret.metadata?.labels?.[GENERATED_LABEL] === 'true';
  if (!ours) return { action: 'use', certificate };
  if (caKey === undefined || certificate.ca === undefined)
    throw new CertSecretError(
      `Secret ${secret.metadata?.name} is labelled ${GENERATED_LABEL} but has no ${caKey === undefined ? 'ca.key' : 'ca.crt'}`,
      caKey === undefined ? 'ca.key' : 'ca.crt',
    );
  const renewAt = renewalTime(new Date(x509.validFrom), certificate.notAfter);
  const missing = dnsNames.filter((n) => !(isIP(n) ? x509.checkIP(n) : x509.checkHost(n, { subject: 'never' })));
  const why =
    missing.length > 0
      ? `it does not cover ${missing.join(', ')}`
      : now >= renewAt
        ? `it is past ${Math.round(RENEW_FRACTION * 100)}% of its lifetime`
        : undefined;
  if (why === undefined) return { action: 'use', certificate, renewAt };
  return { action: 'renew', certificate, ca: { cert: certificate.ca, key: caKey }, resourceVersion: secret.metadata?.resourceVersion ?? '', why };
}

/** The Secret's data (base64) for a CA and a serving certificate it signed. */
export function certSecretData(ca: CertKeyPair, serving: CertKeyPair): Record<string, string> {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return { 'tls.crt': b64(serving.cert), 'tls.key': b64(serving.key), 'ca.crt': b64(ca.cert), 'ca.key': b64(ca.key) };
}

/** The DNS names a Service is called by from inside the cluster. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, `${service}.${namespace}`, service];
}
