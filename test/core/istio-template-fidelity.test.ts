// Settings and annotations where the sidecar template once differed from Istio's injection-template.yaml
// (at the oracle's version): what istio-init / istio-validation / istio-proxy get must be what istiod
// writes. Istio's own goldens cover the rest (test/conformance).
import assert from 'node:assert/strict';
import { readTemplatesDir } from '../../src/config/files.ts';
import { injectPod } from '../../src/core/inject.ts';
import { buildSettings } from '../../src/core/settings/index.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';

import { captureName, container, envOf, inject, MODES, type Mode, mountOf, pod } from '../helpers/sidecar-pod.ts';

describe('sidecar template: the capture init container gets what Istio gives it', () => {
  for (const mode of MODES) {
    it(`${mode}: sidecar.istio.io/agentLogLevel sets ${captureName(mode)}'s --log_output_level, as istio-proxy's`, () => {
      const out = inject(pod({ 'sidecar.istio.io/agentLogLevel': 'all:debug' }), [], mode);
      assert.ok(container(out, captureName(mode))!.args!.includes('--log_output_level=all:debug'));
      assert.ok(!container(out, captureName(mode))!.args!.includes('--log_output_level=default:info'));
      assert.ok(container(out, 'istio-proxy')!.args!.includes('--log_output_level=all:debug'));
    });

    it(`${mode}: values.global.proxy.seccompProfile reaches ${captureName(mode)} as well as istio-proxy`, () => {
      const out = inject(pod(), ['values.global.proxy.seccompProfile.type=RuntimeDefault'], mode);
      assert.deepEqual(container(out, captureName(mode))!.securityContext!.seccompProfile, { type: 'RuntimeDefault' });
      assert.deepEqual(container(out, 'istio-proxy')!.securityContext!.seccompProfile, { type: 'RuntimeDefault' });
    });
  }

  it('capture-native: its istio-init takes the agent log level and keeps the seccomp profile', () => {
    const p = pod({ 'inject.istio.io/templates': 'sidecar,capture-native', 'sidecar.istio.io/agentLogLevel': 'all:warn' });
    const init = container(inject(p, ['values.global.proxy.seccompProfile.type=RuntimeDefault']), 'istio-init')!;
    assert.deepEqual(init.command, ['sidecar-injector', 'iptables']);
    assert.ok(init.args!.includes('--log_output_level=all:warn'));
    assert.deepEqual(init.securityContext!.seccompProfile, { type: 'RuntimeDefault' });
  });

  it("takes the proxy's resources, never values.global.proxy_init.resources (Istio's template does not read it)", () => {
    const out = inject(pod({ 'sidecar.istio.io/proxyCPU': '300m' }), ['values.global.proxy_init.resources.requests.cpu=5']);
    assert.deepEqual(container(out, 'istio-init')!.resources, { requests: { cpu: '300m' } });
  });

  it('passes -k and -c whenever the annotation is set, even empty, and reroute-virtual-interfaces before kubevirtInterfaces', () => {
    const out = inject(
      pod({
        'istio.io/reroute-virtual-interfaces': '',
        'traffic.sidecar.istio.io/kubevirtInterfaces': 'net1',
        'traffic.sidecar.istio.io/excludeInterfaces': '',
      }),
    );
    const args = container(out, 'istio-init')!.args!;
    assert.equal(args[args.indexOf('-k') + 1], '');
    assert.equal(args[args.indexOf('-c') + 1], '');
  });

  it("adds the status port to excludeInboundPorts as Istio's excludeInboundPort does: items trimmed, an exact match kept", () => {
    const excluded = (value: string, mode: Mode = 'classic') => {
      const out = inject(pod({ 'traffic.sidecar.istio.io/excludeInboundPorts': value }), [], mode);
      const args = container(out, captureName(mode))!.args!;
      return [args[args.indexOf('-d') + 1], out.metadata.annotations!['traffic.sidecar.istio.io/excludeInboundPorts']];
    };
    assert.deepEqual(excluded('80, 443'), ['15090,15021,80,443,15020', '80, 443']);
    assert.deepEqual(excluded('80,15020'), ['15090,15021,80,15020', '80,15020']);
    assert.deepEqual(excluded('80, 443', 'cni'), ['15090,15021,80,443,15020', '80,443,15020']);
  });

  it('with CNI, annotates kubevirtInterfaces under its own name, not as istio.io/reroute-virtual-interfaces', () => {
    const out = inject(pod({ 'traffic.sidecar.istio.io/kubevirtInterfaces': 'net1' }), [], 'cni');
    assert.equal(out.metadata.annotations!['istio.io/reroute-virtual-interfaces'], undefined);
    assert.equal(out.metadata.annotations!['traffic.sidecar.istio.io/kubevirtInterfaces'], 'net1');
  });
});

