import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { runCli } from '../../src/cli/main.ts';
import { memoryIO } from '../helpers/cli.ts';

const podTemplate = (meta: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  metadata: meta,
  spec: { containers: [{ name: 'app', image: 'app:1' }], ...spec },
});
const deployment = (name: string, meta: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: { app: name } }, template: podTemplate(meta, spec) },
});
const job = (name: string, meta: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name },
  spec: { template: podTemplate(meta, { restartPolicy: 'Never' }) },
});
const cronJob = (name: string) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name },
  spec: { schedule: '* * * * *', jobTemplate: { spec: { template: podTemplate({}, { restartPolicy: 'OnFailure' }) } } },
});
const pod = (name: string, restartPolicy: string) => ({ apiVersion: 'v1', kind: 'Pod', ...podTemplate({ name }, { restartPolicy }) });

async function explainJson(objects: unknown[], ...flags: string[]): Promise<any[]> {
  const io = memoryIO(objects.map((o) => JSON.stringify(o)).join('\n---\n'));
  const code = await runCli(['explain', '-f', '-', '-o', 'json', ...flags], io);
  assert.equal(code, 0, io.err());
  return JSON.parse(io.out());
}

describe('explain: native or classic sidecar, and why', () => {
  it('says classic when auto has no nodes to ask, native when the setting or the pod annotation says so', async () => {
    const [auto, annotated] = await explainJson([deployment('a'), deployment('b', { annotations: { 'sidecar.istio.io/nativeSidecar': 'true' } })]);
    assert.deepEqual(auto.sidecar, { mode: 'classic', why: 'native sidecars auto: no node kubelet versions are known' });
    assert.deepEqual(annotated.sidecar, { mode: 'native', why: 'annotation sidecar.istio.io/nativeSidecar="true"' });
    const [set] = await explainJson([deployment('a')], '--native-sidecars', 'true');
    assert.deepEqual(set.sidecar, { mode: 'native', why: 'the setting --native-sidecars true' });
    const io = memoryIO(JSON.stringify(deployment('a')));
    await runCli(['explain', '-f', '-'], io);
    assert.match(io.out(), /^ {2}sidecar: classic \(native sidecars auto: no node kubelet versions are known\)$/m);
  });

  it('has no sidecar line for a pod that is not injected', async () => {
    const [r] = await explainJson([deployment('a', { labels: { 'sidecar.istio.io/inject': 'false' } })]);
    assert.equal(r.inject, false);
    assert.equal(r.sidecar, undefined);
  });
});

describe('explain: a pod that runs to completion with a classic sidecar never completes', () => {
  const neverCompletes = /never completes: istio-proxy keeps running .*native sidecars .*sidecar\.istio\.io\/inject: "false"/;

  it('warns for a Job, a CronJob and a bare pod with restartPolicy Never or OnFailure, saying what to do', async () => {
    const items = await explainJson([job('j'), cronJob('c'), pod('p', 'Never'), pod('q', 'OnFailure')]);
    for (const r of items)
      assert.ok(
        r.warnings.some((w: string) => neverCompletes.test(w)),
        `${r.object}: ${r.warnings}`,
      );
  });

  it('does not warn for a Deployment, a pod that always restarts, native sidecars, or a Job opted out', async () => {
    const items = await explainJson([deployment('d'), pod('p', 'Always'), job('o', { labels: { 'sidecar.istio.io/inject': 'false' } })]);
    for (const r of items) assert.ok(!r.warnings.some((w: string) => neverCompletes.test(w)), `${r.object}: ${r.warnings}`);
    const [native] = await explainJson([job('j')], '--native-sidecars', 'true');
    assert.deepEqual(native.warnings, []);
  });
});

describe('explain: Istio annotations and labels it does not know, as istioctl analyze', () => {
  it('names each misspelt annotation or label and the nearest known one', async () => {
    const [r] = await explainJson([
      deployment('a', {
        annotations: { 'sidecar.istio.io/injcet': 'true', 'sidecar.istio.io/proxyCpu': '200m', 'example.com/x': 'y' },
        labels: { 'sidecar.istio.io/injcet': 'false' },
      }),
    ]);
    assert.deepEqual(r.warnings, [
      'unknown annotation "sidecar.istio.io/injcet": Istio ignores it; did you mean sidecar.istio.io/inject?',
      'unknown annotation "sidecar.istio.io/proxyCpu": Istio ignores it; did you mean sidecar.istio.io/proxyCPU?',
      'unknown label "sidecar.istio.io/injcet": Istio ignores it; did you mean sidecar.istio.io/inject?',
    ]);
  });

  it('names the first ten unknown Istio names of a pod and counts the rest', async () => {
    const annotations = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`made-up.istio.io/key-${i}`, 'x']));
    const [r] = await explainJson([deployment('a', { annotations })]);
    assert.equal(r.warnings.length, 11);
    assert.match(r.warnings[0], /^unknown annotation "made-up\.istio\.io\/key-0": Istio ignores it/);
    assert.equal(r.warnings[10], '... and 2990 more unknown annotations');
  });

  it('says when an Istio annotation is on the workload instead of its pod template', async () => {
    const d = deployment('a');
    (d.metadata as Record<string, unknown>).annotations = { 'sidecar.istio.io/proxyCPU': '200m' };
    const [r] = await explainJson([d]);
    assert.deepEqual(r.warnings, [
      "annotation sidecar.istio.io/proxyCPU is on the Deployment, not on its pod template: the injector reads the pod's annotations only",
    ]);
  });

  it('is quiet about known annotations', async () => {
    const [r] = await explainJson([deployment('a', { annotations: { 'sidecar.istio.io/logLevel': 'debug', 'proxy.istio.io/config': '{}' } })]);
    assert.deepEqual(r.warnings, []);
  });
});

