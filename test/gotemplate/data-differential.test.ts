// The template data against Go: for pods from the oracle's generator and Istio's conformance inputs, the
// same SidecarTemplateData is built by Istio's Go types (test/gotemplate/gotypes probe) and by ours
// (goTemplateData), and every path listed from the data is compared: %T, nil, encoding/json, protojson
// and what {{ path }} prints, or that both fail (Go's nil pointer message word for word).
// More generated pods: GT_DATA_PODS=400 npx mocha test/gotemplate/data-differential.test.ts
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { GoPointer, goTemplateData, hasProtoJSON, jsonOf, NilPointerError, UnsupportedMethodError } from '../../src/core/gotemplate/data/index.ts';
import { formatNested } from '../../src/core/gotemplate/data/format.ts';
import { type GoValue, GoTyped, typeOf, untaint } from '../../src/core/gotemplate/value.ts';
import { preparePod } from '../../src/core/prepare.ts';
import type { Settings } from '../../src/core/settings/index.ts';
import type { Pod } from '../../src/core/types.ts';
import { isInjectableKind, podOf, workloadOfPod } from '../../src/core/workloads.ts';
import { podArb } from '../oracle/arbitraries/pod.ts';
import { ISTIO_FIXTURES, istioTestSettings } from '../helpers/settings.ts';
import { goAvailable } from './go-parse-oracle.ts';
import { collectPaths, PathError, walk } from './data-paths.ts';
import { gotypesBinary, type PathStep, type ProbeCase, type ProbeResult, probeGo } from './gotypes-oracle.ts';

const ARBITRARY_PODS = Number(process.env.GT_DATA_PODS ?? 25);
// per root field: how many paths to list (breadth first)
const BUDGET: Record<string, number> = { Spec: 160, ObjectMeta: 40, TypeMeta: 4, DeploymentMeta: 5, ProxyConfig: 90, MeshConfig: 90, Values: 30 };
const SCALARS = [
  'Revision',
  'NativeSidecars',
  'ProxyImage',
  'ProxyInitImage',
  'ProxyUID',
  'ProxyGID',
  'InboundTrafficPolicyMode',
  'CompliancePolicy',
];
// paths Istio's templates use
const FIXED: PathStep[][] = [
  ['ProxyConfig', 'GetTracing', 'GetTlsSettings', 'GetCaCertificates'],
  ['ProxyConfig', 'HoldApplicationUntilProxyStarts', 'GetValue'],
  ['ProxyConfig', 'InterceptionMode', 'String'],
  ['ProxyConfig', 'ProxyMetadata'],
  ['MeshConfig', 'DefaultConfig', 'ProxyMetadata'],
  ['ProxyConfig', 'DrainDuration', 'AsDuration'],
  ['Spec', 'SecurityContext', 'RunAsUser'],
  ['Spec', 'Containers', 0, 'SecurityContext', 'RunAsUser'],
  ['Spec', 'Containers', 0, 'Resources', 'Requests'],
  ['Spec', 'Containers', 0, 'ReadinessProbe', 'HTTPGet', 'Port'],
  ['Spec', 'Containers', 0, 'LivenessProbe', 'TCPSocket'],
  ['Spec', 'Volumes', 0, 'EmptyDir'],
  ['Spec', 'Volumes', 0, 'ConfigMap', 'Name'],
  ['ObjectMeta', 'Annotations', 'missing'],
  ['ObjectMeta', 'GetName'],
  ['Values', 'global', 'proxy', 'resources'],
];

