import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { runCli } from '../../src/cli/main.ts';
import { parseDocuments } from '../../src/core/documents.ts';
import { MAX_PREVIEW_OBJECTS } from '../../src/core/limits.ts';
import { memoryIO } from '../helpers/cli.ts';
import { ISTIO_FIXTURES } from '../helpers/settings.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sidecar-injector.js');
const hello = join(ISTIO_FIXTURES, 'inject', 'hello.yaml');

const deployment = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name }, ...extra }, spec: { containers: [{ name: 'app', image: 'app:1' }] } },
  },
});

async function inject(input: string, ...flags: string[]) {
  const io = memoryIO(input);
  const code = await runCli(['inject', '-f', '-', ...flags], io);
  return { code, out: io.out(), err: io.err() };
}

describe('CLI inject', () => {
  it('injects every workload of a multi-document file and passes other kinds through unchanged', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    const input = [deployment('one'), cm, deployment('two')].map((d) => JSON.stringify(d)).join('\n---\n');
    const r = await inject(input, '--native-sidecars', 'false');
    assert.equal(r.code, 0, r.err);
    const docs = parseDocuments(r.out);
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['Deployment', 'ConfigMap', 'Deployment'],
    );
    assert.deepEqual(docs[1], cm);
    for (const d of [docs[0], docs[2]] as any[]) {
      assert.deepEqual(
        d.spec.template.spec.containers.map((c: any) => c.name),
        ['app', 'istio-proxy'],
      );
      assert.deepEqual(
        d.spec.template.spec.initContainers.map((c: any) => c.name),
        ['istio-init'],
      );
    }
  });

  it('keeps a List a List and injects its items', async () => {
    const r = await inject(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [deployment('a')] }), '-o', 'json', '--native-sidecars', 'true');
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    assert.equal(out.kind, 'List');
    assert.deepEqual(
      out.items[0].spec.template.spec.initContainers.map((c: any) => c.name),
      ['istio-init', 'istio-proxy'],
    );
  });

  it('passes a skipped object through and says why on stderr', async () => {
    const r = await inject(JSON.stringify(deployment('quiet', { annotations: { 'sidecar.istio.io/inject': 'false' } })));
    assert.equal(r.code, 0);
    assert.deepEqual(parse(r.out), deployment('quiet', { annotations: { 'sidecar.istio.io/inject': 'false' } }));
    assert.match(r.err, /Skipping injection because Deployment "quiet".*ANNOTATION_DISABLED/);
  });

  it('stops writing at the first error, as istioctl kube-inject does: the objects before it, none after, every error named, exit 1', async () => {
    const bad = deployment('broken', { annotations: { 'sidecar.istio.io/proxyCPU': 'lots' } });
    const bad2 = deployment('broken2', { annotations: { 'sidecar.istio.io/proxyMemory': 'lots' } });
    const r = await inject([deployment('fine'), bad, deployment('after'), bad2].map((d) => JSON.stringify(d)).join('\n---\n'));
    assert.equal(r.code, 1);
    assert.deepEqual(
      parseDocuments(r.out).map((o) => (o.metadata as { name: string }).name),
      ['fine'],
    );
    assert.match(r.err, /Deployment "broken".*sidecar\.istio\.io\/proxyCPU.*INVALID_ANNOTATION/);
    assert.match(r.err, /Deployment "broken2".*sidecar\.istio\.io\/proxyMemory.*INVALID_ANNOTATION/);
  });

  it('names the field of a malformed object instead of crashing', async () => {
    const r = await inject(
      JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: { containers: 'no' } } } }),
    );
    assert.equal(r.code, 1);
    assert.match(r.err, /spec\.template\.spec\.containers must be a list/);
    const y = await inject('kind: Pod\nmetadata: {name: [\n');
    assert.equal(y.code, 1);
    assert.match(y.err, /not valid YAML/);
  });

  it('applies --set and file settings, and rejects a bad one naming the key', async () => {
    const r = await inject(
      JSON.stringify(deployment('s')),
      '--set',
      'values.global.hub=registry.example.com/mesh',
      '--set',
      'values.global.tag=9.9.9',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /image: registry\.example\.com\/mesh\/proxyv2:9\.9\.9/);
    const bad = await inject(JSON.stringify(deployment('s')), '--set', 'values.global.proxy.statusPort=abc');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /values\.global\.proxy\.statusPort/);
  });

  it('runs as the installed binary, reading a file and exiting 0', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'inject', '-f', hello, '--native-sidecars', 'true']);
    assert.match(stdout, /name: istio-proxy/);
    assert.match(stdout, /restartPolicy: Always/);
  });

  it('exits 2 with usage for an unknown command or flag', async () => {
    const io = memoryIO();
    assert.equal(await runCli(['frobnicate'], io), 2);
    assert.match(io.err(), /unknown command/);
    const io2 = memoryIO();
    assert.equal(await runCli(['inject', '--bogus'], io2), 2);
  });
});

