// The webhook as it runs in a cluster: the real CLI (`sidecar-injector serve`) in a process of its own,
// serving a certificate from the control plane's test CA for 127.0.0.1, so the API server can call it at
// https://127.0.0.1:PORT/inject with the test CA as caBundle. Output goes to a log file (JSON lines); the
// process is killed by stop(), or at the test process's death (process.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { issueServerCert, type TestCA } from './certs.ts';
import { freePorts } from './ports.ts';
import { startProcess, type ManagedProcess } from './process.ts';
import { waitFor } from './wait.ts';

export interface WebhookProcessOptions {
  /** Signs the serving certificate (for 127.0.0.1 and localhost). */
  ca: TestCA;
  /** A directory for the certificate and the log (the control plane's dir: removed with it). */
  dir: string;
  /** `--kubeconfig`: the injector then watches namespaces and nodes, and is ready once they synced. */
  kubeconfig?: string;
  nativeSidecars?: 'true' | 'false' | 'auto';
  extraArgs?: string[];
  /** `--cert-secret`: no certificate is given; the injector reads (or makes) this Secret, its certificate
   * also for 127.0.0.1 and localhost (--cert-host), so that the API server can call it at its URL. */
  certSecret?: { name: string; namespace: string; lifetimeSeconds?: number };
  /** Bound on waiting for /readyz (default 60 s). */
  readyTimeoutMs?: number;
}

export interface WebhookProcess {
  port: number;
  /** The HTTPS /preview port (the serving certificate is signed by `ca`). */
  previewPort: number;
  opsPort: number;
  /** https://127.0.0.1:PORT/inject, for clientConfig.url. */
  url: string;
  certDir: string;
  process: ManagedProcess;
  /** Its JSON log lines so far. */
  logs(): Array<Record<string, unknown>>;
  /** The `admission` log lines for one pod (by namespace, and name or else generateName). */
  admissions(namespace: string, pod: string): Array<Record<string, unknown>>;
  /** GET on the plain-HTTP ops port (/metrics, /readyz). */
  ops(path: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

const MAIN = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
// An absolute URL, so the child finds tsx whatever its working directory.
const TSX = import.meta.resolve('tsx');
let started = 0;

function opsGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export async function startWebhookProcess(opts: WebhookProcessOptions): Promise<WebhookProcess> {
  const n = ++started;
  const certDir = join(opts.dir, `webhook-${n}-certs`);
  const s = opts.certSecret;
  if (!s) {
    mkdirSync(certDir, { recursive: true });
    const cert = await issueServerCert(opts.ca, ['127.0.0.1', 'localhost']);
    writeFileSync(join(certDir, 'tls.crt'), cert.certPem);
    writeFileSync(join(certDir, 'tls.key'), cert.keyPem, { mode: 0o600 });
    writeFileSync(join(certDir, 'ca.crt'), opts.ca.certPem); // as in the Secret of deploy/README.md
  }
  const certArgs = s
    ? ['--cert-secret', s.name, '--namespace', s.namespace, '--cert-host', '127.0.0.1', '--cert-host', 'localhost']
    : ['--cert-dir', certDir];
  if (s?.lifetimeSeconds) certArgs.push('--cert-lifetime', String(s.lifetimeSeconds));
  const [port, previewPort, opsPort] = (await freePorts(3)) as [number, number, number];
  const args = [
    '--import',
    TSX,
    MAIN,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--preview-port',
    String(previewPort),
    '--ops-port',
    String(opsPort),
    ...certArgs,
    '--poll-seconds',
    '1',
    ...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : ['--no-cluster']),
    ...(opts.nativeSidecars ? ['--native-sidecars', opts.nativeSidecars] : []),
    ...(opts.extraArgs ?? []),
  ];
  const proc = startProcess(`sidecar-injector-${n}`, process.execPath, args, join(opts.dir, `webhook-${n}.log`));

  const logs = () => {
    let text = '';
    try {
      text = readFileSync(proc.logPath, 'utf8');
    } catch {
      return [];
    }
    const out: Array<Record<string, unknown>> = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line being written
      }
    }
    return out;
  };
  const handle: WebhookProcess = {
    port,
    previewPort,
    opsPort,
    url: `https://127.0.0.1:${port}/inject`,
    certDir,
    process: proc,
    logs,
    admissions: (namespace, pod) => logs().filter((l) => l.msg === 'admission' && l.namespace === namespace && l.pod === pod),
    ops: (path) => opsGet(opsPort, path),
    stop: () => proc.stop(15_000),
  };
  try {
    await waitFor(async () => (await opsGet(opsPort, '/readyz')).status === 200, {
      what: `sidecar-injector serve on 127.0.0.1:${port} to be ready`,
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      intervalMs: 200,
      abortIf: () => proc.exited() && `it exited (${proc.exited()}):\n${proc.logTail()}`,
    });
  } catch (e) {
    await proc.stop(2000);
    throw new Error(`${(e as Error).message}\n--- its log ---\n${proc.logTail(40)}`);
  }
  return handle;
}
