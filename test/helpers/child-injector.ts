// The injector in a process of its own (as it runs in a cluster), for load tests where the client must
// not share its event loop, and for measuring its memory and handles through /metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { request } from 'node:http';
import { makeCa, writeServerCert, type TestCa } from './tls.ts';

export interface ChildInjector {
  webhookPort: number;
  previewPort: number;
  opsPort: number;
  ca: TestCa;
  certDir: string;
  logs: Array<Record<string, unknown>>;
  metrics(): Promise<string>;
  signal(sig: NodeJS.Signals): void;
  /** Heap used right after a full GC (needs --expose-gc and the gc-on-signal preload). */
  heapAfterGc(): Promise<number>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * `opts.viaBin`: started as bin/sidecar-injector.js, which registers tsx through its API (not `--import tsx`).
 * `opts.env`: added to the environment (the image's, for a test that measures memory as deployed).
 */
export async function spawnInjector(
  args: string[] = [],
  nodeArgs: string[] = [],
  opts: { viaBin?: boolean; env?: Record<string, string> } = {},
): Promise<ChildInjector> {
  const ca = await makeCa();
  const certDir = await writeServerCert(ca);
  const [webhookPort, previewPort, opsPort] = [await freePort(), await freePort(), await freePort()];
  const main = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
  const entry = opts.viaBin ? [join(import.meta.dirname, '..', '..', 'bin', 'sidecar-injector.js')] : ['--import', 'tsx', main];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...nodeArgs,
      ...entry,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(webhookPort),
      '--preview-port',
      String(previewPort),
      '--ops-port',
      String(opsPort),
      '--cert-dir',
      certDir,
      '--poll-seconds',
      '0.5',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...opts.env } },
  );
  const logs: Array<Record<string, unknown>> = [];
  let buf = '';
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        logs.push(JSON.parse(line));
      } catch {
        /* not a log line */
      }
    }
  });
  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port: opsPort, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`injector exited with ${child.exitCode}`);
    const ready = await get('/readyz').catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('injector not ready within 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    webhookPort,
    previewPort,
    opsPort,
    ca,
    certDir,
    logs,
    metrics: async () => (await get('/metrics')).body,
    signal: (sig) => {
      child.kill(sig);
    },
    heapAfterGc: async () => {
      const seen = logs.length;
      child.kill('SIGUSR2');
      for (let i = 0; i < 100; i++) {
        const line = logs.slice(seen).find((l) => typeof l.gcHeapUsed === 'number');
        if (line) return line.gcHeapUsed as number;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no heap figure within 5 s of SIGUSR2 (is the gc-on-signal preload loaded?)');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
