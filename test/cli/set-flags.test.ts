// What a user of --set, --set-string, --set-file and values files sees: the image, the pull secret, the
// capture's exclusions, and a warning for every key the injector does not know, naming the nearest one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { parseDocuments } from '../../src/core/documents.ts';
import { memoryIO } from '../helpers/cli.ts';

const POD = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } });

interface Spec {
  containers: Array<{ name: string; image: string; args?: string[] }>;
  initContainers: Array<{ name: string; image: string; args?: string[] }>;
  imagePullSecrets?: Array<{ name: string }>;
}

async function inject(...flags: string[]) {
  const io = memoryIO(POD);
  const code = await runCli(['inject', '-f', '-', '--native-sidecars', 'false', ...flags], io);
  const spec = code === 0 ? (parseDocuments(io.out())[0]!.spec as unknown as Spec) : undefined;
  return { code, spec, err: io.err() };
}

const proxy = (s: Spec) => s.containers.find((c) => c.name === 'istio-proxy')!;
const init = (s: Spec) => s.initContainers.find((c) => c.name === 'istio-init')!;
const arg = (args: string[] | undefined, flag: string) => args![args!.indexOf(flag) + 1];

describe('CLI --set as Helm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'si-cli-set-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('one --set with two keys sets both (hub and tag), as Helm splits on commas', async () => {
    const r = await inject('--set', 'values.global.hub=gcr.io/x,values.global.tag=1.2');
    assert.equal(r.code, 0, r.err);
    assert.equal(proxy(r.spec!).image, 'gcr.io/x/proxyv2:1.2');
    assert.equal(r.err, '');
  });

  it('values.global.imagePullSecrets[0]=regcred gives the pod the pull secret', async () => {
    const r = await inject('--set', 'values.global.imagePullSecrets[0]=regcred');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.spec!.imagePullSecrets, [{ name: 'regcred' }]);
  });

  it('\\, keeps a comma in a value (two excluded ranges)', async () => {
    const r = await inject('--set', 'values.global.proxy.excludeIPRanges=10.0.0.0/8\\,192.168.0.0/16');
    assert.equal(r.code, 0, r.err);
    assert.equal(arg(init(r.spec!).args, '-x'), '10.0.0.0/8,192.168.0.0/16');
  });

  it('--set types 128 as a number; --set-string keeps values strings (a boolean setting then refused)', async () => {
    const typed = await inject('--set', 'values.global.tag=128');
    assert.equal(proxy(typed.spec!).image, 'docker.io/istio/proxyv2:128');
    const str = await inject('--set-string', 'values.global.tag=0128');
    assert.equal(proxy(str.spec!).image, 'docker.io/istio/proxyv2:0128');
    const bad = await inject('--set-string', 'values.global.proxy.privileged=true');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /values\.global\.proxy\.privileged: must be true or false \(got "true"\)/);
  });

  it('--set-string applies after --set, whatever their order on the line, as Helm applies them', async () => {
    const r = await inject('--set-string', 'values.global.tag=from-set-string', '--set', 'values.global.tag=from-set');
    assert.equal(r.code, 0, r.err);
    assert.equal(proxy(r.spec!).image, 'docker.io/istio/proxyv2:from-set-string');
  });

  it("--set-file puts a file's text in a value", async () => {
    const file = join(dir, 'hub.txt');
    writeFileSync(file, 'quay.io/mirror');
    const r = await inject('--set-file', `values.global.hub=${file}`);
    assert.equal(r.code, 0, r.err);
    assert.match(proxy(r.spec!).image, /^quay\.io\/mirror\/proxyv2:/);
  });

  it('an unknown key of --set is a warning naming it and the nearest known key', async () => {
    const r = await inject('--set', 'values.global.proxy.statusPrt=15030,mesh.defaultConfig.holdApplicationUntilProxyStart=true');
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      /^warning: values\.global\.proxy\.statusPrt: unknown key, not read by the injector \(nearest known: values\.global\.proxy\.statusPort\)$/m,
    );
    assert.match(
      r.err,
      /^warning: mesh\.defaultConfig\.holdApplicationUntilProxyStart: .*\(nearest known: mesh\.defaultConfig\.holdApplicationUntilProxyStarts\)$/m,
    );
  });

  it('an unknown key like no known one is named without a guess, however long', async () => {
    const r = await inject('--set', `values.${'q'.repeat(20_000)}=1`);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^warning: values\.q{20000}: unknown key, not read by the injector$/m);
  });

  it('an unknown key of a values file is a warning too; a known one is not', async () => {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, 'global:\n  imagePullSecret: [regcred]\n  proxy:\n    statusPort: 15030\n');
    const r = await inject('--values', file);
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.err.trim(),
      'warning: values.global.imagePullSecret: unknown key, not read by the injector (nearest known: values.global.imagePullSecrets)',
    );
  });

  it('statusPort 15030: the capture excludes 15090,15021,15030, each once', async () => {
    const r = await inject('--set', 'values.global.proxy.statusPort=15030');
    assert.equal(arg(init(r.spec!).args, '-d'), '15090,15021,15030');
  });

  it("statusPort 15021, a port Envoy uses: rendered as Istio's template renders it (15021 twice), with a warning", async () => {
    const r = await inject('--set', 'values.global.proxy.statusPort=15021');
    assert.equal(r.code, 0, r.err);
    assert.equal(arg(init(r.spec!).args, '-d'), '15090,15021,15021');
    assert.match(r.err, /^warning: values\.global\.proxy\.statusPort 15021 is a port the proxy already uses/m);
  });
});
