// `kube-inject` without setting files, against a real API server: istiod's ConfigMaps (examples/istio-cms.yaml,
// applied with kubectl) read from istio-system, the `-<revision>` ones with --revision, another namespace with
// -i, the names with --injectConfigMapName/--meshConfigMapName; a missing ConfigMap is one line naming it and
// the flag. Also the README's `kube-inject -f examples/deployment.yaml`, which needs a cluster.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../src/cli/main.ts';
import { parseDocuments } from '../../src/core/documents.ts';
import { memoryIO } from '../helpers/cli.ts';
import { type ControlPlane, startControlPlane } from './harness/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DEPLOYMENT = join(ROOT, 'examples', 'deployment.yaml');

type ConfigMap = { metadata: { name: string; namespace?: string }; data: Record<string, string> };
const EXAMPLE_CMS = (parse(readFileSync(join(ROOT, 'examples', 'istio-cms.yaml'), 'utf8')) as { items: ConfigMap[] }).items;

const proxyImage = (yaml: string) =>
  (parseDocuments(yaml)[0]!.spec as { template: { spec: { containers: Array<{ name: string; image: string }> } } }).template.spec.containers.find(
    (c) => c.name === 'istio-proxy',
  )?.image;

describe("kube-inject with istiod's ConfigMaps from the cluster (real API server)", () => {
  let cp: ControlPlane | undefined;
  const plane = () => {
    if (!cp) throw new Error('control plane did not start');
    return cp;
  };
  const apply = async (namespace: string, name: string, data: Record<string, string>) => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
    const path = join(plane().dir, `${namespace}.${name}.json`);
    writeFileSync(path, JSON.stringify(cm));
    const r = await plane().kubectl(['apply', '-f', path]);
    assert.equal(r.code, 0, r.stderr);
  };
  const kubeInject = async (...flags: string[]) => {
    const io = memoryIO();
    const code = await runCli(['kube-inject', '-f', DEPLOYMENT, '--kubeconfig', plane().kubeconfigPath, ...flags], io);
    return { code, out: io.out(), err: io.err() };
  };

  before(async function () {
    this.timeout(16 * 60_000);
    cp = await startControlPlane();
    await plane().createNamespace('istio-system');
    await plane().createNamespace('mesh-two');
    const [injector, mesh] = EXAMPLE_CMS;
    await apply('istio-system', 'istio-sidecar-injector', injector!.data);
    await apply('istio-system', 'istio', mesh!.data);
    const mirror = (hub: string) => injector!.data.values!.replace('"hub": "docker.io/istio"', `"hub": "${hub}"`);
    await apply('istio-system', 'istio-sidecar-injector-canary', { ...injector!.data, values: mirror('registry.example/canary') });
    await apply('istio-system', 'istio-canary', mesh!.data);
    await apply('mesh-two', 'my-injector', { ...injector!.data, values: mirror('registry.example/two') });
    await apply('mesh-two', 'my-mesh', mesh!.data);
  });
  after(async function () {
    this.timeout(60_000);
    await cp?.stop();
  });

  it('reads istio-sidecar-injector and istio in istio-system, as `kube-inject -f examples/deployment.yaml` does', async () => {
    const r = await kubeInject();
    assert.equal(r.code, 0, r.err);
    assert.equal(proxyImage(r.out), 'docker.io/istio/proxyv2:1.28.0');
  });

  it('--revision canary reads the -canary ConfigMaps, and marks the pod as injected by canary', async () => {
    const r = await kubeInject('--revision', 'canary');
    assert.equal(r.code, 0, r.err);
    assert.equal(proxyImage(r.out), 'registry.example/canary/proxyv2:1.28.0');
    assert.match(r.out, /"revision":"canary"/);
  });

  it('-i and the ConfigMap names choose others; a file given wins over its ConfigMap', async () => {
    const r = await kubeInject('-i', 'mesh-two', '--injectConfigMapName', 'my-injector', '--meshConfigMapName', 'my-mesh');
    assert.equal(r.code, 0, r.err);
    assert.equal(proxyImage(r.out), 'registry.example/two/proxyv2:1.28.0');
    const withFile = await kubeInject('--valuesFile', join(ROOT, 'examples', 'istio-cms.yaml'), '--revision', 'canary');
    assert.equal(withFile.code, 0, withFile.err);
    assert.equal(proxyImage(withFile.out), 'docker.io/istio/proxyv2:1.28.0');
  });

  it('a ConfigMap that is not there: one line naming it and the flags, exit 1', async () => {
    const r = await kubeInject('--revision', 'nope');
    assert.equal(r.code, 1);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(
      r.err,
      /^error: cannot read ConfigMap istio-system\/istio(-sidecar-injector)?-nope: HTTP 404.*\(--(injectConfigMapName|meshConfigMapName), -i\/--istioNamespace\)$/m,
    );
  });
});