describe('sidecar template: enableCoreDump does nothing (Istio removed enable-core-dump in 1.24)', () => {
  for (const mode of MODES) {
    it(`${mode}: no privileged init container, and the pod is the one injected without the setting`, () => {
      const withDump = inject(pod(), ['values.global.proxy.enableCoreDump=true'], mode);
      assert.deepEqual(
        (withDump.spec.initContainers ?? []).filter((c) => c.securityContext?.privileged === true).map((c) => c.name),
        [],
      );
      assert.equal(container(withDump, 'enable-core-dump'), undefined);
      assert.deepEqual(withDump, inject(pod(), [], mode));
    });
  }
});

describe('sidecar template: image types', () => {
  const IMAGE = 'docker.io/istio/proxyv2:1.28.0';
  const sources: Array<[string, Record<string, string>, string[]]> = [
    ['mesh defaultConfig', {}, ['mesh.defaultConfig.image.imageType=distroless']],
    ['proxy.istio.io/config', { 'proxy.istio.io/config': '{"image": {"imageType": "distroless"}}' }, []],
  ];
  for (const [source, annotations, sets] of sources) {
    for (const mode of MODES) {
      it(`${mode}: a ProxyConfig image.imageType from ${source} changes istio-proxy's image only`, () => {
        const out = inject(pod(annotations), sets, mode);
        assert.equal(container(out, 'istio-proxy')!.image, `${IMAGE}-distroless`);
        assert.equal(container(out, captureName(mode))!.image, IMAGE);
      });
    }
  }

  it('sidecar.istio.io/proxyImageType changes both images, and given empty it wins over the variant', () => {
    const typed = inject(pod({ 'sidecar.istio.io/proxyImageType': 'debug' }));
    assert.equal(container(typed, 'istio-proxy')!.image, `${IMAGE}-debug`);
    assert.equal(container(typed, 'istio-init')!.image, `${IMAGE}-debug`);
    const empty = inject(pod({ 'sidecar.istio.io/proxyImageType': '' }), ['values.global.variant=distroless']);
    assert.equal(container(empty, 'istio-proxy')!.image, IMAGE);
    assert.equal(container(empty, 'istio-init')!.image, IMAGE);
  });

  it('a values image name with a slash is used as it is, unless sidecar.istio.io/proxyImage names one', () => {
    const out = inject(pod(), ['values.global.proxy_init.image=example.com/init:1']);
    assert.equal(container(out, 'istio-init')!.image, 'example.com/init:1');
    assert.equal(container(out, 'istio-proxy')!.image, IMAGE);
    const annotated = inject(pod({ 'sidecar.istio.io/proxyImage': 'example.com/proxy:2' }), ['values.global.proxy_init.image=example.com/init:1']);
    assert.equal(container(annotated, 'istio-init')!.image, 'example.com/proxy:2');
  });
});

