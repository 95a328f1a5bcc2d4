// Reading a certificate Secret (`serve --cert-secret`): its keys checked, each refusal naming the key and the
// Secret. ca.crt may hold more than one CA (while the injector rotates its CA: the new one first, then the
// older ones still published); ca.key is the key of the first.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { CertKeyPair, ServingCertificate } from './cert-source.ts';

/** The fields of a Secret the plan reads; `data` values are base64, as the API gives them. */
export interface CertSecretLike {
  metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
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

/** One CA certificate of ca.crt: its PEM (one block, newline-terminated) and parsed. */
export interface CaCert {
  pem: string;
  x509: X509Certificate;
}

export interface ReadCertSecret {
  certificate: ServingCertificate;
  caKey?: string;
  /** tls.crt parsed. */
  x509: X509Certificate;
  /** ca.crt's certificates, in order (empty without ca.crt). */
  cas: CaCert[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificate blocks of a PEM text, each ending in a newline (so that they can be joined into a bundle). */
export function pemCertificates(text: string): string[] {
  return (text.match(PEM_CERT) ?? []).map((b) => `${b}\n`);
}

/** CA certificates as one bundle (ca.crt, the caBundle): the blocks one after another. */
export const joinPems = (pems: readonly string[]): string => pems.map((p) => `${p.trimEnd()}\n`).join('');

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

function parseCert(pem: string, key: string, name: string, which = ''): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new CertSecretError(`Secret ${name}: key ${key}${which} is not a certificate: ${(e as Error).message}`, key);
  }
}

/** ca.crt's certificates, each parsed (a bundle during a CA rotation). */
function parseBundle(text: string, name: string): CaCert[] {
  const pems = pemCertificates(text);
  if (pems.length === 0) throw new CertSecretError(`Secret ${name}: key ca.crt holds no CERTIFICATE block`, 'ca.crt');
  return pems.map((pem, i) => ({ pem, x509: parseCert(pem, 'ca.crt', name, pems.length > 1 ? ` (certificate ${i + 1} of ${pems.length})` : '') }));
}

function checkPrivateKey(pem: string, key: string, name: string): void {
  try {
    createPrivateKey(pem);
  } catch (e) {
    throw new CertSecretError(`Secret ${name}: key ${key} is not a private key: ${(e as Error).message}`, key);
  }
}

/** The certificate the Secret holds, checked: tls.crt and tls.key that match, ca.crt (and ca.key) when there. */
export function readCertSecret(secret: CertSecretLike): ReadCertSecret {
  const name = secret.metadata?.name ?? '(unnamed)';
  const cert = field(secret, 'tls.crt', name, true)!;
  const key = field(secret, 'tls.key', name, true)!;
  const ca = field(secret, 'ca.crt', name, false);
  const caKey = field(secret, 'ca.key', name, false);
  const x509 = parseCert(cert, 'tls.crt', name);
  const cas = ca !== undefined ? parseBundle(ca, name) : [];
  checkPrivateKey(key, 'tls.key', name);
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new CertSecretError(`Secret ${name}: tls.key does not match tls.crt: ${(e as Error).message}`, 'tls.key');
  }
  if (caKey !== undefined) checkPrivateKey(caKey, 'ca.key', name);
  const certificate: ServingCertificate = { cert, key, ...(ca !== undefined ? { ca } : {}), notAfter: new Date(x509.validTo) };
  return { certificate, ...(caKey !== undefined ? { caKey } : {}), x509, cas };
}

/** Whether `key` (PEM) is the private key of `cert`. */
export function keyMatches(key: string, cert: X509Certificate): boolean {
  const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
  return spki(createPublicKey(key)).equals(spki(cert.publicKey));
}

/** Which of the CAs signed `leaf` (index), or -1. */
export function signerIndex(leaf: X509Certificate, cas: readonly CaCert[]): number {
  return cas.findIndex((c) => leaf.checkIssued(c.x509) && leaf.verify(c.x509.publicKey));
}

/** The Secret's data (base64) for a CA (its cert may be a bundle: the CA first) and a serving certificate it signed. */
export function certSecretData(ca: CertKeyPair, serving: CertKeyPair): Record<string, string> {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return { 'tls.crt': b64(serving.cert), 'tls.key': b64(serving.key), 'ca.crt': b64(ca.cert), 'ca.key': b64(ca.key) };
}
