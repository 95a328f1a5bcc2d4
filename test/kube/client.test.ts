import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKubeConfigSource, loadKubeConfig } from '../../src/kube/client.ts';

const kubeconfig = (server: string, context = 'ctx') =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: `c-${context}`, cluster: { server } }],
    users: [{ name: `u-${context}`, user: { token: 't' } }],
    contexts: [{ name: context, context: { cluster: `c-${context}`, user: `u-${context}` } }],
    'current-context': context,
  });

describe('kube client configuration', () => {
  let dir: string;
  let home: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-client-'));
    home = join(dir, 'home');
    mkdirSync(home);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('without any configuration there is no cluster, and that is not an error', () => {
    assert.equal(findKubeConfigSource({ env: {}, homeDir: home, serviceAccountRoot: dir }), undefined);
    assert.equal(loadKubeConfig({ env: {}, homeDir: home, serviceAccountRoot: dir }), undefined);
  });

  it('uses ~/.kube/config when it exists', () => {
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), kubeconfig('https://home.example:6443'));
    const kc = loadKubeConfig({ env: {}, homeDir: home, serviceAccountRoot: dir });
    assert.equal(kc?.getCurrentCluster()?.server, 'https://home.example:6443');
  });

  it('prefers KUBECONFIG over ~/.kube/config, skipping files that do not exist, the first current-context winning', () => {
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), kubeconfig('https://home.example:6443'));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    writeFileSync(a, kubeconfig('https://a.example:6443', 'a'));
    writeFileSync(b, kubeconfig('https://b.example:6443', 'b'));
    const env = { KUBECONFIG: [join(dir, 'missing'), a, b].join(':') };
    assert.deepEqual(findKubeConfigSource({ env, homeDir: home, serviceAccountRoot: dir }), { kind: 'file', paths: [a, b], from: 'KUBECONFIG' });
    assert.equal(loadKubeConfig({ env, homeDir: home, serviceAccountRoot: dir })?.getCurrentCluster()?.server, 'https://a.example:6443');
  });

  it('prefers the in-cluster service account over KUBECONFIG when running in a pod', () => {
    const sa = join(dir, 'var', 'run', 'secrets', 'kubernetes.io', 'serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'sa-token');
    writeFileSync(join(sa, 'ca.crt'), '');
    const a = join(dir, 'a');
    writeFileSync(a, kubeconfig('https://a.example:6443'));
    const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: a };
    assert.deepEqual(findKubeConfigSource({ env, homeDir: home, serviceAccountRoot: dir }), { kind: 'in-cluster' });
    assert.deepEqual(
      findKubeConfigSource({ env: { KUBECONFIG: a }, homeDir: home, serviceAccountRoot: dir })?.kind,
      'file',
      'no service host: not in a pod',
    );
  });

  it('an explicit kubeconfig wins, and one that is missing or unreadable is an error naming the file', () => {
    const a = join(dir, 'a');
    writeFileSync(a, kubeconfig('https://a.example:6443'));
    assert.equal(loadKubeConfig({ kubeconfigPath: a, env: {}, homeDir: home })?.getCurrentCluster()?.server, 'https://a.example:6443');
    const missing = join(dir, 'nope');
    assert.throws(() => loadKubeConfig({ kubeconfigPath: missing }), { message: `kubeconfig ${missing} does not exist` });
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'clusters: [');
    assert.throws(
      () => loadKubeConfig({ kubeconfigPath: bad }),
      (e: Error) => e.message.startsWith(`kubeconfig ${bad} cannot be read`),
    );
    const noContext = join(dir, 'no-context');
    writeFileSync(noContext, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] }));
    assert.throws(() => loadKubeConfig({ kubeconfigPath: noContext }), /has no current context with a cluster/);
  });
});
