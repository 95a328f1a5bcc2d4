// The capture-native template: `inject.istio.io/templates: sidecar,capture-native` gives istio-init our
// command with the same capture settings Istio's istio-init would get, through the real injection core.
import assert from 'node:assert/strict';
import { captureOfPod, captureSettingsForPod } from '../../src/capture/pod.ts';
import { parseCaptureArgs } from '../../src/capture/parse-args.ts';
import { injectPod } from '../../src/core/inject.ts';
import type { Pod } from '../../src/core/types.ts';
import { defaultSettings } from '../helpers/settings.ts';
import { CAPTURE_NATIVE_SECURITY_CONTEXT } from './helpers.ts';

type Container = {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  securityContext?: unknown;
};

function pod(annotations: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', annotations },
    spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }] }] },
  };
}

function inject(templates: string, annotations: Record<string, string> = {}, opts: { native?: 'true' | 'false'; sets?: string[] } = {}): Pod {
  const settings = defaultSettings({ native: opts.native ?? 'true', sets: opts.sets ?? [] });
  const r = injectPod(pod({ ...annotations, 'inject.istio.io/templates': templates }), { settings, namespace: 'shop' });
  assert.ok(r.decision.inject);
  return r.pod;
}

const initOf = (p: Pod, name = 'istio-init'): Container | undefined =>
  ((p.spec as { initContainers?: Container[] }).initContainers ?? []).find((c) => c.name === name);

/** Pod annotations (and settings) that change istio-init's arguments. */
const VARIANTS: Array<[string, Record<string, string>, string[]?]> = [
  ['defaults', {}],
  ['excluded inbound ports', { 'traffic.sidecar.istio.io/excludeInboundPorts': '8081,9090' }],
  ['only some inbound ports', { 'traffic.sidecar.istio.io/includeInboundPorts': '8080,8443' }],
  [
    'outbound CIDRs',
    {
      'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.96.0.0/12,fd00::/8',
      'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.10/32',
    },
  ],
  ['outbound ports', { 'traffic.sidecar.istio.io/includeOutboundPorts': '3306', 'traffic.sidecar.istio.io/excludeOutboundPorts': '25,587' }],
  ['TPROXY', { 'sidecar.istio.io/interceptionMode': 'TPROXY' }],
  ['interfaces', { 'istio.io/reroute-virtual-interfaces': 'net1', 'traffic.sidecar.istio.io/excludeInterfaces': 'eth9' }],
  ['status port', { 'status.sidecar.istio.io/port': '15999' }],
  ['DNS capture through proxy metadata', { 'proxy.istio.io/config': '{"proxyMetadata":{"ISTIO_META_DNS_CAPTURE":"true"}}' }],
  [
    'JSON logs and forced apply',
    {},
    ['values.global.logAsJson=true', 'values.global.proxy_init.forceApplyIptables=true', 'values.global.logging.level=default:debug'],
  ],
];

