// `kube-inject` as istioctl kube-inject: the settings from --injectConfigFile, --valuesFile and
// --meshConfigFile (documents or ConfigMaps), -o FILE written, --revision in the result; without the
// files, istiod's ConfigMaps from the cluster (test/e2e/kube-inject.test.ts), or one line saying why not.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { parseDocuments } from '../../src/core/documents.ts';
import { memoryIO } from '../helpers/cli.ts';
import { ISTIO_FIXTURES, MESH_FILE, VALUES_FILE } from '../helpers/settings.ts';

const hello = join(ISTIO_FIXTURES, 'inject', 'hello.yaml');

async function cli(argv: string[], stdin = '') {
  const io = memoryIO(stdin);
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

type Spec = { containers: Array<{ name: string; image: string }> };
const proxyImage = (yaml: string) =>
  (parseDocuments(yaml)[0]!.spec as { template: { spec: Spec } }).template.spec.containers.find((c) => c.name === 'istio-proxy')!.image;

describe('CLI kube-inject', () => {
  const dir = mkdtempSync(join(tmpdir(), 'si-kube-inject-'));
  const config = join(dir, 'inject-config.yaml');
  writeFileSync(config, 'policy: enabled\n');
  const files = ['--injectConfigFile', config, '--valuesFile', VALUES_FILE, '--meshConfigFile', MESH_FILE];
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('injects with the three files, as inject does with --config/--values/--mesh', async () => {
    const ours = await cli(['kube-inject', '-f', hello, ...files, '--native-sidecars', 'false']);
    assert.equal(ours.code, 0, ours.err);
    const inject = await cli(['inject', '-f', hello, '--config', config, '--values', VALUES_FILE, '--mesh', MESH_FILE, '--native-sidecars', 'false']);
    assert.equal(ours.out, inject.out);
    assert.equal(proxyImage(ours.out), 'registry.istio.io/testing/proxyv2:latest');
  });

  it('takes the files as ConfigMaps, as kubectl get cm -o yaml prints them', async () => {
    const cms = join(dir, 'cms.yaml');
    const cm = (name: string, data: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
    writeFileSync(
      cms,
      `${cm('istio-sidecar-injector', { config: 'policy: enabled\n', values: readFileSync(VALUES_FILE, 'utf8') })}\n---\n${cm('istio', { mesh: readFileSync(MESH_FILE, 'utf8') })}\n`,
    );
    const r = await cli(['kube-inject', '-f', hello, '--injectConfigFile', cms, '--valuesFile', cms, '--meshConfigFile', cms]);
    assert.equal(r.code, 0, r.err);
    assert.equal(proxyImage(r.out), 'registry.istio.io/testing/proxyv2:latest');
  });

  it('-o FILE writes the result there, as istioctl does, and nothing on stdout', async () => {
    const out = join(dir, 'out.yaml');
    const r = await cli(['kube-inject', '-f', hello, ...files, '-o', out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '');
    assert.match(readFileSync(out, 'utf8'), /name: istio-proxy/);
  });

  it('-f - reads standard input; --set applies over the files', async () => {
    const r = await cli(
      ['kube-inject', '-f', '-', ...files, '--set', 'values.global.hub=gcr.io/x,values.global.tag=1.2'],
      readFileSync(hello, 'utf8'),
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(proxyImage(r.out), 'gcr.io/x/proxyv2:1.2');
  });

  it('--revision canary: the pod is marked as injected by revision canary', async () => {
    const r = await cli(['kube-inject', '-f', hello, ...files, '--revision', 'canary']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /"revision":"canary"/);
  });

  it('without the files and without a cluster: one line saying what to pass, exit 1', async () => {
    const r = await cli(['kube-inject', '-f', hello, '--kubeconfig', join(dir, 'missing-kubeconfig')]);
    assert.equal(r.code, 1);
    assert.ok(r.err.trim().split('\n').length === 1, r.err);
    assert.match(r.err, /^error: .*kubeconfig/);
  });

  it('-o into a directory that does not exist: one line naming -o, exit 1', async () => {
    const r = await cli(['kube-inject', '-f', hello, ...files, '-o', join(dir, 'no', 'such', 'out.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: -o .*out\.yaml: cannot write \(ENOENT\)$/m);
  });
});
