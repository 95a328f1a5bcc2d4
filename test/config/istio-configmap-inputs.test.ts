// Istio's ConfigMaps as users have them: the keys of `istio-sidecar-injector` (config, values) and `istio`
// (mesh) as files, or whole ConfigMaps (`kubectl get cm -o yaml`, a List, both in one file) given to
// --config/--values/--mesh, with the data Istio's chart renders (the oracle's render, cached build).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/main.ts';
import { loadSettings, readSettingsDir } from '../../src/config/config-dir.ts';
import { readTemplatesDir } from '../../src/config/files.ts';
import { parseDocuments } from '../../src/core/documents.ts';
import { injectPod } from '../../src/core/inject.ts';
import { istioConfigMapNames, settingsDocument } from '../../src/core/settings/configmap.ts';
import type { Pod } from '../../src/core/types.ts';
import { memoryIO } from '../helpers/cli.ts';
import { chartDataOrSkip, istioConfigMaps, type IstioChartData } from '../helpers/istio-chart.ts';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'apps' },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
};
const ISTIO_TEMPLATES = ['sidecar', 'gateway', 'grpc-simple', 'grpc-agent', 'waypoint', 'kube-gateway', 'agentgateway', 'agentgateway-waypoint'];
/** Istio's templates for its gateway controller (another data type): they cannot inject a pod. */
const GATEWAY_CONTROLLER_TEMPLATES = ['agentgateway', 'agentgateway-waypoint', 'kube-gateway', 'waypoint'];

