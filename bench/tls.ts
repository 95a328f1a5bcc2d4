// A throwaway CA and a server certificate it signs for 127.0.0.1, written as tls.crt/tls.key (the
// layout `serve --cert-dir` reads). Load clients trust only this CA.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { CertKeyPair } from '../src/config/cert-source.ts';

export interface BenchCerts extends CertKeyPair {
  dir: string;
  ca: string;
}

const validity = () => {
  const now = Date.now();
  return { notBeforeDate: new Date(now - 60_000), notAfterDate: new Date(now + 86_400_000) };
};

export async function makeCerts(): Promise<BenchCerts> {
  const ca = await generate([{ name: 'commonName', value: 'sidecar-injector bench CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'sidecar-injector' }], {
    keySize: 2048,
    algorithm: 'sha256',
    ...validity(),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'si-bench-cert-'));
  writeFileSync(join(dir, 'tls.crt'), server.cert);
  writeFileSync(join(dir, 'tls.key'), server.private);
  return { dir, ca: ca.cert, cert: server.cert, key: server.private };
}
