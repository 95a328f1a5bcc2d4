// Making the CA and the serving certificates of a certificate Secret (`serve --cert-secret`), with the
// `selfsigned` package the local self-signed certificate already uses.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { certSecretData, joinPems, type CertSecretLike } from './cert-read.ts';
import type { CertKeyPair } from './cert-source.ts';
import { GENERATED_LABEL, type CertWrite } from './cert-steps.ts';

/** The CA lives this many times as long as a serving certificate (it is rotated at 2/3 of that: cert-rotation.ts). */
export const CA_LIFETIME_FACTOR = 10;
/** Certificates start a little in the past (clocks of the API server and the injector differ): a minute,
 * or a tenth of a short (test) lifetime, so that renewal at 2/3 still lies ahead. */
const backdateMs = (lifetimeMs: number) => Math.min(60_000, lifetimeMs / 10);

export async function issueCa(now: Date, servingLifetimeMs: number): Promise<CertKeyPair> {
  const { generate } = await import('selfsigned');
  // each CA its own name: while two are published (a rotation), a client that looks up the issuer by name
  // (OpenSSL; these certificates carry no key identifiers) must find the one that signed
  const pems = await generate([{ name: 'commonName', value: `sidecar-injector CA ${now.toISOString()}` }], {
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

/** A serving certificate signed by `ca` (one certificate), for `lifetimeMs` but never past the CA's notAfter:
 * a certificate that outlives its CA fails verification once the CA has expired. */
export async function issueServing(ca: CertKeyPair, dnsNames: readonly string[], now: Date, lifetimeMs: number): Promise<CertKeyPair> {
  const { generate } = await import('selfsigned');
  const caNotAfter = new Date(new X509Certificate(ca.cert).validTo).getTime();
  const pems = await generate([{ name: 'commonName', value: dnsNames[0] ?? 'sidecar-injector' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - backdateMs(lifetimeMs)),
    notAfterDate: new Date(Math.min(now.getTime() + lifetimeMs, caNotAfter)),
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

/** The Secret `plan` writes (create, or replace with the resourceVersion read): its certificates issued now
 * where the plan says 'new', the Secret's labels and other annotations kept. */
export async function plannedSecret(
  plan: CertWrite,
  secret: CertSecretLike | undefined,
  opts: { name: string; namespace: string; dnsNames: readonly string[]; lifetimeMs: number },
  now: Date,
) {
  const ca = plan.ca === 'new' ? await issueCa(now, opts.lifetimeMs) : plan.ca;
  const serving = plan.serving === 'new' ? await issueServing(ca, opts.dnsNames, now, opts.lifetimeMs) : plan.serving;
  const annotations = { ...(secret?.metadata?.annotations ?? {}) };
  for (const [k, v] of Object.entries(plan.annotations)) {
    if (v === null) delete annotations[k];
    else annotations[k] = v;
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      labels: { ...(secret?.metadata?.labels ?? {}), [GENERATED_LABEL]: 'true' },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ...(plan.resourceVersion !== undefined ? { resourceVersion: plan.resourceVersion } : {}),
    },
    data: certSecretData({ cert: joinPems([ca.cert, ...plan.olderCas]), key: ca.key }, serving),
  };
}