describe("Istio's ConfigMaps as settings inputs", function () {
  this.timeout(60_000);
  let chart: IstioChartData;
  let dir: string;
  before(function () {
    chart = chartDataOrSkip(this);
    dir = mkdtempSync(join(tmpdir(), 'si-istio-cm-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  describe('settingsDocument: a file is the document, or ConfigMaps holding it', () => {
    it('a plain document (the key as mounted) is read as it is', () => {
      for (const key of ['config', 'values', 'mesh'] as const) assert.equal(settingsDocument(chart[key], key, key), chart[key]);
    });

    it('kubectl get cm -o yaml: the data key, byte for byte', () => {
      const cms = istioConfigMaps(chart);
      assert.equal(settingsDocument(stringify(cms.injector), 'config', 'injector.yaml'), chart.config);
      assert.equal(settingsDocument(stringify(cms.injector), 'values', 'injector.yaml'), chart.values);
      assert.equal(settingsDocument(JSON.stringify(cms.mesh), 'mesh', 'istio.json'), chart.mesh);
    });

    it('a List or a multi-document file holding both: each key from the ConfigMap Istio names for it', () => {
      const cms = istioConfigMaps(chart);
      const list = stringify({ apiVersion: 'v1', kind: 'List', items: [cms.mesh, cms.injector] });
      const multi = `${stringify(cms.injector)}---\n${stringify(cms.mesh)}`;
      for (const text of [list, multi]) {
        assert.equal(settingsDocument(text, 'config', 'both.yaml'), chart.config);
        assert.equal(settingsDocument(text, 'mesh', 'both.yaml'), chart.mesh);
      }
    });

    it('picks the revision by name: istio-sidecar-injector-<rev> and istio-<rev>', () => {
      assert.deepEqual(istioConfigMapNames('canary'), { injector: 'istio-sidecar-injector-canary', mesh: 'istio-canary' });
      const stable = istioConfigMaps(chart);
      const canary = istioConfigMaps({ ...chart, values: '{"revision": "canary"}', mesh: 'trustDomain: canary.local' }, 'istio-system', 'canary');
      const text = [stable.injector, canary.injector, stable.mesh, canary.mesh].map((o) => stringify(o)).join('---\n');
      assert.equal(settingsDocument(text, 'values', 'all.yaml'), chart.values);
      assert.equal(settingsDocument(text, 'values', 'all.yaml', 'canary'), '{"revision": "canary"}');
      assert.equal(settingsDocument(text, 'mesh', 'all.yaml', 'canary'), 'trustDomain: canary.local');
    });

    it('refuses, naming the file and what was expected, a file whose ConfigMaps do not hold the key or hold it ambiguously', () => {
      const cms = istioConfigMaps(chart);
      assert.throws(
        () => settingsDocument(stringify(cms.injector), 'mesh', '/tmp/injector.yaml'),
        (e: any) =>
          e.code === 'INVALID_SETTING' &&
          e.message.includes('/tmp/injector.yaml holds ConfigMaps (istio-sidecar-injector (config, values))') &&
          e.message.includes('none has the key "mesh"') &&
          e.message.includes('want the data.mesh of ConfigMap istio'),
      );
      const other = (name: string) => ({ ...cms.injector, metadata: { name } });
      const two = `${stringify(other('a'))}---\n${stringify(other('b'))}`;
      assert.throws(
        () => settingsDocument(two, 'config', 'two.yaml'),
        /two\.yaml holds ConfigMaps \(a .*, b .*\), but 2 have the key "config" and none is named "istio-sidecar-injector"/,
      );
      // one ConfigMap with the key, under another name (a renamed copy): that one
      assert.equal(settingsDocument(stringify(other('my-injector')), 'config', 'one.yaml'), chart.config);
    });
  });

  describe("the chart's data loads", () => {
    it('from a directory with the keys of both ConfigMaps (meshNetworks too): values and mesh as istiod reads them', () => {
      // Istio's config unchanged: its Go templates run
      const d = mkdtempSync(join(dir, 'keys-'));
      writeFileSync(join(d, 'config'), chart.config);
      for (const key of ['values', 'mesh'] as const) writeFileSync(join(d, key), chart[key]);
      writeFileSync(join(d, 'meshNetworks'), 'networks: {}');
      const s = loadSettings(readSettingsDir(d), { nativeSidecars: 'false' });
      const injected = injectPod(pod, { settings: s, namespace: 'apps' }).pod;
      const proxy = injected.spec.containers.find((c) => c.name === 'istio-proxy');
      assert.match(proxy?.image ?? '', /^registry\.istio\.io\/testing\/proxyv2:/, "the chart's hub");
      assert.ok(
        proxy?.env?.some((e) => e.name === 'ISTIO_META_MESH_ID' && e.value === 'cluster.local'),
        "the chart's trust domain",
      );
      assert.deepEqual(Object.keys(s.brokenTemplates).sort(), GATEWAY_CONTROLLER_TEMPLATES);
    });

    it("with Istio's Go templates: the four that inject pods run, the gateway controller's are reported, each by name", () => {
      const s = loadSettings(
        { config: chart.config, values: chart.values, mesh: chart.mesh, templates: readTemplatesDir() },
        { nativeSidecars: 'false' },
      );
      for (const name of ISTIO_TEMPLATES) assert.ok(s.templates.names.includes(name), name);
      // waypoint, kube-gateway and agentgateway* render Deployments for Istio's gateway controller from
      // other data: asked for by a pod, istiod fails them as we do, and we say so at load
      assert.deepEqual(Object.keys(s.brokenTemplates).sort(), GATEWAY_CONTROLLER_TEMPLATES);
      for (const name of GATEWAY_CONTROLLER_TEMPLATES)
        assert.match(s.brokenTemplates[name]!, /can't evaluate field \w+ in type inject\.SidecarTemplateData/, name);
      // each adds its own container: the proxy, or for proxyless gRPC the bootstrap init container
      const added = { sidecar: 'istio-proxy', gateway: 'istio-proxy', 'grpc-agent': 'istio-proxy', 'grpc-simple': 'grpc-bootstrap-init' };
      for (const [name, container] of Object.entries(added)) {
        const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { 'inject.istio.io/templates': name } } };
        const injected = injectPod(annotated, { settings: s, namespace: 'apps' }).pod;
        const names = [...injected.spec.containers, ...(injected.spec.initContainers ?? [])].map((c) => c.name);
        assert.ok(names.includes(container), `${name} adds ${container}: ${names.join(', ')}`);
      }
    });
  });

  describe('--config/--values/--mesh given ConfigMaps', () => {
    it('inject reads each key from the ConfigMaps of one file', async () => {
      const cms = istioConfigMaps(chart);
      const both = file('both.yaml', `${stringify(cms.injector)}---\n${stringify(cms.mesh)}`);
      const io = memoryIO(JSON.stringify(pod));
      const code = await runCli(['inject', '-f', '-', '--config', both, '--values', both, '--mesh', both, '--native-sidecars', 'false'], io);
      assert.equal(code, 0, io.err());
      const out = parseDocuments(io.out())[0] as unknown as Pod;
      assert.match(out.spec.containers.find((c) => c.name === 'istio-proxy')?.image ?? '', /^registry\.istio\.io\/testing\/proxyv2:/);
    });

    it('a file without the key wanted: the run fails naming the file and the ConfigMap wanted', async () => {
      const injectorOnly = file('injector.yaml', stringify(istioConfigMaps(chart).injector));
      const io = memoryIO(JSON.stringify(pod));
      const code = await runCli(['inject', '-f', '-', '--mesh', injectorOnly], io);
      assert.equal(code, 1);
      assert.match(io.err(), /injector\.yaml holds ConfigMaps .* none has the key "mesh"; want the data\.mesh of ConfigMap istio/);
    });

    it('explain names each broken template on stderr and refuses the objects asking for one', async () => {
      const config = file('config-broken', stringify({ templates: { gateway: 'spec:\n  {{- if .Values }}\n' } }));
      const asking = { ...pod, metadata: { ...pod.metadata, annotations: { 'inject.istio.io/templates': 'gateway' } } };
      const io = memoryIO(`${JSON.stringify(pod)}\n---\n${JSON.stringify(asking)}`);
      const code = await runCli(['explain', '-f', '-', '--config', config, '--native-sidecars', 'false'], io);
      assert.equal(code, 1, 'an object failed');
      assert.match(
        io.err(),
        /^warning: template "gateway" is broken, objects that ask for it fail: Go template: template: gateway:\d+: unexpected EOF/m,
      );
      assert.match(
        io.out(),
        /Pod "apps\/web": inject \(POLICY_ENABLED\)[\s\S]*Pod "apps\/web": error TEMPLATE_BROKEN\n {2}injection template "gateway" is broken/,
      );
    });
  });
});
