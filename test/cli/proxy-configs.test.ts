// --proxy-configs FILE on inject, explain and serve: Istio's ProxyConfig resources offline, as
// `kubectl get proxyconfigs -A -o yaml` writes them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/main.ts';
import { parseDocuments } from '../../src/core/documents.ts';
import { memoryIO } from '../helpers/cli.ts';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

const PROXY_CONFIGS = `apiVersion: v1
kind: List
items:
- apiVersion: networking.istio.io/v1beta1
  kind: ProxyConfig
  metadata:
    name: mesh-wide
    namespace: istio-system
    creationTimestamp: "2026-01-01T00:00:00Z"
  spec:
    concurrency: 4
    environmentVariables:
      FROM_ROOT: "yes"
- apiVersion: networking.istio.io/v1beta1
  kind: ProxyConfig
  metadata:
    name: web
    namespace: shop
  spec:
    selector:
      matchLabels:
        app: web
    image:
      imageType: distroless
- apiVersion: networking.istio.io/v1beta1
  kind: ProxyConfig
  metadata:
    name: broken
    namespace: shop
  spec:
    concurrency: many
`;

const deployment = (app: string) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } },
    },
  });

describe('CLI --proxy-configs', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'proxy-configs-'));
    file = join(dir, 'pcs.yaml');
    writeFileSync(file, PROXY_CONFIGS);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function inject(input: string, ...flags: string[]) {
    const io = memoryIO(input);
    const code = await runCli(['inject', '-f', '-', '--native-sidecars', 'false', ...flags], io);
    const docs = code === 0 ? (parseDocuments(io.out()) as any[]) : [];
    const proxy = docs[0]?.spec.template.spec.containers.find((c: { name: string }) => c.name === 'istio-proxy');
    const init = docs[0]?.spec.template.spec.initContainers.find((c: { name: string }) => c.name === 'istio-init');
    const env = Object.fromEntries((proxy?.env ?? []).map((e: { name: string; value: string }) => [e.name, e.value]));
    return { code, err: io.err(), proxy, init, env };
  }

  it('inject: the root namespace resource sets concurrency and env, the selecting one the proxy image type', async () => {
    const without = await inject(deployment('web'));
    const r = await inject(deployment('web'), '--proxy-configs', file);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.env.PROXY_CONFIG).concurrency, 4);
    assert.equal(r.env.FROM_ROOT, 'yes');
    assert.equal(r.proxy.image, `${without.proxy.image}-distroless`);
    assert.equal(r.init.image, without.init.image);
    // the broken resource is named on stderr, and left out
    assert.match(r.err, /warning: .*pcs\.yaml: ProxyConfig shop\/broken: spec\.concurrency must be a whole number/);
  });

  it('inject: a workload the selector does not match gets only the namespace-wide resource', async () => {
    const r = await inject(deployment('api'), '--proxy-configs', file);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.env.FROM_ROOT, 'yes');
    assert.doesNotMatch(r.proxy.image, /distroless/);
  });

  it('explain: names the ProxyConfig resources that shaped the proxy', async () => {
    const io = memoryIO(deployment('web'));
    const code = await runCli(['explain', '-f', '-', '--proxy-configs', file], io);
    assert.equal(code, 0, io.err());
    assert.match(io.out(), /note: ProxyConfig istio-system\/mesh-wide \(root namespace\) applied: concurrency, environmentVariables/);
    assert.match(io.out(), /note: ProxyConfig shop\/web \(selects the pod\) applied: image/);
  });

  it('fails the run naming the file when it cannot be read or is not YAML', async () => {
    const missing = await inject(deployment('web'), '--proxy-configs', join(dir, 'nope.yaml'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read proxy-configs file .*nope\.yaml: ENOENT/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'items: [unclosed\n');
    const r = await inject(deployment('web'), '--proxy-configs', bad);
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.yaml/);
  });

  it('serve: a file that cannot be read is a one-line usage error, exit 2, before anything starts', async function () {
    this.timeout(30_000);
    // as a process: the exit code is what a rollout sees
    const r = await run(
      process.execPath,
      ['--import', 'tsx', MAIN, 'serve', '--no-cluster', '--port', '0', '--proxy-configs', join(dir, 'nope.yaml')],
      {
        timeout: 20_000,
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: --proxy-configs: cannot read proxy-configs file .*nope\.yaml: ENOENT\n$/);
  });
});
