// `serve` as a process: every flag is checked before anything is served (a bad one is a one-line usage
// error, exit 2), and a first config that does not load stops it with the reason (exit 1), so a bad
// rollout stalls while the old replicas keep serving.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/child-injector.ts';
import { makeCa, writeServerCert } from '../helpers/tls.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `serve` with the flags; it must exit by itself within 20 s. */
function serve(flags: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--host', '127.0.0.1', '--no-cluster', ...flags], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const kill = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve ${flags.join(' ')} did not exit within 20 s; stdout: ${stdout}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('serve: flags and the first config', function () {
  this.timeout(60_000);
  let certDir: string;
  let ports: string[];
  before(async () => {
    certDir = await writeServerCert(await makeCa());
    ports = ['--port', String(await freePort()), '--ops-port', String(await freePort())];
  });

  const usage: Array<[string[], RegExp]> = [
    [['--native-sidecars', 'foo'], /--native-sidecars must be true, false or auto \(got "foo"\)/],
    [['--set', 'nokey'], /--set "nokey": want KEY=VALUE/],
    [['--set', 'other.x=1'], /--set key "other\.x": must start with values\., mesh\. or config\./],
    [
      ['--set', 'values.global.proxy.statusPort=x'],
      /--set values\.global\.proxy\.statusPort=x: .*values\.global\.proxy\.statusPort: must be a port number/,
    ],
    [['--set-string', 'values.global.proxy.privileged=true'], /--set-string values\.global\.proxy\.privileged=true: .*must be true or false/],
    [['--port', '70000'], /--port must be a port number \(got 70000\)/],
    [['--ops-port', 'http'], /--ops-port must be a port number/],
    [['--log-level', 'loud'], /--log-level must be one of .*info.* \(got "loud"\)/],
    [['--poll-seconds', '0'], /--poll-seconds must be a positive number/],
    [['--istio-configmaps', 'Istio_System'], /--istio-configmaps must be a namespace name \(got "Istio_System"\)/],
    [['--revision', 'Canary_1'], /--revision must be a revision name, a DNS label such as canary or 1-28-0 \(got "Canary_1"\)/],
    [['--istio-configmaps', 'istio-system', '--config-dir', '/etc'], /--istio-configmaps and --config-dir are two sources/],
    [['--istio-configmaps', 'istio-system'], /--istio-configmaps reads the cluster, which --no-cluster turns off/],
    [['--values', '/nonexistent/values.yaml'], /--values: .*cannot read values file \/nonexistent\/values\.yaml: ENOENT/],
    [['--mesh', '/dev/null', '--istio-configmaps', 'istio-system'], /--mesh and --istio-configmaps are two sources of the same settings/],
  ];
  for (const [flags, message] of usage) {
    it(`${flags.join(' ')}: a one-line usage error, exit 2, nothing served`, async () => {
      const r = await serve(['--cert-dir', certDir, ...ports, ...flags]);
      assert.equal(r.code, 2, r.stderr + r.stdout);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stdout, /"serving"/);
    });
  }

  const firstConfigs: Array<[string, Record<string, string>, RegExp]> = [
    ['values of the wrong type', { values: 'global: {proxy: "x"}' }, /values\.global\.proxy: must be a mapping/],
    ['a default template that fails on a plain pod', { 'sidecar.tmpl': 'spec: [\n' }, /template(?: "sidecar"|: sidecar:)/],
  ];
  for (const [name, files, reason] of firstConfigs) {
    it(`a first config with ${name}: exit 1 with the reason, never "the last good one keeps serving"`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'si-serve-first-'));
      try {
        for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
        const r = await serve(['--cert-dir', certDir, ...ports, '--config-dir', dir]);
        assert.equal(r.code, 1, r.stderr + r.stdout);
        assert.match(r.stderr, reason);
        const logs = r.stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { level: number; error?: string });
        assert.ok(
          logs.some((l) => l.level === 50 && reason.test(String(l.error))),
          `an error log with the reason: ${r.stdout}`,
        );
        assert.doesNotMatch(r.stdout + r.stderr, /last good/);
        assert.doesNotMatch(r.stdout, /"serving"/);
        assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('a certificate directory that does not exist: exit 1 with one line naming it and --cert-dir, no stack trace', async () => {
    const r = await serve(['--cert-dir', '/nonexistent-cert-dir', ...ports]);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.equal(r.stderr.trim(), 'error: --cert-dir /nonexistent-cert-dir: no such directory (want one holding tls.crt and tls.key)');
    assert.doesNotMatch(r.stdout + r.stderr, /last good/);
  });

  it('a certificate directory without a certificate: exit 1 with one line naming it and --cert-dir', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'si-serve-nocert-'));
    try {
      const r = await serve(['--cert-dir', empty, ...ports]);
      assert.equal(r.code, 1, r.stderr + r.stdout);
      assert.equal(r.stderr.trim(), `error: no usable certificate in ${empty} (want tls.crt and tls.key) (--cert-dir)`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  for (const flag of ['--port', '--ops-port']) {
    it(`${flag} on a port in use: exit 1 with "port N is in use (${flag})", one line`, async () => {
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = String((taken.address() as AddressInfo).port);
      try {
        const flags = flag === '--port' ? ['--port', port, '--ops-port', ports[3]!] : ['--port', ports[1]!, '--ops-port', port];
        const r = await serve(['--cert-dir', certDir, '--preview-port', '0', ...flags]);
        assert.equal(r.code, 1, r.stderr + r.stdout);
        assert.equal(r.stderr.trim(), `error: port ${port} is in use (${flag})`);
      } finally {
        taken.close();
      }
    });
  }
});
