// The serving certificate: `tls.crt` and `tls.key` (a Kubernetes TLS Secret's keys) from a directory,
// reloaded on change without a restart; or, with no directory, a self-signed one for 127.0.0.1 and
// localhost, created once in a local directory and reused.
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { watchDir, type DirWatcher } from './watch.ts';

/** A certificate and its private key, PEM: the one type for a pair, wherever one is passed. */
export interface CertKeyPair {
  cert: string;
  key: string;
}

/** The serving certificate as read from its directory. */
export interface ServingCertificate extends CertKeyPair {
  /** ca.crt beside them, when present (the CA to publish as the webhook's caBundle). */
  ca?: string;
  notAfter: Date;
}

export function readCertDir(dir: string): ServingCertificate {
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  createSecureContext({ cert, key }); // throws when the key does not match the certificate
  const caFile = join(dir, 'ca.crt');
  const ca = existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined;
  return { cert, key, ...(ca !== undefined ? { ca } : {}), notAfter: new Date(new X509Certificate(cert).validTo) };
}

/** A self-signed certificate for local use, kept in `dir` and reused while it has a day left. */
export async function ensureSelfSigned(dir: string, now: Date): Promise<{ dir: string; created: boolean }> {
  const abs = resolve(dir);
  if (existsSync(join(abs, 'tls.crt')) && existsSync(join(abs, 'tls.key'))) {
    try {
      const p = readCertDir(abs);
      if (p.notAfter.getTime() - now.getTime() > 24 * 3600 * 1000) return { dir: abs, created: false };
    } catch {
      // unreadable or mismatched: make a new one
    }
  }
  const { generate } = await import('selfsigned');
  const notAfter = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'sidecar-injector (local, self-signed)' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
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
  mkdirSync(abs, { recursive: true, mode: 0o700 });
  writeFileSync(join(abs, 'tls.crt'), pems.cert, { mode: 0o644 });
  writeFileSync(join(abs, 'tls.key'), pems.private, { mode: 0o600 });
  return { dir: abs, created: true };
}

export interface CertSource {
  current(): ServingCertificate | undefined;
  close(): void;
}

export function startCertSource(
  dir: string,
  events: { loaded(p: ServingCertificate, first: boolean): void; failed(e: Error): void },
  opts: { pollMs?: number } = {},
): CertSource {
  let current: ServingCertificate | undefined;
  let lastFailure = '';
  const reload = () => {
    try {
      const p = readCertDir(dir);
      if (current && p.cert === current.cert && p.key === current.key && p.ca === current.ca) return;
      const first = current === undefined;
      current = p;
      lastFailure = '';
      events.loaded(p, first);
    } catch (e) {
      const why = String((e as Error).message);
      if (why === lastFailure) return; // report a broken pair once, not on every poll
      lastFailure = why;
      events.failed(e as Error);
    }
  };
  reload();
  const w: DirWatcher = watchDir(dir, reload, { pollMs: opts.pollMs });
  return { current: () => current, close: () => w.close() };
}