describe('sidecar template: proxy env Istio sets', () => {
  it('COMPLIANCE_POLICY from values.pilot.env (istiod env in Istio), GODEBUG only for fips-140-3', () => {
    assert.equal(envOf(inject(pod())).COMPLIANCE_POLICY, undefined);
    const fips2 = envOf(inject(pod(), ['values.pilot.env.COMPLIANCE_POLICY=fips-140-2']));
    assert.equal(fips2.COMPLIANCE_POLICY, 'fips-140-2');
    assert.equal(fips2.GODEBUG, undefined);
    const fips3 = envOf(inject(pod(), ['values.pilot.env.COMPLIANCE_POLICY=fips-140-3'], 'native'));
    assert.equal(fips3.COMPLIANCE_POLICY, 'fips-140-3');
    assert.equal(fips3.GODEBUG, 'fips140=only');
    assert.equal(container(inject(pod(), ['values.pilot.env.COMPLIANCE_POLICY=fips-140-3']), 'istio-init')!.env, undefined);
  });

  const otelMesh = (enrichment: string) =>
    `extensionProviders:\n- name: otel\n  opentelemetry:\n    service: otel.o.svc\n    port: 4317\n    serviceAttributeEnrichment: ${enrichment}\n`;
  const otelOf = (p: Pod, enrichment = 'OTEL_SEMANTIC_CONVENTIONS') => {
    const settings = buildSettings({ templates: readTemplatesDir(), mesh: otelMesh(enrichment), nativeSidecars: 'false' });
    return envOf(injectPod(p, { settings, namespace: 'shop' }).pod).OTEL_RESOURCE_ATTRIBUTES;
  };

  it('OTEL_RESOURCE_ATTRIBUTES only with an OpenTelemetry provider asking for OTEL_SEMANTIC_CONVENTIONS', () => {
    assert.equal(envOf(inject(pod())).OTEL_RESOURCE_ATTRIBUTES, undefined);
    assert.equal(otelOf(pod(), 'NONE'), undefined);
    assert.equal(otelOf(pod()), 'service.namespace=shop,service.version=1,service.instance.id=shop.$(POD_NAME).web');
    assert.equal(otelOf(pod(), '1'), 'service.namespace=shop,service.version=1,service.instance.id=shop.$(POD_NAME).web');
  });

  it('OTEL_RESOURCE_ATTRIBUTES: annotations win, then the version label, then the one image tag and digest', () => {
    const annotated = pod({
      'resource.opentelemetry.io/service.namespace': 'ns2',
      'resource.opentelemetry.io/service.version': 'v9',
      'resource.opentelemetry.io/service.instance.id': 'id7',
    });
    assert.equal(otelOf(annotated), 'service.namespace=ns2,service.version=v9,service.instance.id=id7');
    const labelled = pod();
    labelled.metadata.labels = { 'app.kubernetes.io/version': 'v1.2.3' };
    assert.equal(otelOf(labelled), 'service.namespace=shop,service.version=v1.2.3,service.instance.id=shop.$(POD_NAME).web');
    const digest = pod({}, [{ name: 'web', image: 'registry:5000/web:1.21@sha256:abc' }]);
    assert.equal(otelOf(digest), 'service.namespace=shop,service.version=1.21@sha256:abc,service.instance.id=shop.$(POD_NAME).web');
    const untagged = pod({}, [{ name: 'web', image: 'registry:5000/web' }]);
    assert.equal(otelOf(untagged), 'service.namespace=shop,service.instance.id=shop.$(POD_NAME).web');
    const two = pod({}, [
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:2' },
    ]);
    assert.equal(otelOf(two), 'service.namespace=shop,service.instance.id=shop.$(POD_NAME).a');
  });

  it('the trust domain falls back to values.global.trustDomain, and a workload-name label alone names the workload', () => {
    const settings = buildSettings({
      templates: readTemplatesDir(),
      mesh: 'trustDomain: ""\n',
      sets: ['values.global.trustDomain=example.org'],
      nativeSidecars: 'false',
    });
    // no name yet and no controller: Istio's workload name is empty, and the label alone names it
    const p: Pod = { ...pod(), metadata: { generateName: 'web-', namespace: 'shop', labels: { 'service.istio.io/workload-name': 'wl' } } };
    const env = envOf(injectPod(p, { settings, namespace: 'shop' }).pod);
    assert.equal(env.TRUST_DOMAIN, 'example.org');
    assert.equal(env.ISTIO_META_MESH_ID, 'example.org');
    assert.equal(env.ISTIO_META_WORKLOAD_NAME, 'wl');
    assert.equal(env.ISTIO_META_OWNER, undefined);
  });

  it('datadog: the apm.datadoghq.com/env map becomes env, sorted by name, only with the datadog tracer', () => {
    const p = pod({ 'apm.datadoghq.com/env': '{"DD_VERSION": "2", "DD_ENV": "prod"}' });
    assert.equal(envOf(inject(p)).DD_ENV, undefined);
    const env = container(inject(p, ['values.global.proxy.tracer=datadog']), 'istio-proxy')!.env!.map((e) => e.name);
    assert.deepEqual(
      env.filter((n) => n.startsWith('DD_')),
      ['DD_ENV', 'DD_VERSION'],
    );
  });

  it('datadog: an apm.datadoghq.com/env that is not a JSON map refuses the pod naming the annotation, as istiod refuses it', () => {
    const settings = defaultSettings({ native: 'false', sets: ['values.global.proxy.tracer=datadog'] });
    for (const value of ['not json', '["a"]', '3']) {
      assert.throws(
        () => injectPod(pod({ 'apm.datadoghq.com/env': value }), { settings, namespace: 'shop' }),
        (e: Error & { code?: string }) => e.code === 'TEMPLATE_RENDER' && /annotation apm\.datadoghq\.com\/env is not/.test(e.message),
      );
    }
    assert.ok(injectPod(pod({ 'apm.datadoghq.com/env': 'null' }), { settings, namespace: 'shop' }).pod);
  });
});

