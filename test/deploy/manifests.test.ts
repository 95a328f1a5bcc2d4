// deploy/ as a user applies it: the pieces the issue asks for are there and agree with the code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cachedOracleDir } from '../helpers/istio-chart.ts';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { webhookEntries } from '../../src/core/decide.ts';
import { DEFAULT_VALUES } from '../../src/core/settings/default-values.ts';
import { imageRuntime } from '../../bench/servers.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const docs = (p: string) => parseAllDocuments(read(p)).map((d) => d.toJS()) as any[];

describe('deploy/ manifests', () => {
  it('ships the defaults in the ConfigMap; the templates are built into the image', () => {
    assert.deepEqual(JSON.parse(read('deploy/base/config/values')), DEFAULT_VALUES);
    const k = docs('deploy/base/kustomization.yaml')[0];
    assert.deepEqual(k.configMapGenerator[0].files, ['config/config', 'config/values', 'config/mesh']);
  });

  it("builds in Istio's own templates, byte for byte as Istio's chart ships them", function () {
    const oracle = cachedOracleDir();
    if (!oracle) {
      console.log('    (skipped: no cached oracle build, which holds the chart; run scripts/build-oracle.sh)');
      this.skip();
    }
    const files = join(oracle!, 'manifests', 'charts', 'istio-control', 'istio-discovery', 'files');
    const chartFile: Record<string, string> = { sidecar: 'injection-template.yaml', gateway: 'gateway-injection-template.yaml' };
    // the four that inject pods; waypoint, kube-gateway and agentgateway* are for Istio's gateway controller
    for (const name of ['sidecar', 'gateway', 'grpc-simple', 'grpc-agent']) {
      assert.equal(read(`templates/${name}.tmpl`), readFileSync(join(files, chartFile[name] ?? `${name}.yaml`), 'utf8'), name);
    }
  });

  it("registers Istio's four entries of the default revision with the policies the issue asks for", () => {
    const [mwc] = docs('deploy/base/mutatingwebhook.yaml');
    assert.equal(mwc.metadata.labels['sidecar-injector.io/owned'], 'true');
    assert.equal(mwc.metadata.labels['istio.io/rev'], 'default');
    const istio = Object.fromEntries(webhookEntries('default').map((e) => [e.name, e]));
    for (const w of mwc.webhooks) {
      assert.equal(w.failurePolicy, 'Fail');
      assert.equal(w.sideEffects, 'None');
      assert.deepEqual(w.admissionReviewVersions, ['v1']);
      assert.equal(w.timeoutSeconds, 10);
      assert.equal(w.reinvocationPolicy, 'Never');
      assert.equal(w.clientConfig.service.path, '/inject');
      const want = istio[w.name];
      assert.ok(want, w.name);
      const exclusion = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['sidecar-injector', 'kube-system'] };
      assert.deepEqual(w.namespaceSelector.matchExpressions, [...want.namespaceSelector.matchExpressions!, exclusion]);
      assert.deepEqual(w.objectSelector.matchExpressions, want.objectSelector.matchExpressions);
    }
    assert.deepEqual(
      mwc.webhooks.map((w: { name: string }) => w.name),
      webhookEntries('default').map((e) => e.name),
    );
  });

  it('grants only what the injector reads or patches: no pods (only the namespace status command lists them, as its user)', () => {
    const [role] = docs('deploy/base/rbac.yaml');
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['namespaces', 'nodes'], verbs: ['list', 'watch'] },
      { apiGroups: ['networking.istio.io'], resources: ['proxyconfigs'], verbs: ['list', 'watch'] },
      // its own configuration and its revision's tags (names unknown in advance, found by a label watch)
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'list', 'watch', 'patch'] },
    ]);
    // what the server uses of the cluster (src/kube/cluster-view.ts) never touches pods
    assert.doesNotMatch(read('src/kube/cluster-view.ts'), /Pod\b|pods/);
  });

  it("reading istiod's ConfigMaps takes a Role for those two names only, and the documented switch replaces --config-dir", () => {
    const [role, binding] = docs('deploy/istio-configmaps/rbac.yaml');
    assert.equal(role.metadata.namespace, 'istio-system');
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['istio-sidecar-injector', 'istio'], verbs: ['get', 'list', 'watch'] },
    ]);
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'sidecar-injector', namespace: 'sidecar-injector' }]);
    const args: string[] = docs('deploy/base/deployment.yaml')[0].spec.template.spec.containers[0].args;
    assert.equal(args[1], '--config-dir=/etc/sidecar-injector/config', 'the argument the README replaces');
    assert.match(read('deploy/README.md'), /"path": "\/spec\/template\/spec\/containers\/0\/args\/1", "value": "--istio-configmaps=istio-system"/);
  });

  const flag = (args: string[], name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

  it('keeps /preview off the Service and off the pod network: loopback only, for kubectl port-forward', () => {
    const c = docs('deploy/base/deployment.yaml')[0].spec.template.spec.containers[0];
    assert.equal(flag(c.args, 'preview-port'), '9444');
    assert.equal(flag(c.args, 'preview-host'), '127.0.0.1');
    assert.ok(!c.ports.some((p: { containerPort: number }) => p.containerPort === 9444), 'no container port for the preview');
    const [svc] = docs('deploy/base/service.yaml');
    assert.deepEqual(
      svc.spec.ports.map((p: { targetPort: string }) => p.targetPort),
      ['https-webhook', 'http-monitoring'],
    );
    assert.match(read('deploy/README.md'), /kubectl -n sidecar-injector port-forward deploy\/sidecar-injector 9444/);
  });

  it('has a NetworkPolicy: in, the webhook and monitoring ports only; out, the API server and DNS only', () => {
    const d = docs('deploy/base/deployment.yaml')[0];
    const args: string[] = d.spec.template.spec.containers[0].args;
    const [np] = docs('deploy/base/networkpolicy.yaml');
    assert.deepEqual(np.spec.podSelector.matchLabels, d.spec.selector.matchLabels);
    assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
    const ports = (rules: Array<{ ports: Array<{ protocol: string; port: number }>; from?: unknown; to?: unknown }>) =>
      rules.map((r) => r.ports.map((p) => `${p.protocol}/${p.port}`).join(','));
    assert.deepEqual(ports(np.spec.ingress), [`TCP/${flag(args, 'port')}`, `TCP/${flag(args, 'ops-port')}`]);
    assert.deepEqual(ports(np.spec.egress), ['TCP/443,TCP/6443', 'UDP/53,TCP/53']);
    assert.ok(docs('deploy/base/kustomization.yaml')[0].resources.includes('networkpolicy.yaml'));
  });

  it('runs the injector hardened: non-root, read-only root, no capabilities, seccomp, spread, probes on the HTTP port', () => {
    const [d] = docs('deploy/base/deployment.yaml');
    const spec = d.spec.template.spec;
    const c = spec.containers[0];
    assert.equal(d.spec.replicas, 2);
    assert.equal(spec.securityContext.runAsNonRoot, true);
    assert.equal(spec.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    assert.equal(
      spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey,
      'kubernetes.io/hostname',
    );
    assert.equal(c.readinessProbe.httpGet.port, 'http-monitoring');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.ok(c.resources.requests.cpu && c.resources.limits.memory);
    assert.equal(d.spec.template.metadata.labels['sidecar.istio.io/inject'], 'false');
    const [svc] = docs('deploy/base/service.yaml');
    assert.deepEqual(svc.spec.ports[0], { name: 'https-webhook', port: 443, targetPort: 'https-webhook' });
    const [pdb] = docs('deploy/base/pdb.yaml');
    assert.equal(pdb.spec.minAvailable, 1);
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const stages = text.split(/^FROM /m).slice(1);

  it('builds with dev dependencies and runs with production ones only, as a non-root user, without a shell', () => {
    assert.equal(stages.length, 2);
    assert.match(stages[0]!, /npm ci/);
    assert.match(stages[0]!, /npm run build && npm prune --omit=dev/);
    const runtime = stages[1]!;
    assert.match(runtime, /^USER 65532:65532$/m);
    assert.match(runtime, /COPY --from=build \/src\/node_modules/);
    assert.match(runtime, /^ENTRYPOINT \["node", (?:"--[^"]+", )*"\/app\/dist\/cli\/main\.js"\]$/m, 'exec form: no shell at run time');
    assert.match(runtime, /iptables/, 'the same image runs the capture init container');
    assert.doesNotMatch(runtime, /npm (ci|install)/);
  });

  it('runs node with the V8 heap capped and large allocations given back, as the bench measures it', () => {
    const { nodeArgs, env } = imageRuntime(text);
    assert.deepEqual(
      nodeArgs,
      ['--max-semi-space-size=8', '--max-old-space-size=256'],
      'ENTRYPOINT: V8 grows the young generation to 64 MB a semi-space, and the old one to 4x the live heap, under load otherwise',
    );
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, '8192', 'ENV: glibc keeps freed request bodies and blocks of 8-128 KiB otherwise');
    assert.equal(env.MALLOC_ARENA_MAX, '1', "ENV: glibc gives V8's helper threads arenas of their own otherwise");
    assert.match(
      JSON.parse(read('package.json')).scripts.start,
      /^node --max-semi-space-size=8 --max-old-space-size=256 /,
      'npm start runs the same heap',
    );
  });

  it('the runtime stage serves, injects and explains from the compiled output (all three doors in one binary)', () => {
    const pkg = JSON.parse(read('package.json'));
    assert.equal(pkg.scripts.build, 'tsc -p tsconfig.build.json');
    assert.ok(!('tsx' in pkg.dependencies), 'tsx is a dev dependency only');
    for (const dep of Object.keys(pkg.dependencies)) assert.ok(!dep.startsWith('@types/'), dep);
  });
});
