// The servers under test, each its own child process: the real injector from the production build
// (dist/), the floor, and istiod's own injector (the oracle, Go). Free ports, bounded readiness waits,
// and a kill of every child on the way out, whatever happened. RSS/CPU sampling is in proc.ts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { httpGet } from './proc.ts';

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

export type ServerName = 'injector' | 'floor' | 'istiod';

export interface Server {
  name: ServerName;
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

function launch(args: string[], env: NodeJS.ProcessEnv = process.env, command = process.execPath): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

/**
 * The node flags and environment the image runs the injector with (the runtime stage's ENTRYPOINT and
 * ENV lines of the Dockerfile), so that the bench measures it as deployed.
 */
export function imageRuntime(dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')): { nodeArgs: string[]; env: Record<string, string> } {
  const runtime = dockerfile.split(/^FROM /m).at(-1)!;
  const entry = /^ENTRYPOINT (\[.*\])$/m.exec(runtime);
  const argv = entry ? (JSON.parse(entry[1]!) as string[]) : [];
  if (argv[0] !== 'node' || !argv.at(-1)?.endsWith('main.js'))
    throw new Error(`Dockerfile: ENTRYPOINT is not ["node", <flags>, <main.js>]: ${entry?.[0]}`);
  const env = Object.fromEntries([...runtime.matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  return { nodeArgs: argv.slice(1, -1), env };
}

/** BENCH_INJECTOR_ENV (a JSON object) over the image's environment: an A/B of one setting, e.g. {"MALLOC_ARENA_MAX":""}. */
const envOverride = (): Record<string, string> => JSON.parse(process.env.BENCH_INJECTOR_ENV ?? '{}') as Record<string, string>;

/**
 * `node [image's flags] [nodeArgs] <build>/dist/cli/main.js serve [serveArgs]` on free ports, with the
 * image's environment (imageRuntime, BENCH_INJECTOR_ENV over it); ready when /readyz on the ops
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
  const image = imageRuntime();
  const { child, output } = launch(
    [
      ...image.nodeArgs,
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
    ],
    { ...process.env, ...image.env, ...envOverride() },
  );
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

/** What the floor answers: `patches[byUid[uid]]` (distinct patches listed once, as it keeps them). */
export interface FloorPatches {
  patches: string[];
  byUid: Record<string, number>;
}

/** The floor (floor-server.ts, run as plain JavaScript), answering with the given patches by uid. */
export async function startFloor(certDir: string, answers: FloorPatches, tmp: string): Promise<Server> {
  const port = await freePort();
  const config = join(tmp, 'floor.json');
  writeFileSync(config, JSON.stringify({ certDir, host: '127.0.0.1', port, ...answers }));
  const source = readFileSync(join(ROOT, 'bench/floor-server.ts'), 'utf8');
  const { child, output } = launch(['--input-type=module', '-e', source], { ...process.env, BENCH_FLOOR_CONFIG: config });
  await waitFor('floor', child, output, async () => output().includes('listening'), 15_000);
  return { name: 'floor', pid: child.pid!, url: `https://127.0.0.1:${port}/inject`, stop: stopper(child) };
}

/**
 * istiod's injector (`<oracle>/oracle serve`: istiod's own webhook handler, see test/oracle/serve.go) on
 * HTTPS with the bench's certificate, its settings read from `settingsDir` (Istio's rendered ConfigMap
 * data), native sidecars on or off as given; ready when it prints `listening PORT`.
 */
export async function startIstiod(oracle: string, settingsDir: string, certDir: string, native: boolean): Promise<Server> {
  const args = ['serve', '--dir', settingsDir, '--listen', '127.0.0.1:0', '--cert', join(certDir, 'tls.crt'), '--key', join(certDir, 'tls.key')];
  const env = { ...process.env, ENABLE_NATIVE_SIDECARS: String(native) };
  const { child, output } = launch(args, env, join(oracle, 'oracle'));
  const listening = () => /^listening (\d+)$/m.exec(output())?.[1];
  await waitFor('istiod', child, output, async () => listening() !== undefined, 60_000);
  return { name: 'istiod', pid: child.pid!, url: `https://127.0.0.1:${listening()}/inject`, output, stop: stopper(child) };
}

export interface Reply {
  status: number;
  body: string;
  tlsVersion: string;
}

/** One POST the way the API server makes it: the test CA only, certificate verified, TLS >= 1.2 (a new connection, or one of `agent`'s). */
export function strictPost(url: string, ca: string, body: string, agent: HttpsAgent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        ca,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        agent,
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
