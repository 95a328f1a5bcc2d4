// bench/RESULTS.md (every figure next to the floor's and istiod's from the same run, and the issues'
// goals) and bench/PROFILE.md. The tables are in report-sections.ts, the soak's section in report-soak.ts.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Sizes } from './answers.ts';
import { f1, f2, f3, met, peakRss } from './format.ts';
import { deployment } from './install.ts';
import { allRuns, failed, type Run } from './load.ts';
import type { Heap } from './proc.ts';
import { profileMarkdown, type CaseProfile } from './profile.ts';
import { envTable, failuresSection, figuresSection, linearity, methodSection, perAdmissionMs, requestsTable } from './report-sections.ts';
import { soakMarkdown, soakOf } from './report-soak.ts';
import { figure, lat, RPS, underLoad, type ByServer } from './report-tables.ts';
import type { Case } from './reviews.ts';
import { ROOT } from './servers.ts';

export type { ByServer } from './report-tables.ts';

export interface Measurements {
  cases: Case[];
  sizes: Sizes[];
  tls: Record<string, string>;
  saturation: ByServer;
  /** Saturation with case (e): every request a pod no render can be reused for. */
  saturationE: ByServer;
  fixedRate: ByServer;
  evenRate: ByServer;
  perCase: Record<string, ByServer>;
  soak?: Run;
  /** RSS of the servers (and the injector's heap) once ready, before any load. */
  idle: { injectorMB: number; floorMB: number; istiodMB?: number; injectorHeap?: Heap };
  /** istiod as measured (native sidecars on or off, as the injector), or why it was not. */
  istiod: { native: boolean } | { missing: string };
  /** Whether the injector served Istio's chart config (the directory istiod reads), not its built-in one. */
  istioConfig: boolean;
  /** The injector's V8 heap at rest after the load runs (before the soak). */
  heapAfterLoad?: Heap;
  /** RSS of an injector that has loaded the Kubernetes client (as in a cluster): when ready, and its peak at saturation. */
  withClient?: { idleMB: number; peakMB: number; rps: number; at500MB: number };
  profiles: CaseProfile[];
  quick: boolean;
  rounds: number;
  loadBefore: number[];
  otherBefore: number;
  git: string;
}

export const GOAL = { throughputRatio: 0.6, p99Ms: 5, env2000Ms: 25, rssMB: 150, linearLo: 0.67, linearHi: 1.5, vsIstiodA: 5, vsIstiodE: 3 };

function header(m: Measurements, bad: number): string[] {
  const L: string[] = [];
  const withIstiod = 'native' in m.istiod;
  L.push(`# Benchmark: the injector against the floor${withIstiod ? ' and istiod' : ''}`, '');
  const badRuns = allRuns.filter((r) => failed(r.failures) > 0).map((r) => `${r.server} "${r.label}"`);
  if (bad > 0)
    L.push(
      `> **⚠️ ${bad} REQUESTS FAILED during this run, in ${badRuns.join(', ')}: figures from those runs are NOT valid.** See [Failures](#failures).`,
      '',
    );
  if (m.quick) L.push('> **BENCH_QUICK=1: shortened runs (1 round each), for trying changes, not for the record.**', '');
  if ('missing' in m.istiod) L.push(`> **istiod not measured: ${m.istiod.missing}.** The tables have no istiod columns.`, '');
  const worstOthers = Math.max(...allRuns.map((r) => r.otherCpuPct));
  if (worstOthers > 25)
    L.push(`> ⚠️ Other processes used up to ${worstOthers.toFixed(0)}% of a core during some runs (column "Others"): those figures are noisy.`, '');
  const cpu = cpus();
  const tls = Object.entries(m.tls)
    .map(([s, v]) => `${s} ${v}`)
    .join(', ');
  L.push(
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${cpu[0]?.model ?? '?'}, ${cpu.length} cores, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB; Linux ${release()}; Node ${process.version}; injector at ${m.git}. ` +
      `Load client (autocannon) and servers share the machine; before the run other processes used ${m.otherBefore.toFixed(0)}% of a core ` +
      `(load average ${m.loadBefore.map((x) => x.toFixed(2)).join(' / ')}). TLS: ${tls}. ` +
      `${m.istioConfig ? "Configuration: Istio's chart config unchanged (its `istio-sidecar-injector` and `istio` ConfigMaps' data with Istio's Go templates, as Istio's renderer writes them), the same directory for our injector (`serve --config-dir`) and istiod. " : ''}` +
      `Each figure is the median of ${m.rounds} rounds, ${withIstiod ? 'floor, injector and istiod' : 'floor and injector'} in turn. Written by \`npm run bench\`; \`BENCH_SOAK=1 npm run bench\` adds the soak.`,
    '',
  );
  return L;
}

