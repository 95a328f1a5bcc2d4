// capture-native as a Go template (templates/capture-native.tmpl), run by the Go engine next to Istio's own
// templates (the chart's ConfigMap, unchanged): for a table of pods and settings it gives istio-init what
// the Liquid capture-native gave it, on the same sidecar template.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { injectPod } from '../../src/core/inject.ts';
import { buildSettings, type NativeSidecarMode, type Settings } from '../../src/core/settings/index.ts';
import type { Container, Pod } from '../../src/core/types.ts';
import { chartDataOrSkip, type IstioChartData } from '../helpers/istio-chart.ts';

const TEMPLATES = join(import.meta.dirname, '..', '..', 'templates');
const goText = readFileSync(join(TEMPLATES, 'capture-native.tmpl'), 'utf8');
const liquidText = readFileSync(join(TEMPLATES, 'capture-native.liquid'), 'utf8');

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
  ['values.global.proxy.includeOutboundPorts=443,8443', 'values.global.proxy.excludeOutboundPorts=25,587'],
  ['values.global.proxy.statusPort=15888', 'values.global.proxy.excludeInboundPorts=9999,9998'],
];
const NATIVE: NativeSidecarMode[] = ['true', 'false'];

function pod(annotations: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', annotations: { ...annotations, 'inject.istio.io/templates': 'sidecar,capture-native' } },
    spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }] }] },
  };
}

/** The pod's capture init containers, as the fields capture-native sets. */
function captureOf(settings: Settings, p: Pod): unknown {
  const out = injectPod(p, { settings, namespace: 'shop' }).pod;
  return (out.spec.initContainers ?? [])
    .filter((c: Container) => c.name === 'istio-init' || c.name === 'istio-validation')
    .map((c: Container) => ({
      name: c.name,
      image: c.image,
      imagePullPolicy: c.imagePullPolicy,
      command: c.command,
      args: c.args,
      env: c.env,
      securityContext: c.securityContext,
    }));
}

describe('capture-native as a Go template gives istio-init what the Liquid one gave it', function () {
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
        const build = (text: string) =>
          buildSettings({ ...chart, sets, templates: { 'capture-native': text }, nativeSidecars: native, reuse: false });
        const go = build(goText);
        const liquid = build(liquidText);
        assert.deepEqual(go.brokenTemplates, {});
        for (const annotations of ANNOTATIONS) {
          for (const mode of MODES) {
            const a = mode === undefined ? annotations : { ...annotations, 'sidecar.istio.io/interceptionMode': mode };
            const ours = captureOf(go, pod(a));
            const want = JSON.stringify({ native, sets, a });
            assert.deepEqual(ours, captureOf(liquid, pod(a)), want);
            compared++;
            if ((ours as Container[]).some((c) => c.command?.[0] === 'sidecar-injector')) captured++;
          }
        }
      }
    }
    // the table is not vacuous: most pods get our command, the rest are CNI or NONE
    assert.ok(captured > compared / 2, `${captured} of ${compared} ran sidecar-injector iptables`);
    console.log(`      ${compared} compared, ${captured} with sidecar-injector iptables`);
  });
});
