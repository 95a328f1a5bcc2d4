// `node --import tsx bench/annotation-caps.ts`: what one admission costs in-process when a pod author
// sends annotations at and over their caps (issue 12: 16,000 proxyMetadata keys blocked 26.6 s,
// `inject.istio.io/templates: sidecar,…` ×20,000 5.4 s). Each case: median and worst of 15 admissions,
// and the answer. No server: the core alone, with the embedded default settings.
import { cpus } from 'node:os';
import { readSettingsDir } from '../src/config/config-dir.ts';
import { admit } from '../src/core/admission.ts';
import { buildSettings } from '../src/core/settings/index.ts';

const settings = buildSettings({ ...readSettingsDir(undefined), nativeSidecars: 'false' });
const ROUNDS = 15;

const metadata = (n: number, value: (i: number) => string): string => {
  const lines = ['proxyMetadata:'];
  for (let i = 0; i < n; i++) lines.push(`  K${i}: ${value(i)}`);
  return lines.join('\n');
};

const cases: Array<[string, Record<string, string>]> = [
  ['proxyMetadata 16,000 keys (250 KB)', { 'proxy.istio.io/config': metadata(16_000, (i) => `v${i}`) }],
  ['proxyMetadata 2,600 keys (32 KiB, the size cap)', { 'proxy.istio.io/config': metadata(16_000, (i) => `v${i}`).slice(0, 32 * 1024) }],
  ['proxyMetadata 1,000 keys (13 KB)', { 'proxy.istio.io/config': metadata(1000, (i) => `v${i}`) }],
  ['proxyMetadata 256 keys, 110-byte values (30 KB, allowed)', { 'proxy.istio.io/config': metadata(256, () => 'v'.repeat(110)) }],
  ['templates sidecar ×20,000', { 'inject.istio.io/templates': Array(20_000).fill('sidecar').join(',') }],
  ['templates sidecar ×32 (allowed, rendered once)', { 'inject.istio.io/templates': Array(32).fill('sidecar').join(',') }],
  ['excludeInterfaces "--dry-run"', { 'traffic.sidecar.istio.io/excludeInterfaces': '--dry-run' }],
  ['a 1 MiB proxy.istio.io/overrides', { 'proxy.istio.io/overrides': '['.repeat(1 << 20) }],
];

function admitOnce(annotations: Record<string, string>, uid: string): string {
  const request = {
    uid,
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'bench',
    operation: 'CREATE',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations }, spec: { containers: [{ name: 'app', image: 'app:1' }] } },
  };
  const out = admit({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request }, { settings, urlEnv: {} });
  return out.result === 'error' ? `refused (${out.reason})` : out.result;
}

console.log(`${new Date().toISOString()}; ${cpus()[0]?.model ?? '?'}; Node ${process.version}; ${ROUNDS} admissions per case`);
console.log('| Annotation | answer | median ms | worst ms |\n|---|---|---|---|');
for (const [title, annotations] of cases) {
  const times: number[] = [];
  let answer = '';
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    answer = admitOnce(annotations, `b-${i}`);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`| ${title} | ${answer} | ${times[Math.floor(times.length / 2)]!.toFixed(1)} | ${times.at(-1)!.toFixed(1)} |`);
}