/** "Faster than istiod per admission in every case": the injector's mean over istiod's, per case. */
function istiodGoal(m: Measurements): string {
  if ('missing' in m.istiod) return `| Faster than istiod per admission, every case | not measured: ${m.istiod.missing} | ${met(undefined)} |`;
  const ratios = m.cases.map((c) => ({ c, r: perAdmissionMs(m, c.id, 'injector') / perAdmissionMs(m, c.id, 'istiod') }));
  const worst = ratios.reduce((x, y) => (y.r > x.r ? y : x));
  const list = ratios.map(({ c, r }) => `(${c.id}) ${f2(r)}×`).join(', ');
  return (
    `| Faster than istiod per admission, every case (mean, 1 connection) | injector / istiod: ${list}; ` +
    `closest to istiod: (${worst.c.id}) | ${met(ratios.every(({ r }) => r < 1))} |`
  );
}

/** Issue 15, with Istio's chart config: throughput at saturation against istiod's, and RSS under (e). */
function issue15Goals(m: Measurements): string[] {
  const config = m.istioConfig ? '' : " **(our built-in configuration: the oracle was not there to render Istio's)**";
  const cpu = (p: ByServer, s: 'injector' | 'istiod') => `${figure(p, s, (r) => r.usage.cpuPct).toFixed(0)}%`;
  const vs = (p: ByServer, goal: number, what: string) => {
    if ('missing' in m.istiod)
      return `| \`/inject\` throughput ≥ ${goal} × istiod's at saturation, ${what} | not measured: ${m.istiod.missing} | ${met(undefined)} |`;
    const [ours, theirs] = [figure(p, 'injector', RPS), figure(p, 'istiod', RPS)];
    return (
      `| \`/inject\` throughput ≥ ${goal} × istiod's at saturation, ${what}, same run | ${f2(ours / theirs)} × istiod (${ours.toFixed(0)} vs ${theirs.toFixed(0)} req/s; ` +
      `CPU ${cpu(p, 'injector')} vs ${cpu(p, 'istiod')} of one core)${config} | ${met(ours / theirs >= goal)} |`
    );
  };
  const eRuns = (s: 'injector' | 'istiod') => allRuns.filter((r) => r.server === s && r.label.startsWith('saturation (e)'));
  const rssE = Math.max(...eRuns('injector').map(peakRss));
  const istiodRss = 'native' in m.istiod ? `; istiod ${f1(Math.max(...eRuns('istiod').map(peakRss)))} MB` : '';
  return [
    vs(m.saturation, GOAL.vsIstiodA, 'typical pod (a)'),
    vs(m.saturationE, GOAL.vsIstiodE, 'every pod differs (e)'),
    `| Peak RSS ≤ ${GOAL.rssMB} MB under the every-pod-differs load (e), at saturation | ${f1(rssE)} MB over its warm-up and rounds${istiodRss}${config} | ${met(rssE <= GOAL.rssMB)} |`,
  ];
}

