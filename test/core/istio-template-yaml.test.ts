// Values Istio's injection template writes into its YAML without escaping them (unquoted, or between
// quotes): the strings istiod's YAML reads back, and the pods it refuses, checked against the oracle.
import assert from 'node:assert/strict';
import { container, inject, pod } from '../helpers/sidecar-pod.ts';

describe('sidecar template: log level arguments as istiod writes them (unquoted on istio-proxy)', () => {
  it('drops a trailing comment or blanks on istio-proxy, and keeps them in the quoted istio-init argument', () => {
    const out = inject(pod({ 'sidecar.istio.io/agentLogLevel': 'debug #x', 'sidecar.istio.io/componentLogLevel': 'misc:error \t' }));
    const proxyArgs = container(out, 'istio-proxy')!.args!;
    assert.ok(proxyArgs.includes('--log_output_level=debug'));
    assert.ok(proxyArgs.includes('--proxyComponentLogLevel=misc:error'));
    assert.ok(container(out, 'istio-init')!.args!.includes('--log_output_level=debug #x'));
  });

  it('refuses a value that would make istiod write a map or break the line, naming the annotation', () => {
    for (const [annotation, value] of [
      ['sidecar.istio.io/logLevel', 'a: b'],
      ['sidecar.istio.io/componentLogLevel', 'misc:'],
      ['sidecar.istio.io/agentLogLevel', 'x\ny'],
    ]) {
      assert.throws(
        () => inject(pod({ [annotation!]: value! })),
        (e: Error & { code?: string }) => e.code === 'TEMPLATE_RENDER' && e.message.includes(annotation!),
      );
    }
  });
});

describe('sidecar template: what istiod reads past a value that ends its line or its quotes', () => {
  it('drops line breaks after an unquoted value, and a quote-then-comment cuts the quoted one (as istiod)', () => {
    assert.ok(container(inject(pod({ 'sidecar.istio.io/agentLogLevel': 'debug\n' })), 'istio-proxy')!.args!.includes('--log_output_level=debug'));
    const init = container(inject(pod({ 'sidecar.istio.io/agentLogLevel': 'x" #y' })), 'istio-init')!.args!;
    assert.ok(init.includes('--log_output_level=x'), init.join(' '));
  });

  it('refuses a container name that istiod would read as null (it would add a nameless container)', () => {
    const p = pod({ 'inject.istio.io/templates': 'grpc-simple' });
    p.spec.containers[0]!.name = 'null';
    assert.throws(
      () => inject(p),
      (e: Error & { code?: string }) => e.code === 'TEMPLATE_UNSAFE_VALUE' && /pod spec\.containers/.test(e.message) && /null/.test(e.message),
    );
  });
});

describe('sidecar template: values Istio writes between double quotes, as its YAML reads them', () => {
  const metadata = (value: string) => pod({ 'proxy.istio.io/config': JSON.stringify({ proxyMetadata: { FOO: value } }) });

  it('interprets backslash escapes and folds line breaks in proxyMetadata env, on istio-init and istio-proxy', () => {
    const out = inject(metadata('a\\tb\\x41 \n\n  c'));
    for (const name of ['istio-init', 'istio-proxy']) {
      assert.equal(container(out, name)!.env!.find((e) => e.name === 'FOO')!.value, 'a\tbA\nc');
    }
    assert.ok(container(inject(pod({ 'sidecar.istio.io/agentLogLevel': 'x\\ty' })), 'istio-init')!.args!.includes('--log_output_level=x\ty'));
  });

  it('keeps a single quote inside a double-quoted value (it only escapes itself between single quotes)', () => {
    const args = container(inject(pod({ 'sidecar.istio.io/agentLogLevel': "t8J'+7g" })), 'istio-init')!.args!;
    assert.ok(args.includes("--log_output_level=t8J'+7g"), args.join(' '));
  });

  it("reads the Multus networks annotation as Istio's single-quoted value: '' is a quote, a lone ' refuses the pod", () => {
    const multus = (value: string) => inject(pod({ 'k8s.v1.cni.cncf.io/networks': value }), ['values.pilot.cni.provider=multus'], 'cni');
    assert.equal(multus("a''b").metadata.annotations!['k8s.v1.cni.cncf.io/networks'], "a'b, default/istio-cni");
    assert.throws(
      () => multus("a'b"),
      (e: Error & { code?: string }) => e.code === 'TEMPLATE_RENDER' && e.message.includes('k8s.v1.cni.cncf.io/networks'),
    );
  });

  it('refuses a value with a quote, an unknown escape or a trailing backslash, as istiod does', () => {
    for (const value of ['a"b', 'a\\/b', 'a\\']) {
      assert.throws(
        () => inject(metadata(value)),
        (e: Error & { code?: string }) => e.code === 'TEMPLATE_RENDER' && /proxyMetadata/.test(e.message),
      );
    }
  });
});

describe('sidecar template: the bootstrap override ConfigMap name, unquoted in Istio', () => {
  const name = (value: string) =>
    (
      inject(pod({ 'sidecar.istio.io/bootstrapOverride': value })).spec.volumes!.find((v) => v.name === 'custom-bootstrap-volume')!.configMap as {
        name: string;
      }
    ).name;

  it('refuses, naming the annotation, what is no ConfigMap name (istiod would read a comment, quotes or an anchor out of it)', () => {
    for (const value of ['cm #1', ' cm ', "'a''b' #c", '&a b', '!x 123', '#x']) {
      assert.throws(
        () => name(value),
        (e: Error & { code?: string }) =>
          e.code === 'INVALID_ANNOTATION' && /'sidecar\.istio\.io\/bootstrapOverride': not a ConfigMap name/.test(e.message),
        value,
      );
    }
  });

  it('reads "null" as istiod does: no name', () => {
    assert.equal(name('null'), undefined);
  });

  it('refuses a name istiod reads as a bool, a number or a map, naming the annotation', () => {
    // valid ConfigMap names that istiod's YAML reads as a bool or a number: its render fails, so does ours
    for (const value of ['yes', '123', '0x1f']) {
      assert.throws(
        () => name(value),
        (e: Error & { code?: string }) => e.code === 'TEMPLATE_RENDER' && e.message.includes('sidecar.istio.io/bootstrapOverride'),
      );
    }
  });
});

describe('sidecar template: readiness probe numbers as Istio writes them', () => {
  it('reads a readiness annotation with a leading 0 as YAML 1.1 does (istiod: "010" is 8, "09" is 9)', () => {
    const probe = inject(
      pod({
        'readiness.status.sidecar.istio.io/initialDelaySeconds': '010',
        'readiness.status.sidecar.istio.io/periodSeconds': '09',
        'readiness.status.sidecar.istio.io/failureThreshold': '0777',
      }),
    );
    const rp = container(probe, 'istio-proxy')!.readinessProbe as Record<string, unknown>;
    assert.deepEqual([rp.initialDelaySeconds, rp.periodSeconds, rp.failureThreshold], [8, 9, 511]);
  });
});
