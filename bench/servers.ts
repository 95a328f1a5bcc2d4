// The two servers under test, each its own child process: the real injector from the production build
// (dist/), and the floor. Free ports, bounded readiness waits, per-second RSS/CPU samples from /proc,
// and a kill of every child on the way out, whatever happened.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The production build (tsconfig.build.json, as `npm run build`) compiled into this run's own directory
 * with a copy of templates/ and package.json and a link to node_modules, so that a rebuild or a clean of
 * dist/ (or another bench run) meanwhile cannot change or remove the injector under test.
 */
export function snapshotBuild(tmp: string): string {
  const dir = join(tmp, 'build');
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], {
    cwd: ROOT,
    timeout: 120_000,
    stdio: 'inherit',
  });
  cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json')); // "type": "module"
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

export interface Server {
  name: 'injector' | 'floor';
  pid: number;
  url: string;
  /** The injector's plain-HTTP ops port (/metrics). */
  opsUrl?: string;
  /** The last 4,000 characters the process wrote (stdout and stderr). */
  output?: () => string;
  /** Stops the process (SIGTERM, SIGKILL after graceMs) and resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const children = new Set<ChildProcess>();

/** Last resort (also on exit): SIGKILL every child still running. */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.once('exit', killAll);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function launch(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => out };
}

async function waitFor(what: string, child: ChildProcess, output: () => string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms:\n${output()}`);
}

function stopper(child: ChildProcess) {
  return async (graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * `node [nodeArgs] <build>/dist/cli/main.js serve [serveArgs]` on free ports; ready when /readyz on the ops
 * port says so (or, for `waitFor: 'healthz'`, when it is live: a cluster that is never reached never syncs).
 */
export async function startInjector(
  build: string,
  certDir: string,
  nodeArgs: string[] = [],
  serveArgs: string[] = [],
  ready: 'readyz' | 'healthz' = 'readyz',
): Promise<Server> {
  const [port, previewPort, opsPort] = [await freePort(), await freePort(), await freePort()];
  const { child, output } = launch([
    ...nodeArgs,
    join(build, 'dist/cli/main.js'),
    'serve',
    '--cert-dir',
    certDir,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--preview-port',
    String(previewPort),
    '--ops-port',
    String(opsPort),
    '--log-level',
    'warn',
    ...serveArgs,
  ]);
  await waitFor('injector', child, output, async () => (await httpGet(`http://127.0.0.1:${opsPort}/${ready}`)).status === 200, 30_000);
  return {
    name: 'injector',
    pid: child.pid!,
    url: `https://127.0.0.1:${port}/inject`,
    opsUrl: `http://127.0.0.1:${opsPort}`,
    output,
    stop: stopper(child),
  };
}

/** The floor (floor-server.ts, run as plain JavaScript), answering with the given patches by uid. */
export async function startFloor(certDir: string, patches: Record<string, string>, tmp: string): Promise<Server> {
  const port = await freePort();
  const config = join(tmp, 'floor.json');
  writeFileSync(config, JSON.stringify({ certDir, host: '127.0.0.1', port, patches }));
  const source = readFileSync(join(ROOT, 'bench/floor-server.ts'), 'utf8');
  const { child, output } = launch(['--input-type=module', '-e', source], { ...process.env, BENCH_FLOOR_CONFIG: config });
  await waitFor('floor', child, output, async () => output().includes('listening'), 15_000);
  return { name: 'floor', pid: child.pid!, url: `https://127.0.0.1:${port}/inject`, stop: stopper(child) };
}

export interface Reply {
  status: number;
  body: string;
  tlsVersion: string;
}

/** One POST the way the API server makes it: the test CA only, certificate verified, TLS >= 1.2. */
export function strictPost(url: string, ca: string, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        ca,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        agent: false,
        timeout: 10_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        const tlsVersion = (res.socket as TLSSocket).getProtocol?.() ?? '?';
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), tlsVersion }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface Sample {
  t: number;
  rssMB: number;
  /** CPU used by the process since the previous sample, in % of one core. */
  cpuPct: number;
}