describe('explain: container ports the sidecar takes', () => {
  it('warns for an app port the proxy listens on (15001, 15006, 15020, 15021, 15090, …), not for others', async () => {
    const ports = [15001, 15006, 15021, 15090, 8080].map((containerPort) => ({ containerPort }));
    const [r] = await explainJson([deployment('a', {}, { containers: [{ name: 'app', image: 'app:1', ports }] })]);
    assert.deepEqual(
      r.warnings.map((w: string) => /port (\d+)/.exec(w)?.[1]),
      ['15001', '15006', '15021', '15090'],
    );
    assert.match(r.warnings[0], /container "app" uses port 15001, which the sidecar takes \(outbound capture\)/);
  });
});

describe('explain: only the annotations that changed the result', () => {
  it('leaves out a proxyImage without a registry path (Istio ignores it), and says why in a note', async () => {
    const [r] = await explainJson([
      deployment('a', { annotations: { 'sidecar.istio.io/proxyImage': 'myproxy', 'sidecar.istio.io/proxyCPU': '300m' } }),
    ]);
    assert.deepEqual(r.annotations, ['sidecar.istio.io/proxyCPU="300m"']);
    assert.ok(
      r.notes.some((n: string) => /proxyImage="myproxy" was read but changed nothing: .*with a '\/'/.test(n)),
      r.notes.join('\n'),
    );
    const [full] = await explainJson([deployment('a', { annotations: { 'sidecar.istio.io/proxyImage': 'example.com/proxy:1' } })]);
    assert.deepEqual(full.annotations, ['sidecar.istio.io/proxyImage="example.com/proxy:1"']);
  });
});

describe('explain: the capture in one line, the rules with --rules', () => {
  it('sums up the iptables rules by default and prints them with --rules', async () => {
    const input = JSON.stringify(deployment('a'));
    const short = memoryIO(input);
    await runCli(['explain', '-f', '-'], short);
    assert.match(short.out(), /^ {2}capture: istio-init runs Istio's istio-iptables: \d+ iptables rules \(--rules prints them\)$/m);
    assert.doesNotMatch(short.out(), /-A ISTIO_OUTPUT/);
    const full = memoryIO(input);
    await runCli(['explain', '-f', '-', '--rules'], full);
    assert.match(full.out(), /iptables-restore input:\n {4}\* nat\n/);
    assert.match(full.out(), /^ {4}-A ISTIO_OUTPUT -j ISTIO_REDIRECT$/m);
  });
});

describe('explain -o yaml', () => {
  it('gives the same items as -o json, as a YAML list', async () => {
    const objects = [deployment('a'), job('b'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }];
    const json = await explainJson(objects);
    const io = memoryIO(objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    assert.equal(await runCli(['explain', '-f', '-', '-o', 'yaml'], io), 0);
    assert.deepEqual(parse(io.out()), json);
  });

  it('refuses another -o as a usage error', async () => {
    const io = memoryIO('{}');
    assert.equal(await runCli(['explain', '-f', '-', '-o', 'xml'], io), 2);
    assert.match(io.err(), /-o must be one of text, json, yaml/);
  });
});

describe('explain: an object in another namespace than the one asked for', () => {
  it('decides for its own namespace and says the webhook selectors were not evaluated with the other namespace labels', async () => {
    const d = { ...deployment('a'), metadata: { name: 'a', namespace: 'shop' } };
    const [r] = await explainJson([d], '-n', 'other', '--namespace-labels', 'istio-injection=disabled');
    assert.equal(r.inject, true, 'not skipped for the labels of another namespace');
    assert.match(r.warnings[0], /metadata\.namespace "shop" differs from the namespace asked for \("other"\): decided for "shop".*not evaluated/);
    const [same] = await explainJson([d], '-n', 'shop', '--namespace-labels', 'istio-injection=disabled');
    assert.equal(same.reason, 'NAMESPACE_DISABLED');
    assert.deepEqual(same.warnings, []);
  });
});
