// A test certificate authority. The same CA signs the API server's serving certificate and, later, the
// webhook's, so the apiserver can be given one caBundle and clients one CA file.
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

export interface TestCA {
  certPem: string;
  keyPem: string;
}

export interface IssuedCert {
  certPem: string;
  keyPem: string;
}

const DAY = 24 * 3600 * 1000;

// Backdated by a minute so a cert made now is valid for a peer whose clock is a little behind.
const validity = () => ({ notBeforeDate: new Date(Date.now() - 60_000), notAfterDate: new Date(Date.now() + 7 * DAY) });

export async function createTestCA(commonName = 'sidecar-injector e2e CA'): Promise<TestCA> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

/**
 * A TLS server certificate signed by `ca` for `hosts` (IP addresses and DNS names). Go clients ignore the
 * common name, so every host goes into the subjectAltName, IPs as IP entries.
 */
export async function issueServerCert(ca: TestCA, hosts: string[]): Promise<IssuedCert> {
  if (hosts.length === 0) throw new Error('issueServerCert needs at least one host (an IP address or DNS name)');
  const pems = await generate([{ name: 'commonName', value: hosts[0]! }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity(),
    ca: { key: ca.keyPem, cert: ca.certPem },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })) },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}
