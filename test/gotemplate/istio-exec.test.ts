// Istio's own templates executed by ours and by Go's text/template, side by side. The functions (sprig's,
// Istio's) are stand-ins on both sides (each returns its last argument) and the data is plain JSON shaped
// like Istio's template data, so this checks the language on Istio's real text, not the injection result.
import assert from 'node:assert/strict';
import { type ExecRequest, GoExecOracle, execOurs } from './exec-oracle.ts';
import { goAvailable } from './go-parse-oracle.ts';
import { type IstioConfig, calledFunctions, istiodOracleBinary, renderIstioConfig } from './istio-config.ts';

// a Go int in the data (see typedInts)
const int = (n: number): { $int: string } => ({ $int: String(n) });
// functions whose result the templates compare with strings
const STRING_RESULTS = new Set(['annotation', 'valueOrDefault']);

function templateData(config: IstioConfig, annotations: Record<string, string>): unknown {
  const defaultConfig = (config.mesh.defaultConfig ?? {}) as Record<string, unknown>;
  return {
    TypeMeta: { Kind: 'Pod', APIVersion: 'v1' },
    DeploymentMeta: { Name: 'app', Namespace: 'default' },
    ObjectMeta: { Name: 'app-1', Namespace: 'default', Annotations: annotations, Labels: { app: 'app', version: 'v1' } },
    Spec: {
      Containers: [{ Name: 'app', Image: 'nginx', Ports: [{ ContainerPort: int(8080), Protocol: 'TCP' }] }],
      InitContainers: [],
      ServiceAccountName: 'default',
    },
    ProxyConfig: {
      DiscoveryAddress: defaultConfig.discoveryAddress,
      ProxyMetadata: {},
      InterceptionMode: { String: 'REDIRECT' },
      HoldApplicationUntilProxyStarts: { GetValue: false },
    },
    MeshConfig: { TrustDomain: 'cluster.local', ProxyListenPort: int(15001), ProxyInboundListenPort: int(15006), DefaultConfig: defaultConfig },
    Values: config.values,
    Revision: 'default',
    ProxyImage: 'docker.io/istio/proxyv2:1.30',
    ProxyInitImage: 'docker.io/istio/proxyv2:1.30',
    NativeSidecars: false,
    ProxyUID: int(1337),
    ProxyGID: int(1337),
    CompliancePolicy: '',
    InboundTrafficPolicyMode: '',
    Name: 'gw',
    Namespace: 'default',
    DeploymentName: 'gw',
    ServiceAccount: 'gw',
    UID: 'uid',
    GatewayClass: 'istio-waypoint',
    GatewayNameLabel: 'gw',
    InfrastructureLabels: {},
    InfrastructureAnnotations: {},
    Ports: [{ Name: 'mesh', Port: int(15008) }],
    ServiceType: 'ClusterIP',
    ClusterID: 'Kubernetes',
    KubeVersion: int(30),
    ControllerLabel: 'istio.io-gateway-controller',
  };
}

function stubs(name: string, text: string): { stubs: string[]; stringStubs: string[] } {
  const called = calledFunctions(name, text);
  return { stubs: called.filter((f) => !STRING_RESULTS.has(f)), stringStubs: called.filter((f) => STRING_RESULTS.has(f)) };
}

describe("Istio's Go templates: ours execute them as Go does (stand-in functions)", function () {
  this.timeout(120_000);
  let oracle: GoExecOracle | undefined;
  let config: IstioConfig;
  before(function () {
    if (!goAvailable() || istiodOracleBinary === undefined) {
      console.log('    skipped: needs `go` and the istiod oracle binary (test/oracle)');
      this.skip();
    }
    oracle = new GoExecOracle();
    config = renderIstioConfig(istiodOracleBinary as string);
  });
  after(() => oracle?.close());

  it('gives the same output or the same error for every template Istio ships', () => {
    const annotationSets: Record<string, string>[] = [
      {},
      { 'sidecar.istio.io/interceptionMode': 'TPROXY', 'proxy.istio.io/config': '{}', 'sidecar.istio.io/proxyCPU': '1' },
    ];
    const requests: ExecRequest[] = Object.entries(config.templates).flatMap(([name, text]) =>
      annotationSets.map((annotations) => ({ name, text, exec: name, data: templateData(config, annotations), ...stubs(name, text) })),
    );
    const theirs = (oracle as GoExecOracle).exec(requests);
    const summary = requests.map((r, i) => {
      const go = theirs[i];
      assert.deepEqual(execOurs(r), go, r.name);
      return `${r.name}: ${go?.ok ? `${go.output.length} chars` : go?.error}`;
    });
    console.log(`    ${summary.join(', ')}`);
    assert.ok(Object.keys(config.templates).length >= 8);
  });
});