// A mesh and proxy configs that use what the chart's defaults leave out: oneofs, durations with nanos,
// wrappers at zero, enums, uint32, repeated messages, maps of messages.
const RICH_MESH = `
defaultConfig:
  discoveryAddress: istiod.istio-system.svc:15012
  drainDuration: 1.500s
  concurrency: 0
  tracing: {sampling: 12.5, maxPathTagLength: 99, zipkin: {address: "zipkin:9411"}, tlsSettings: {mode: SIMPLE, caCertificates: /etc/ca.pem}}
  proxyMetadata: {A: "1", B: ""}
  gatewayTopology: {numTrustedProxies: 2}
  proxyStatsMatcher: {inclusionPrefixes: [a, b]}
  readinessProbe: {httpGet: {path: /r, port: 15021}, periodSeconds: 3}
  fileFlushMinSizeKb: 64
  statsCompression: true
inboundTrafficPolicy: {mode: LOCALHOST}
outboundTrafficPolicy: {mode: REGISTRY_ONLY}
tcpKeepalive: {time: 10s, probes: 3}
enableAutoMtls: false
meshMTLS: {minProtocolVersion: TLSV1_3}
caCertificates: [{pem: x, trustDomains: [a]}]
localityLbSetting: {enabled: true, failover: [{from: a, to: b}]}
extensionProviders:
- name: otel
  opentelemetry: {service: otel.svc, port: 4317}
- name: als
  envoyOtelAls: {service: als.svc, port: 4317}
defaultProviders: {metrics: [prometheus], tracing: [otel]}
serviceSettings: [{settings: {clusterLocal: true}, hosts: ["*.local"]}]
enablePrometheusMerge: true
rootNamespace: istio-system
trustDomain: cluster.local
`;
const RICH_PROXY_CONFIGS = [
  { terminationDrainDuration: '0.000002s', interceptionMode: 'TPROXY', holdApplicationUntilProxyStarts: false, image: { imageType: 'distroless' } },
  {
    tracing: { datadog: { address: 'dd:8126' }, customTags: { env: { literal: { value: 'prod' } } } },
    runtimeValues: { k: 'v' },
    extraStatTags: ['x'],
  },
  { concurrency: 4, serviceCluster: 'svc', proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' }, statusPort: 15021 },
];

// where the rich configs keep their nested messages (breadth-first listing from the root stops above them)
const RICH_ROOTS: PathStep[][] = [
  ['MeshConfig', 'ExtensionProviders'],
  ['MeshConfig', 'DefaultConfig', 'Tracing'],
  ['MeshConfig', 'DefaultConfig', 'ReadinessProbe'],
  ['MeshConfig', 'TcpKeepalive'],
  ['MeshConfig', 'LocalityLbSetting'],
  ['MeshConfig', 'CaCertificates'],
  ['MeshConfig', 'ServiceSettings'],
  ['MeshConfig', 'DefaultProviders'],
  ['ProxyConfig', 'Tracing'],
  ['ProxyConfig', 'GetTracing', 'GetCustomTags'],
  ['ProxyConfig', 'ProxyStatsMatcher'],
];

function nativePod(p: Pod): Pod {
  return JSON.parse(JSON.stringify(p)) as Pod;
}

function fixturePods(): Array<{ pod: Pod; namespace: string }> {
  const dir = join(ISTIO_FIXTURES, 'inject');
  const out: Array<{ pod: Pod; namespace: string }> = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.yaml') && !n.endsWith('.iop.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const obj = doc.toJSON() as Record<string, unknown> | null;
      if (obj === null || typeof obj !== 'object' || !isInjectableKind(obj.kind)) continue;
      const meta = (obj.metadata ?? {}) as Record<string, unknown>;
      out.push({ pod: nativePod(podOf(obj)), namespace: String(meta.namespace ?? 'default') });
    }
  }
  return out;
}

interface Built {
  data: GoValue;
  probe: ProbeCase;
}

function build(settings: Settings, pod: Pod, namespace: string, scale = 1): Built | undefined {
  let prepared: ReturnType<typeof preparePod>;
  try {
    prepared = preparePod(pod, namespace, { settings, namespace }, []);
  } catch {
    return undefined; // a pod the pipeline refuses before templating (a bad annotation) has no template data
  }
  const workload = workloadOfPod(prepared.stripped, namespace);
  const { stripped, proxyConfig, nativeSidecars, holdProxy, network, interceptionMode } = prepared;
  const data = goTemplateData({ settings, pod: stripped, workload, proxyConfig, nativeSidecars, holdProxy, network, interceptionMode });
  const paths: PathStep[][] = [...FIXED, ...SCALARS.map((s) => [s])];
  for (const [root, max] of Object.entries(BUDGET)) paths.push(...collectPaths(data, [root], max * scale));
  if (scale > 1) for (const root of RICH_ROOTS) paths.push(...collectPaths(data, root, 80));
  const probe: ProbeCase = {
    pod: stripped,
    namespace,
    mesh: settings.mesh,
    proxyConfig,
    values: settings.values,
    revision: settings.summary.revision,
    nativeSidecars,
    paths,
  };
  return { data, probe };
}

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) ?? 'null');

/** What {{ v }} prints, where the data model knows (top-level plain values as the executor prints them). */
function printed(v: GoValue): string | undefined {
  if (v === undefined) return '<no value>';
  if (v instanceof GoTyped) return v.formatV();
  return formatNested(v);
}

type Tally = Record<string, number>;
// the value model keeps these as plain string and bigint (value.ts)
const NAMED = /^\w+\.\w+$/;
const SIZED_INT = /^int(8|16|32|64)$/;

