// Making the CA and the serving certificates of a certificate Secret (`serve --cert-secret`), with the
// `selfsigned` package the local self-signed certificate already uses.
import { isIP } from 'node:net';
import type { CertKeyPair } from './cert-source.ts';

/** The CA lives this many times as long as a serving certificate (renewal keeps it; see README). */
export const CA_LIFETIME_FACTOR = 10;
/** Certificates start a little in the past (clocks of the API server and the injector differ): a minute,
 * or a tenth of a short (test) lifetime, so that renewal at 2/3 still lies ahead. */
const backdateMs = (lifetimeMs: number) => Math.min(60_000, lifetimeMs / 10);

export async function issueCa(now: Date, servingLifetimeMs: number): Promise<CertKeyPair> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'sidecar-injector CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - backdateMs(servingLifetimeMs)),
    notAfterDate: new Date(now.getTime() + servingLifetimeMs * CA_LIFETIME_FACTOR),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function issueServing(ca: CertKeyPair, dnsNames: readonly string[], now: Date, lifetimeMs: number): Promise<CertKeyPair> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: dnsNames[0] ?? 'sidecar-injector' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - backdateMs(lifetimeMs)),
    notAfterDate: new Date(now.getTime() + lifetimeMs),
    ca: { cert: ca.cert, key: ca.key },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: dnsNames.map((value) => (isIP(value) ? { type: 7, ip: value } : { type: 2, value })) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