describe('sidecar template: security context and volumes Istio sets', () => {
  it('IPTABLES_TRACE_LOGGING=true in proxyMetadata runs istio-proxy privileged as root with NET_ADMIN', () => {
    const out = inject(pod({ 'proxy.istio.io/config': '{"proxyMetadata": {"IPTABLES_TRACE_LOGGING": "true"}}' }));
    const sc = container(out, 'istio-proxy')!.securityContext!;
    assert.equal(sc.privileged, true);
    assert.equal(sc.runAsUser, 0);
    assert.deepEqual(sc.capabilities, { add: ['NET_ADMIN'], drop: ['ALL'] });
  });

  it('istio-ca-crl is a volume whatever the cert provider; ENABLE_CLUSTER_TRUST_BUNDLE_API takes the CA from a ClusterTrustBundle', () => {
    const other = inject(pod(), ['values.global.pilotCertProvider=kubernetes']);
    assert.deepEqual(
      (other.spec.volumes ?? []).filter((v) => v.name.startsWith('istio') && v.name.includes('ca')).map((v) => v.name),
      ['istio-ca-crl'],
    );
    const bundle = inject(pod(), ['values.pilot.env.ENABLE_CLUSTER_TRUST_BUNDLE_API=true']);
    const ca = bundle.spec.volumes!.find((v) => v.name === 'istiod-ca-cert')!;
    assert.deepEqual(ca.projected, { sources: [{ clusterTrustBundle: { name: 'istio.io:istiod-ca:root-cert', path: 'root-cert.pem' } }] });
  });

  it('lightstep with tracing TLS settings mounts the CA certificate directory', () => {
    const p = pod({ 'proxy.istio.io/config': '{"tracing": {"tlsSettings": {"caCertificates": "/etc/ls/ca.pem"}}}' });
    const out = inject(p, ['values.global.proxy.tracer=lightstep']);
    assert.deepEqual(mountOf(out, 'lightstep-certs'), { name: 'lightstep-certs', mountPath: '/etc/ls/', readOnly: true });
    assert.deepEqual(out.spec.volumes!.find((v) => v.name === 'lightstep-certs')!.secret, { optional: true, secretName: 'lightstep.cacert' });
    assert.equal(mountOf(inject(p), 'lightstep-certs'), undefined);
  });
});
