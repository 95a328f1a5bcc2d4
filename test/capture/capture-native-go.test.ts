// capture-native (templates/capture-native.tmpl, a Go template) next to Istio's own sidecar template (the
// chart's ConfigMap, unchanged): for a table of pods and settings, istio-init runs our command with exactly
// the arguments and environment Istio's template gives istio-iptables (minus that word), our image and a
// hardened securityContext; the rest of the pod is what Istio's template alone makes. (Before the Liquid
// capture-native was removed, this table also showed the two versions equal on all 1248 cases.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { injectPod } from '../../src/core/inject.ts';
import { INJECTOR_IMAGE } from '../../src/core/settings/default-values.ts';
import { buildSettings, type NativeSidecarMode, type Settings } from '../../src/core/settings/index.ts';
import type { Container, Pod } from '../../src/core/types.ts';
import { chartDataOrSkip, type IstioChartData } from '../helpers/istio-chart.ts';
import { CAPTURE_NATIVE_SECURITY_CONTEXT } from './helpers.ts';

const TEMPLATES = join(import.meta.dirname, '..', '..', 'templates');
const captureNative = readFileSync(join(TEMPLATES, 'capture-native.tmpl'), 'utf8');

/** Annotation sets: each traffic.sidecar.istio.io/* annotation (set, empty), the others istio-init reads. */
const ANNOTATIONS: Array<Record<string, string>> = [
  {},
  { 'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.96.0.0/12,fd00::/8' },
  { 'traffic.sidecar.istio.io/includeOutboundIPRanges': '' },
  { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.10/32' },
  { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '' },
  { 'traffic.sidecar.istio.io/includeInboundPorts': '8080,8443' },
  { 'traffic.sidecar.istio.io/includeInboundPorts': '' },
  { 'traffic.sidecar.istio.io/excludeInboundPorts': '8081, 9090' },
  { 'traffic.sidecar.istio.io/excludeInboundPorts': '15020' },
  { 'traffic.sidecar.istio.io/excludeInboundPorts': '' },
  { 'traffic.sidecar.istio.io/includeOutboundPorts': '3306' },
  { 'traffic.sidecar.istio.io/includeOutboundPorts': '' },
  { 'traffic.sidecar.istio.io/excludeOutboundPorts': '25,587' },
  { 'traffic.sidecar.istio.io/excludeOutboundPorts': '' },
  { 'traffic.sidecar.istio.io/kubevirtInterfaces': 'net1,net2' },
  { 'traffic.sidecar.istio.io/kubevirtInterfaces': '' },
  { 'traffic.sidecar.istio.io/excludeInterfaces': 'eth9' },
  { 'traffic.sidecar.istio.io/excludeInterfaces': '' },
  { 'istio.io/reroute-virtual-interfaces': 'net1', 'traffic.sidecar.istio.io/kubevirtInterfaces': 'net2' },
  { 'status.sidecar.istio.io/port': '15999' },
  { 'status.sidecar.istio.io/port': '0' },
  { 'sidecar.istio.io/agentLogLevel': 'all:debug' },
  { 'sidecar.istio.io/proxyImage': 'registry.example/proxy:1' },
  { 'sidecar.istio.io/proxyImage': 'no-slash' },
  { 'proxy.istio.io/config': '{"proxyMetadata":{"ISTIO_META_DNS_CAPTURE":"true","B":"2"}}' },
  { 'proxy.istio.io/config': 'interceptionMode: TPROXY' },
];
const MODES = [undefined, 'REDIRECT', 'TPROXY', 'NONE'];
/** Settings istio-init reads: CNI on/off, and the values its optional arguments come from. */
const SETTINGS: string[][] = [
  [],
  ['values.pilot.cni.enabled=true'],
  ['values.global.logAsJson=true', 'values.global.proxy_init.forceApplyIptables=true', 'values.global.nativeNftables=true'],
  ['values.global.imagePullPolicy=Always', 'values.global.logging.level=default:debug'],
  ['values.global.proxy.includeOutboundPorts=443\\,8443', 'values.global.proxy.excludeOutboundPorts=25\\,587'],
  ['values.global.proxy.statusPort=15888', 'values.global.proxy.excludeInboundPorts=9999\\,9998'],
  ['values.global.proxy.seccompProfile.type=RuntimeDefault'],
];
const NATIVE: NativeSidecarMode[] = ['true', 'false'];

function pod(annotations: Record<string, string>, templates: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', annotations: { ...annotations, 'inject.istio.io/templates': templates } },
    spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }] }] },
  };
}