describe('capture-native template: istio-init runs sidecar-injector iptables', () => {
  it("replaces the sidecar template's istio-init: our command, Istio's arguments without the pilot-agent word, hardened", () => {
    for (const native of ['true', 'false'] as const) {
      const ours = inject('sidecar,capture-native', {}, { native });
      const theirs = inject('sidecar', {}, { native });
      const init = initOf(ours) as Container;
      const istio = initOf(theirs) as Container;
      assert.equal((ours.spec as { initContainers: Container[] }).initContainers.filter((c) => c.name === 'istio-init').length, 1, 'one istio-init');
      assert.equal(init.image, 'sidecar-injector:0.1.0', 'the injector image (values.sidecarInjector.image), which has the command');
      assert.deepEqual(init.command, ['sidecar-injector', 'iptables']);
      assert.deepEqual(init.args, (istio.args as string[]).slice(1));
      assert.equal(istio.args?.[0], 'istio-iptables');
      assert.deepEqual(init.securityContext, CAPTURE_NATIVE_SECURITY_CONTEXT);
      assert.deepEqual(
        (init as { resources?: unknown }).resources,
        (istio as { resources?: unknown }).resources,
        'resources as the sidecar template set them',
      );
    }
  });

  it('leaves the rest of the pod exactly as the sidecar template alone makes it', () => {
    const strip = (p: Pod): unknown => {
      const c = structuredClone(p) as Pod & { spec: { initContainers: Container[] } };
      c.spec.initContainers = c.spec.initContainers.filter((x) => x.name !== 'istio-init');
      delete c.metadata.annotations?.['inject.istio.io/templates'];
      return c;
    };
    assert.deepEqual(strip(inject('sidecar,capture-native')), strip(inject('sidecar')));
  });

  describe("gives the same capture settings as Istio's istio-init for the same pod", () => {
    for (const [name, annotations, sets] of VARIANTS) {
      it(name, () => {
        const ours = initOf(inject('sidecar,capture-native', annotations, { sets: sets ?? [] })) as Container;
        const istio = initOf(inject('sidecar', annotations, { sets: sets ?? [] })) as Container;
        assert.deepEqual(parseCaptureArgs(ours.args as string[]), parseCaptureArgs(istio.args as string[]));
        assert.deepEqual(ours.env, istio.env, 'the same environment (istio-iptables reads settings from it)');
      });
    }
  });

  it('renders nothing with Istio CNI (no istio-init to replace) or interception mode NONE', () => {
    const cni = inject('sidecar,capture-native', {}, { sets: ['values.pilot.cni.enabled=true'] });
    assert.equal(initOf(cni), undefined);
    assert.ok(initOf(cni, 'istio-validation'));
    assert.deepEqual(cni.spec, inject('sidecar', {}, { sets: ['values.pilot.cni.enabled=true'] }).spec);
    const none = inject('sidecar,capture-native', { 'sidecar.istio.io/interceptionMode': 'NONE' });
    assert.equal(initOf(none), undefined);
  });

  it('keeps a crafted value inside one argument', () => {
    // Pod annotations are validated before templating; a value from settings is not, and must not add arguments.
    // (The sidecar template refuses this one, as istiod does: its unquoted istio-proxy argument cannot hold a line break.)
    const level = 'default:info\n    - "--cleanup-only"';
    const init = initOf(inject('capture-native', {}, { sets: [`values.global.logging.level=${level}`] })) as Container;
    assert.equal(init.args?.at(-1), `--log_output_level=${level}`);
    assert.equal(init.args?.includes('--cleanup-only'), false);
    assert.equal(parseCaptureArgs(init.args as string[]).cleanupOnly, false);
  });
});

describe('capture of an injected pod, for a preview', () => {
  it('reads the settings and rules from either istio-init, naming which command runs them', () => {
    const annotations = {
      'traffic.sidecar.istio.io/excludeInboundPorts': '8081',
      'proxy.istio.io/config': '{"proxyMetadata":{"ISTIO_META_DNS_CAPTURE":"true"}}',
    };
    const ours = captureOfPod(inject('sidecar,capture-native', annotations) as never, { dnsServers: ['10.96.0.10'] });
    const istio = captureOfPod(inject('sidecar', annotations) as never, { dnsServers: ['10.96.0.10'] });
    assert.ok(ours && istio);
    assert.equal(ours.runner, 'native');
    assert.equal(istio.runner, 'istio');
    assert.equal(ours.container, 'istio-init');
    assert.deepEqual(ours.settings, istio.settings);
    assert.equal(ours.settings.redirectDNS, true, 'from the ISTIO_META_DNS_CAPTURE env of the container');
    assert.deepEqual(ours.settings.inboundPortsExclude, [15090, 15021, 8081, 15020]);
    assert.equal(ours.rules.ipv4, istio.rules.ipv4);
    assert.match(ours.rules.ipv4, /-A ISTIO_INBOUND -p tcp --dport 8081 -j RETURN/);
    assert.match(ours.rules.ipv4, /--dport 53 -d 10\.96\.0\.10\/32 -j REDIRECT --to-ports 15053/);
  });

  it('reads istio-validation under CNI, and nothing from a pod without capture', () => {
    const cni = captureOfPod(inject('sidecar', {}, { sets: ['values.pilot.cni.enabled=true'] }) as never);
    assert.equal(cni?.container, 'istio-validation');
    assert.equal(cni?.settings.runValidation, true);
    assert.equal(captureOfPod(pod({}) as never), undefined);
  });

  it('parses init container args with or without the istio-iptables word', () => {
    assert.deepEqual(captureSettingsForPod(['istio-iptables', '-p', '15001', '-b', '*']), captureSettingsForPod(['-p', '15001', '-b', '*']));
  });
});
