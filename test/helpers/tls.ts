// A test CA and server certificates it signs, so clients verify the webhook exactly as the API server does.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { CertKeyPair } from '../../src/config/cert-source.ts';

/** The CA's certificate and key. */
export type TestCa = CertKeyPair;

export async function makeCa(name = 'sidecar-injector test CA'): Promise<TestCa> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: name }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Writes tls.crt/tls.key for 127.0.0.1 and localhost, signed by the CA, into dir (a new temp dir by default). */
export async function writeServerCert(ca: TestCa, dir = mkdtempSync(join(tmpdir(), 'si-cert-')), cn = 'sidecar-injector'): Promise<string> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: cn }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 86_400_000),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  writeFileSync(join(dir, 'tls.crt'), pems.cert);
  writeFileSync(join(dir, 'tls.key'), pems.private);
  return dir;
}