function compare(data: GoValue, path: PathStep[], go: ProbeResult, tally: Tally, failures: string[]): void {
  const where = JSON.stringify(path);
  const bump = (k: string) => {
    tally[k] = (tally[k] ?? 0) + 1;
  };
  let v: GoValue;
  try {
    v = untaint(walk(data, path));
  } catch (e) {
    if (e instanceof UnsupportedMethodError) {
      bump('unsupported method (known)');
      return;
    }
    if (go.error === undefined) {
      failures.push(`${where}: ours failed (${(e as Error).message}), Go: ${go.type}`);
      return;
    }
    if (e instanceof NilPointerError && !go.error.endsWith((e as Error).message))
      failures.push(`${where}: ${(e as Error).message} vs Go ${go.error}`);
    if (!(e instanceof NilPointerError || e instanceof PathError)) failures.push(`${where}: unexpected ${(e as Error).stack}`);
    bump('errors alike');
    return;
  }
  if (go.error !== undefined) {
    failures.push(`${where}: Go failed (${go.error}), ours gave ${typeOf(v)}`);
    return;
  }
  bump('values');
  const ourType = typeOf(v);
  if (ourType !== go.type) {
    if (ourType === 'string' && NAMED.test(go.type)) bump('named string type shown as string (known)');
    else if (ourType === 'int' && SIZED_INT.test(go.type)) bump('sized int shown as int (known)');
    else failures.push(`${where}: %T ${ourType} vs Go ${go.type}`);
  }
  const isNil = v === undefined || v === null || (v instanceof GoTyped && v.isNil());
  if (isNil !== go.nil) failures.push(`${where}: nil ${isNil} vs Go ${go.nil}`);
  try {
    assert.deepStrictEqual(plain(jsonOf(v)), go.json ?? null);
    bump('json equal');
  } catch {
    failures.push(`${where}: json ${JSON.stringify(plain(jsonOf(v))).slice(0, 300)} vs Go ${JSON.stringify(go.json).slice(0, 300)}`);
  }
  if (go.protojson !== undefined) {
    const ours = hasProtoJSON(v) ? plain(v.protoJSONValue()) : '(none)';
    try {
      assert.deepStrictEqual(ours, go.protojson);
      bump('protojson equal');
    } catch {
      failures.push(`${where}: protojson ${JSON.stringify(ours).slice(0, 300)} vs Go ${JSON.stringify(go.protojson).slice(0, 300)}`);
    }
  }
  const text = printed(v);
  if (go.printed === undefined || text === undefined || go.printed.includes('0xc')) {
    bump('print not compared');
    return;
  }
  if (text === go.printed) bump('print equal');
  else failures.push(`${where}: prints ${JSON.stringify(text).slice(0, 200)} vs Go ${JSON.stringify(go.printed).slice(0, 200)}`);
}

describe('template data against Go (SidecarTemplateData)', function () {
  this.timeout(180_000);
  let binary = '';
  before(function () {
    if (!goAvailable()) this.skip();
    this.timeout(600_000); // a first build compiles Istio's dependencies; then it is cached in ~/.cache
    binary = gotypesBinary();
  });

  it('matches Go for every listed path of generated and Istio conformance pods', () => {
    const settings = istioTestSettings();
    const pods = [
      ...fixturePods(),
      ...fc.sample(podArb, { seed: 15, numRuns: ARBITRARY_PODS }).map((g) => ({ pod: g.pod as unknown as Pod, namespace: g.namespace })),
    ];
    const built = pods.flatMap(({ pod, namespace }) => build(settings, pod, namespace) ?? []);
    const meshFile = join(mkdtempSync(join(tmpdir(), 'gotypes-mesh-')), 'mesh.yaml');
    writeFileSync(meshFile, RICH_MESH);
    const rich = istioTestSettings({ meshFile });
    for (const pc of RICH_PROXY_CONFIGS) {
      const pod = nativePod({
        metadata: { name: 'rich', annotations: { 'proxy.istio.io/config': JSON.stringify(pc) } },
        spec: { containers: [{ name: 'app' }] },
      } as Pod);
      built.push(build(rich, pod, 'rich', 4)!);
    }
    const answers = probeGo(
      binary,
      built.map((b) => b.probe),
    );
    const tally: Tally = {};
    const failures: string[] = [];
    let paths = 0;
    for (const [i, b] of built.entries()) {
      const a = answers[i]!;
      assert.equal(a.error, undefined, `Go could not build case ${i}: ${a.error}`);
      for (const [j, p] of b.probe.paths.entries()) {
        paths++;
        compare(b.data, p, a.results![j]!, tally, failures);
      }
    }
    console.log(`      ${built.length} pods, ${paths} paths: ${JSON.stringify(tally)}`);
    // one line per kind of difference: paths differ only in indices and names between pods
    const kinds = [...new Set(failures.map((f) => f.replace(/\d+/g, 'N')))];
    assert.deepEqual(kinds.slice(0, 40), [], `${failures.length} differences`);
    assert.ok((tally['json equal'] ?? 0) > paths / 2, 'most paths reach a value');
  });

  it('keeps a nil pointer nil and answers its protobuf getters with zero values', () => {
    const settings = istioTestSettings();
    const { data } = build(settings, nativePod({ metadata: { name: 'p' }, spec: { containers: [{ name: 'app' }] } } as Pod), 'ns')!;
    const tls = untaint(walk(data, ['ProxyConfig', 'GetTracing', 'GetTlsSettings']));
    assert.ok(tls instanceof GoPointer && tls.isNil());
    assert.equal(untaint(walk(data, ['ProxyConfig', 'GetTracing', 'GetTlsSettings', 'GetCaCertificates'])), '');
    assert.throws(() => walk(data, ['Spec', 'SecurityContext', 'RunAsUser']), /nil pointer evaluating \*v1.PodSecurityContext.RunAsUser/);
  });
});
