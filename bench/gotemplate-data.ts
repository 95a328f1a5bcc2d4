// `node --import tsx bench/gotemplate-data.ts`: what building Istio's SidecarTemplateData costs per
// admission (goTemplateData over the pod and configs' JSON), alone and with the reads the sidecar template
// makes most, on the benchmarks' typical pod with the default settings. In-process, no render.
import { performance } from 'node:perf_hooks';
import { readSettingsDir } from '../src/config/config-dir.ts';
import { goTemplateData } from '../src/core/gotemplate/data/index.ts';
import { type GoValue, GoTyped, untaint } from '../src/core/gotemplate/value.ts';
import { preparePod } from '../src/core/prepare.ts';
import { buildSettings } from '../src/core/settings/index.ts';
import type { Pod } from '../src/core/types.ts';
import { workloadOfPod } from '../src/core/workloads.ts';
import { pod } from './reviews.ts';

const settings = buildSettings({ ...readSettingsDir(undefined), nativeSidecars: 'false' });
// the typical pod of the other benchmarks: a Deployment's replica with one container, probes and env
const typical = pod('web', { containers: 1, envVars: 6, probes: true }) as unknown as Pod;
const p = preparePod(typical, 'shop', { settings, namespace: 'shop' }, []);
const ctx = { ...p, settings, pod: p.stripped, workload: workloadOfPod(p.stripped, 'shop') };

const READS: Array<Array<string | number>> = [
  ['ObjectMeta', 'Annotations'],
  ['ObjectMeta', 'Labels'],
  ['Spec', 'Containers', 0, 'Ports'],
  ['ProxyConfig', 'ProxyMetadata'],
  ['ProxyConfig', 'HoldApplicationUntilProxyStarts', 'GetValue'],
  ['ProxyConfig', 'GetTracing', 'GetTlsSettings', 'GetCaCertificates'],
  ['MeshConfig', 'TrustDomain'],
  ['DeploymentMeta', 'Name'],
  ['Values', 'global', 'proxy', 'resources'],
];

function read(data: GoValue, path: Array<string | number>): GoValue {
  let v = data;
  for (const step of path) {
    const cur = untaint(v);
    if (typeof step === 'number') v = (cur as GoTyped).entries()![step]![1];
    else v = cur instanceof GoTyped ? cur.field(step)!.value : (cur as Record<string, GoValue>)[step];
  }
  return v;
}

function measure(title: string, run: () => void, n = 100_000): void {
  for (let i = 0; i < n / 10; i++) run(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) run();
  console.log(`${title}: ${(((performance.now() - t0) * 1000) / n).toFixed(2)} µs`);
}

measure('goTemplateData', () => void goTemplateData(ctx));
measure(`goTemplateData and ${READS.length} reads`, () => {
  const data = goTemplateData(ctx);
  for (const r of READS) read(data, r);
});