/** VmRSS of a process now, in MB. */
export function rssMB(pid: number): number {
  return readProc(pid)?.rssMB ?? NaN;
}

function readProc(pid: number): { rssMB: number; ticks: number } | undefined {
  try {
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return { rssMB: Number(rss?.[1] ?? 0) / 1024, ticks: Number(f[11]) + Number(f[12]) }; // utime + stime
  } catch {
    return undefined; // the process is gone
  }
}

export const CLK_TCK = 100; // Linux USER_HZ

export interface Usage {
  samples: Sample[];
  /** CPU over the whole sampling, in % of one core. */
  cpuPct: number;
  /** The same, in clock ticks. */
  ticks: number;
  /** The injector's V8 heap, every 5 s (from its /metrics). */
  heap: Heap[];
}

/** Samples a server's RSS and CPU every second (and once at start and stop), the injector's heap every 5 s. */
export function sampleProcess(server: Server): { stop(): Usage } {
  const pid = server.pid;
  const samples: Sample[] = [];
  const heap: Heap[] = [];
  const t0 = Date.now();
  const ticks0 = readProc(pid)?.ticks ?? 0;
  let last = { t: t0, ticks: ticks0 };
  const take = () => {
    const p = readProc(pid);
    if (!p) return;
    const now = Date.now();
    const cpuPct = now > last.t ? ((p.ticks - last.ticks) / CLK_TCK / ((now - last.t) / 1000)) * 100 : 0;
    samples.push({ t: (now - t0) / 1000, rssMB: p.rssMB, cpuPct });
    last = { t: now, ticks: p.ticks };
    if (samples.length % 5 === 1)
      void heapOf(server, (now - t0) / 1000).then((h) => {
        if (h) heap.push(h);
      }); // a /metrics read costs ~5 ms
  };
  take();
  const timer = setInterval(take, 1000);
  let usage: Usage | undefined;
  return {
    stop() {
      if (usage) return usage;
      clearInterval(timer);
      take();
      const secs = (last.t - t0) / 1000;
      usage = { samples, cpuPct: secs > 0 ? ((last.ticks - ticks0) / CLK_TCK / secs) * 100 : 0, ticks: last.ticks - ticks0, heap };
      return usage;
    },
  };
}

/** CPU time (ticks) used by everything on the machine since boot, from /proc/stat. */
export function machineBusyTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu as [number, number, number, number, number, number, number, number];
  return user + nice + system + irq + softirq + steal;
}

/** CPU used by other processes over `ms` (in % of one core), while the bench itself idles. */
export async function otherCpuPct(ms: number): Promise<number> {
  const before = { busy: machineBusyTicks(), self: process.cpuUsage() };
  await sleep(ms);
  const self = process.cpuUsage(before.self);
  const other = machineBusyTicks() - before.busy - ((self.user + self.system) / 1e6) * CLK_TCK;
  return Math.max(0, (other / CLK_TCK / (ms / 1000)) * 100);
}

export interface Heap {
  t: number;
  usedMB: number;
  totalMB: number;
  externalMB: number;
}

/** The injector's V8 heap, from its own /metrics (prom-client's process metrics). */
export async function heapOf(server: Server, t: number): Promise<Heap | undefined> {
  if (!server.opsUrl) return undefined;
  const { body } = await httpGet(`${server.opsUrl}/metrics`).catch(() => ({ body: '' }));
  const mb = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(body)?.[1] ?? NaN) / 2 ** 20;
  return {
    t,
    usedMB: mb('nodejs_heap_size_used_bytes'),
    totalMB: mb('nodejs_heap_size_total_bytes'),
    externalMB: mb('nodejs_external_memory_bytes'),
  };
}