function goals(m: Measurements, soak: ReturnType<typeof soakOf>): string[] {
  const L = ['## Goals (issues 7, 14 and 15)', '', '| Goal | Measured | Met |', '|---|---|---|'];
  const sat = { injector: figure(m.saturation, 'injector', RPS), floor: figure(m.saturation, 'floor', RPS) };
  const satRatio = sat.injector / sat.floor;
  L.push(
    `| Throughput at saturation, case (a) ≥ ${GOAL.throughputRatio} × floor | ${f2(satRatio)} × floor (${sat.injector.toFixed(0)} vs ${sat.floor.toFixed(0)} req/s) | ${met(satRatio >= GOAL.throughputRatio)} |`,
  );
  const p99 = lat('p99');
  const fr = { injector: figure(m.fixedRate, 'injector', p99), floor: figure(m.fixedRate, 'floor', p99), rps: figure(m.fixedRate, 'injector', RPS) };
  const even = { injector: figure(m.evenRate, 'injector', p99), floor: figure(m.evenRate, 'floor', p99), rps: figure(m.evenRate, 'injector', RPS) };
  // judged on the evenly spaced run: requests arriving at a fixed 500 per second, as pod creations reach the
  // API server; autocannon's overallRate fires each connection's second of requests back to back (bursts)
  const evenOk = even.injector <= GOAL.p99Ms && even.rps >= 0.95 * 500;
  L.push(
    `| p99 ≤ ${GOAL.p99Ms} ms at a fixed 500 req/s, case (a) | evenly spaced: ${f2(even.injector)} ms (floor ${f2(even.floor)} ms)` +
      `${even.rps >= 0.95 * 500 ? '' : `, **the injector answered only ${even.rps.toFixed(0)} req/s**`}; ` +
      `in autocannon \`overallRate\` bursts (each second's 500 requests sent back to back on 10 connections): ${f2(fr.injector)} ms (floor ${f2(fr.floor)} ms)` +
      `${fr.rps >= 0.95 * 500 ? '' : `, **the injector answered only ${fr.rps.toFixed(0)} req/s**`} | ${met(evenOk)} |`,
  );
  const d2000 = perAdmissionMs(m, 'd2000', 'injector');
  L.push(
    `| 2,000 env vars ≤ ${GOAL.env2000Ms} ms per admission | ${f2(d2000)} ms (floor ${f2(perAdmissionMs(m, 'd2000', 'floor'))} ms) | ${met(d2000 <= GOAL.env2000Ms)} |`,
  );
  const lin = linearity(m, 'injector');
  const shape = lin.ratio > GOAL.linearHi ? 'superlinear' : lin.ratio < GOAL.linearLo ? 'sublinear: the second step costs less per var' : 'linear';
  L.push(
    `| Time grows linearly in env vars, 10 → 2,000 (not faster) | ${f3(lin.slope * 1000)} µs per env var; per-var cost 1,000→2,000 / 100→1,000 = ${f2(lin.ratio)}, ${shape} ` +
      `(linear: ${GOAL.linearLo}–${GOAL.linearHi}; quadratic would be ≈ 2.7) | ${met(lin.ratio <= GOAL.linearHi)} |`,
  );
  const runs = underLoad('injector');
  const rssPeak = Math.max(...runs.map(peakRss));
  const rssPeakRun = runs.find((r) => peakRss(r) === rssPeak)!;
  L.push(
    `| RSS ≤ ${GOAL.rssMB} MB under load, no cluster (\`npm start\`, this bench) | peak ${f1(rssPeak)} MB over every load run (in "${rssPeakRun.label}") | ${met(rssPeak <= GOAL.rssMB)} |`,
  );
  const wc = m.withClient;
  L.push(
    `| RSS ≤ ${GOAL.rssMB} MB under load, Kubernetes client loaded (in a cluster) | ${wc ? `peak ${f1(wc.at500MB)} MB at 500 req/s (a) evenly spaced; ${f1(wc.peakMB)} MB at saturation (a), ${wc.rps.toFixed(0)} req/s; ${f1(wc.idleMB)} MB when ready` : 'not measured'} ` +
      `| ${wc ? (wc.peakMB <= GOAL.rssMB ? met(true) : wc.at500MB <= GOAL.rssMB ? `${met(false)} at saturation (at 500 req/s: ${met(true)})` : met(false)) : met(undefined)} |`,
  );
  const { limitMB } = deployment();
  const withClientPeak = wc ? Math.max(wc.peakMB, wc.at500MB) : 0;
  const installPeak = Math.max(rssPeak, withClientPeak);
  L.push(
    `| Peak RSS within the install's memory limit (issue 17: deploy/base, the chart the same) | ${f1(installPeak)} MB of ${f1(limitMB)} MB (${((100 * installPeak) / limitMB).toFixed(0)} %), every load run${wc ? ' and with the Kubernetes client' : ''}; the largest legal inputs: \`npm run bench:hostile\` | ${met(installPeak <= limitMB)} |`,
  );
  const sf = soak.figures;
  L.push(
    `| RSS flat over 2 minutes | ${sf ? `median ${f1(sf.firstMB)} MB in the first third, ${f1(sf.lastMB)} MB in the last (${sf.driftPct >= 0 ? '+' : ''}${f1(sf.driftPct)}%); between ${f1(sf.minMB)} and ${f1(sf.peakMB)} MB${soak.fresh ? '' : `, **from the last soak run (${sf.date.slice(0, 10)})**`}` : 'not run: `BENCH_SOAK=1 npm run bench`'} | ${met(sf ? sf.flat : undefined)} |`,
  );
  L.push(istiodGoal(m), ...issue15Goals(m), '');
  return L;
}

export function writeResults(m: Measurements): { bad: number } {
  const bad = allRuns.reduce((a, r) => a + failed(r.failures), 0);
  const soak = soakOf(m.soak);
  const L = [
    ...header(m, bad),
    ...goals(m, soak),
    ...figuresSection(m),
    ...envTable(m),
    ...soakMarkdown(soak.figures, soak.fresh, m.soak),
    ...requestsTable(m),
    ...failuresSection(bad),
    ...methodSection(m),
  ];
  writeFileSync(join(ROOT, 'bench/RESULTS.md'), L.join('\n'));
  writeFileSync(join(ROOT, 'bench/PROFILE.md'), profileMarkdown(m.profiles, cpus()[0]?.model ?? '?', loadavg()));
  return { bad };
}
