import assert from 'node:assert/strict';
import { validateAnnotations } from '../../src/core/annotations.ts';
import { InjectionError } from '../../src/core/errors.ts';

function rejects(name: string, value: string, why?: RegExp): void {
  assert.throws(
    () => validateAnnotations({ [name]: value }),
    (e: unknown) => {
      assert.ok(e instanceof InjectionError);
      assert.equal(e.code, 'INVALID_ANNOTATION');
      assert.equal(e.subject, name);
      assert.ok(e.message.includes(`for annotation '${name}'`), e.message);
      if (why) assert.match(e.message, why);
      return true;
    },
  );
}

const accepts = (name: string, value: string) => assert.doesNotThrow(() => validateAnnotations({ [name]: value }), `${name}=${value}`);

describe('annotation validation: every annotation Istio validates, with its name in the error', () => {
  const table: Array<[string, string[], string[]]> = [
    ['sidecar.istio.io/interceptionMode', ['REDIRECT', 'TPROXY', 'NONE'], ['redirect', 'DROP', '']],
    ['status.sidecar.istio.io/port', ['0', '15020', '65535'], ['-1', '65536', 'http', '']],
    ['readiness.status.sidecar.istio.io/initialDelaySeconds', ['0', '100'], ['-1', '1.5', 'x']],
    ['readiness.status.sidecar.istio.io/periodSeconds', ['200', '2147483647'], ['4294967296', '2147483648']],
    ['readiness.status.sidecar.istio.io/failureThreshold', ['300'], ['ten']],
    [
      'traffic.sidecar.istio.io/includeOutboundIPRanges',
      ['*', '', '10.0.0.0/8,127.0.0.1/24', 'fd00::/8'],
      ['bad', '10.0.0.0', '10.0.0.0/33', '*,10.0.0.0/8'],
    ],
    ['traffic.sidecar.istio.io/excludeOutboundIPRanges', ['', '10.96.0.2/24'], ['*', '300.0.0.0/8']],
    ['traffic.sidecar.istio.io/includeInboundPorts', ['*', '', '1,2,3', ' 80 , 443 '], ['http', '0', '70000', ',', '80,']],
    ['traffic.sidecar.istio.io/excludeInboundPorts', ['', '4,5,6'], ['*', '4;5']],
    ['traffic.sidecar.istio.io/excludeOutboundPorts', ['7,8,9'], ['*', 'x']],
    ['traffic.sidecar.istio.io/includeOutboundPorts', ['443'], ['*']],
    [
      'traffic.sidecar.istio.io/excludeInterfaces',
      ['eth1,net-2', '', 'eth1, eth2'],
      ['eth 1', 'a/b', 'averyveryverylongname', ' ', 'eth1,', '1eth', 'eth@1'],
    ],
    ['traffic.sidecar.istio.io/kubevirtInterfaces', ['net1'], ['n;1']],
    ['istio.io/reroute-virtual-interfaces', ['eth1,eth2'], ['eth1\neth2']],
    ['prometheus.istio.io/merge-metrics', ['true', 'false', '1', 'F'], ['yes', '']],
    // as apimachinery's ParseQuantity reads them: `T` is 0 tera, `1.G` one giga; no spaces
    ['sidecar.istio.io/proxyCPU', ['100m', '2', '0.5', 'T', '1.G', '+2', '1e-3'], ['lots', '100m\n', '1x', ' 100m', 'e', '1ki', '12e+']],
    ['sidecar.istio.io/proxyMemory', ['128Mi', '1Gi', '1e3'], ['128MB']],
    ['sidecar.istio.io/bootstrapOverride', ['my-bootstrap', 'a.b-c', ''], [' ', '#', '"d#', 'Upper', '-x', 'a_b']],
    ['sidecar.istio.io/proxyImageType', ['distroless', 'debug', 'default', ''], ['"', 'a b', '"#gif & ,#', '-x', 'x:y']],
    ['sidecar.istio.io/proxyCPULimit', ['4000m', '-'], ['--']],
    ['sidecar.istio.io/proxyMemoryLimit', ['2Gi'], ['2 Gi']],
    [
      'proxy.istio.io/config',
      ['concurrency: 2', '{ "holdApplicationUntilProxyStarts": true }', 'proxyMetadata:\n  A: b'],
      ['concurrency: lots', "&9cY'%", 'holdApplicationUntilProxyStarts: maybe', 'proxyMetadata: [1]', 'interceptionMode: SOMETIMES', '{unclosed'],
    ],
  ];
  for (const [name, good, bad] of table) {
    it(`${name}: accepts ${good.map((v) => JSON.stringify(v)).join(' ')} and rejects ${bad.map((v) => JSON.stringify(v)).join(' ')}`, () => {
      for (const v of good) accepts(name, v);
      for (const v of bad) rejects(name, v);
    });
  }

  it("uses the parameter names Istio's messages carry (includeIPRanges, excludeInboundPorts)", () => {
    rejects('traffic.sidecar.istio.io/includeOutboundIPRanges', 'bad', /includeIPRanges invalid/);
    rejects('traffic.sidecar.istio.io/excludeInboundPorts', '*', /excludeInboundPorts invalid/);
  });

  it("refuses a readiness value above a probe's int32 field by name, where istiod's render fails", () => {
    rejects('readiness.status.sidecar.istio.io/periodSeconds', '4294967295', /int32 field/);
  });

  it('reports every bad annotation at once', () => {
    assert.throws(
      () => validateAnnotations({ 'sidecar.istio.io/proxyCPU': 'x', 'sidecar.istio.io/interceptionMode': 'y' }),
      (e: Error) => {
        assert.match(e.message, /proxyCPU/);
        assert.match(e.message, /interceptionMode/);
        return true;
      },
    );
  });

  it('leaves annotations it does not validate alone', () => {
    accepts('sidecar.istio.io/logLevel', 'anything "at" all\n');
    accepts('example.com/whatever', '{');
  });
});