describe('CLI explain', () => {
  it('says for each object whether it would be injected, why, and which templates run', async () => {
    const io = memoryIO(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [deployment('a'), deployment('b', { annotations: { 'sidecar.istio.io/inject': 'false' } })],
      }),
    );
    assert.equal(await runCli(['explain', '-f', '-', '-o', 'json', '--namespace-labels', 'istio-injection=enabled'], io), 0);
    const r = JSON.parse(io.out());
    assert.equal(r[0].inject, true);
    assert.equal(r[0].reason, 'POLICY_ENABLED');
    assert.deepEqual(r[0].templates, ['sidecar']);
    assert.ok(r[0].decidedBy.some((d: string) => d.includes('namespace.sidecar-injector.istio.io')));
    assert.equal(r[1].inject, false);
    assert.equal(r[1].reason, 'ANNOTATION_DISABLED');
  });

  it('reports a namespace that is not opted in, and errors with their code', async () => {
    const io = memoryIO(JSON.stringify(deployment('a')));
    await runCli(['explain', '-f', '-', '--namespace-labels', 'team=x'], io);
    assert.match(io.out(), /skip \(NAMESPACE_NOT_SELECTED\)/);
    const io2 = memoryIO(JSON.stringify(deployment('b', { annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': 'http' } })));
    assert.equal(await runCli(['explain', '-f', '-'], io2), 1);
    assert.match(io2.out(), /error INVALID_ANNOTATION/);
  });
});

describe('CLI explain: what shaped the result', () => {
  it('lists the templates that ran and the annotations that changed the result', async () => {
    const d = deployment('t', {
      annotations: {
        'inject.istio.io/templates': 'sidecar',
        'sidecar.istio.io/proxyCPU': '300m',
        'example.com/unrelated': 'x',
        'sidecar.istio.io/rewriteAppHTTPProbers': 'false',
      },
    });
    const io = memoryIO(JSON.stringify(d));
    assert.equal(await runCli(['explain', '-f', '-', '-o', 'json'], io), 0);
    const [r] = JSON.parse(io.out());
    assert.deepEqual(r.templates, ['sidecar']);
    // the default template named again, and no probe to rewrite: read, but they changed nothing
    assert.deepEqual(r.annotations, ['sidecar.istio.io/proxyCPU="300m"']);
    assert.ok(r.notes.includes('annotation inject.istio.io/templates="sidecar" was read but changed nothing'), r.notes.join('\n'));
    assert.ok(r.notes.includes('annotation sidecar.istio.io/rewriteAppHTTPProbers="false" was read but changed nothing'), r.notes.join('\n'));
    assert.ok(r.notes.some((n: string) => n.includes('rewriteAppHTTPProbers')));
  });
});

describe('CLI: one loop with /preview, without its object cap', () => {
  it(`injects and explains a List of more than MAX_PREVIEW_OBJECTS (${MAX_PREVIEW_OBJECTS}) objects, keeping every one`, async () => {
    const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } });
    const items = [deployment('first'), ...Array.from({ length: MAX_PREVIEW_OBJECTS }, (_, i) => cm(i)), deployment('last')];
    const r = await inject(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), '-o', 'json');
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    assert.equal(out.items.length, MAX_PREVIEW_OBJECTS + 2);
    for (const d of [out.items[0], out.items.at(-1)]) assert.ok(d.spec.template.spec.containers.some((c: any) => c.name === 'istio-proxy'));
    assert.deepEqual(out.items[1], cm(0));
    const io = memoryIO(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    assert.equal(await runCli(['explain', '-f', '-', '-o', 'json'], io), 0, io.err());
    assert.equal(JSON.parse(io.out()).length, MAX_PREVIEW_OBJECTS + 2);
  });

  it('refuses --namespace-labels without KEY=VALUE as a usage error naming the flag', async () => {
    const io = memoryIO(JSON.stringify(deployment('a')));
    assert.equal(await runCli(['explain', '-f', '-', '--namespace-labels', 'team=x,novalue'], io), 2);
    assert.match(io.err(), /--namespace-labels: "novalue" is not KEY=VALUE/);
    assert.equal(io.out(), '');
  });
});
