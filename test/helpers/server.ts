// The real injector on port 0, and an HTTPS client that trusts only the test CA.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { startInjector, type InjectorOptions, type RunningInjector } from '../../src/serve/injector.ts';
import { makeCa, writeServerCert, type TestCa } from './tls.ts';

export interface TestInjector extends RunningInjector {
  ca: TestCa;
  certDir: string;
  logs: Array<Record<string, unknown>>;
  /** To the webhook's port (/inject), or to the preview's own port for paths starting /preview. */
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Reply>;
  ops(path: string): Promise<Reply>;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
  peerFingerprint?: string;
}

export async function startTestInjector(opts: Partial<InjectorOptions> = {}): Promise<TestInjector> {
  const ca = await makeCa();
  const certDir = opts.certDir ?? (await writeServerCert(ca));
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino(
    { base: undefined },
    {
      write: (line: string) => {
        logs.push(JSON.parse(line));
      },
    },
  );
  const inj = await startInjector({
    certDir,
    logger,
    webhook: { host: '127.0.0.1', port: 0 },
    preview: { host: '127.0.0.1', port: 0 },
    ops: { host: '127.0.0.1', port: 0 },
    processMetrics: false,
    ...opts,
  });
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    new Promise<Reply>((resolve, reject) => {
      const port = path.startsWith('/preview') ? inj.previewPort : inj.webhookPort;
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          ca: ca.cert,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.()?.fingerprint256;
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text), peerFingerprint: peer });
          });
        },
      );
      req.on('error', reject);
      req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
      req.end(body);
    });
  const ops = (path: string) =>
    new Promise<Reply>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: inj.opsPort, path, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
      })
        .on('error', reject)
        .end();
    });
  return { ...inj, ca, certDir, logs, post, ops };
}

/** A metric's value from the /metrics text (first sample matching name and labels). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (.+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}