const initOf = (p: Pod): Container | undefined => (p.spec.initContainers ?? []).find((c: Container) => c.name === 'istio-init');

/** The pod without istio-init and the template selection: what capture-native must leave as Istio's template made it. */
function rest(p: Pod): unknown {
  const c = structuredClone(p);
  c.spec.initContainers = (c.spec.initContainers ?? []).filter((x: Container) => x.name !== 'istio-init');
  delete c.metadata.annotations?.['inject.istio.io/templates'];
  return c;
}

/** capture-native's istio-init against Istio's for one pod; true when the pod has one (not CNI, not NONE). */
function agrees(settings: Settings, annotations: Record<string, string>, what: string): boolean {
  const ours = injectPod(pod(annotations, 'sidecar,capture-native'), { settings, namespace: 'shop' }).pod;
  const istio = injectPod(pod(annotations, 'sidecar'), { settings, namespace: 'shop' }).pod;
  assert.deepEqual(rest(ours), rest(istio), `${what}: the rest of the pod`);
  const [init, theirs] = [initOf(ours), initOf(istio)];
  if (theirs === undefined) {
    assert.equal(init, undefined, `${what}: no istio-init to replace`);
    return false;
  }
  assert.equal(theirs.args?.[0], 'istio-iptables', what);
  const proxyImage = annotations['sidecar.istio.io/proxyImage'] ?? '';
  const { seccompProfile, ...hardened } = (init?.securityContext ?? {}) as Record<string, unknown>;
  assert.deepEqual(
    { ...init, securityContext: hardened },
    {
      ...theirs,
      image: proxyImage.includes('/') ? proxyImage : INJECTOR_IMAGE,
      command: ['sidecar-injector', 'iptables'],
      args: theirs.args?.slice(1),
      securityContext: CAPTURE_NATIVE_SECURITY_CONTEXT,
    },
    what,
  );
  assert.deepEqual(seccompProfile, (theirs.securityContext as { seccompProfile?: unknown } | undefined)?.seccompProfile, what);
  return true;
}

describe("capture-native (Go) gives istio-init Istio's capture arguments for our command", function () {
  this.timeout(120_000);
  let chart: IstioChartData;
  before(function () {
    chart = chartDataOrSkip(this);
  });

  it(`on Istio's sidecar template: ${ANNOTATIONS.length * MODES.length * SETTINGS.length * NATIVE.length} pods and settings`, () => {
    let compared = 0;
    let captured = 0;
    for (const native of NATIVE) {
      for (const sets of SETTINGS) {
        const settings = buildSettings({ ...chart, sets, templates: { 'capture-native': captureNative }, nativeSidecars: native, reuse: false });
        assert.deepEqual(settings.brokenTemplates, {});
        for (const annotations of ANNOTATIONS) {
          for (const mode of MODES) {
            const a = mode === undefined ? annotations : { ...annotations, 'sidecar.istio.io/interceptionMode': mode };
            if (agrees(settings, a, JSON.stringify({ native, sets, a }))) captured++;
            compared++;
          }
        }
      }
    }
    // the table is not vacuous: most pods get our command, the rest are CNI or NONE
    assert.ok(captured > compared / 2, `${captured} of ${compared} ran sidecar-injector iptables`);
  });
});
