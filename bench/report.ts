// bench/RESULTS.md (every figure next to the floor's from the same run, and the issue's goals) and
// bench/PROFILE.md. The soak's figures are kept in bench/soak-last.json, so a run without BENCH_SOAK=1
// still shows the last measured ones (marked as such).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { allRuns, failed, type Run } from './load.ts';
import { profileMarkdown, type CaseProfile } from './profile.ts';
import { ENV_COUNTS, type Case } from './reviews.ts';
import { ROOT, type Heap } from './servers.ts';

export type Pair = Record<'injector' | 'floor', Run[]>;

export interface Measurements {
  cases: Case[];
  sizes: Array<{ id: string; title: string; request: number; response: number; patched: boolean }>;
  tls: Record<string, string>;
  saturation: Pair;
  fixedRate: Pair;
  evenRate: Pair;
  perCase: Record<string, Pair>;
  soak?: Run;
  /** RSS of both servers (and the injector's heap) once ready, before any load. */
  idle: { injectorMB: number; floorMB: number; injectorHeap?: Heap };
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

interface SoakFigures {
  date: string;
  label: string;
  /** Median RSS of the first and of the last third after warm-up, and the change between them. */
  firstMB: number;
  lastMB: number;
  driftPct: number;
  minMB: number;
  peakMB: number;
  flat: boolean;
  responses: number;
  failures: number;
  p99: number;
}

const GOAL = { throughputRatio: 0.6, p99Ms: 5, env2000Ms: 25, rssMB: 150, linearLo: 0.67, linearHi: 1.5 };

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');
const met = (ok: boolean | undefined) => (ok === undefined ? '– (not measured)' : ok ? '✅ yes' : '❌ **no**');
const peakRss = (r: Run) => Math.max(...r.usage.samples.map((s) => s.rssMB));

const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * As test/load/soak.test.ts: after a 10 s warm-up, the median RSS of the first third against that of
 * the last third (RSS moves with every GC; a leak moves the middle). Flat: grew by less than 10%.
 */
function soakFigures(r: Run): SoakFigures {
  const warm = r.usage.samples.filter((x) => x.t >= 10).map((x) => x.rssMB);
  const third = Math.max(1, Math.floor(warm.length / 3));
  const first = mid(warm.slice(0, third));
  const last = mid(warm.slice(-third));
  return {
    date: new Date().toISOString(),
    label: r.label,
    firstMB: first,
    lastMB: last,
    driftPct: (100 * (last - first)) / first,
    minMB: Math.min(...warm),
    peakMB: peakRss(r),
    flat: last - first < 0.1 * first,
    responses: r.responses,
    failures: failed(r.failures),
    p99: r.latency.p99,
  };
}

function soakOf(m: Measurements): { figures?: SoakFigures; fresh: boolean } {
  const file = join(ROOT, 'bench/soak-last.json');
  if (m.soak) {
    const figures = soakFigures(m.soak);
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    return { figures, fresh: true };
  }
  return existsSync(file) ? { figures: JSON.parse(readFileSync(file, 'utf8')) as SoakFigures, fresh: false } : { fresh: false };
}

/** The run with the median value of `metric` (each figure is the median of its rounds). */
function median(runs: Run[], metric: (r: Run) => number): Run {
  return [...runs].sort((x, y) => metric(x) - metric(y))[Math.floor((runs.length - 1) / 2)]!;
}

type Metric = (r: Run) => number;
const RPS: Metric = (r) => r.rps;
const MEAN: Metric = (r) => r.latency.mean;
const lat =
  (q: 'p50' | 'p90' | 'p99' | 'max'): Metric =>
  (r) =>
    r.latency[q];

export function writeResults(m: Measurements): { bad: number } {
  const med = (p: Pair, metric: Metric) => ({ injector: median(p.injector, metric), floor: median(p.floor, metric) });
  const range = (runs: Run[], metric: Metric, fmt: (n: number) => string) => {
    const v = runs.map(metric);
    return runs.length > 1 ? `${fmt(Math.min(...v))}–${fmt(Math.max(...v))}` : fmt(v[0]!);
  };
  const others = (p: Pair) => `${Math.max(...[...p.injector, ...p.floor].map((r) => r.otherCpuPct)).toFixed(0)}%`;
  const row = (label: string, p: Pair, metric: Metric, fmt: (n: number) => string, unit: string) => {
    const x = med(p, metric);
    const u = unit === '%' ? unit : ` ${unit}`;
    return (
      `| ${label} | ${fmt(metric(x.injector))}${u} | ${fmt(metric(x.floor))}${u} | ${f2(metric(x.injector) / metric(x.floor))}× ` +
      `| ${range(p.injector, metric, fmt)}; ${range(p.floor, metric, fmt)} | ${others(p)} |`
    );
  };
  const ms = (id: string, s: 'injector' | 'floor') => MEAN(median(m.perCase[id]![s], MEAN));
  const envMs = (s: 'injector' | 'floor') => ENV_COUNTS.map((n) => ms(`d${n}`, s));
  // linearity: slope over 10 -> 2000, and the per-var cost of the 100 -> 1000 and 1000 -> 2000 steps
  const perVar = (s: 'injector' | 'floor') => {
    const t = envMs(s);
    const [n10, n100, n1000, n2000] = ENV_COUNTS as [number, number, number, number];
    const step1 = (t[2]! - t[1]!) / (n1000 - n100);
    const step2 = (t[3]! - t[2]!) / (n2000 - n1000);
    return { slope: (t[3]! - t[0]!) / (n2000 - n10), step1, step2, ratio: step2 / step1 };
  };
  const lin = perVar('injector');
  const linFloor = perVar('floor');
  const sat = med(m.saturation, RPS);
  const fr = med(m.fixedRate, lat('p99'));
  const even = med(m.evenRate, lat('p99'));
  const underLoad = allRuns.filter(
    (r) => r.server === 'injector' && !r.label.startsWith('soak') && !r.label.startsWith('profile') && !r.label.startsWith('kube client'),
  );
  const rssPeak = Math.max(...underLoad.map(peakRss));
  const rssPeakRun = underLoad.find((r) => peakRss(r) === rssPeak)!;
  const floorRssPeak = Math.max(...allRuns.filter((r) => r.server === 'floor').map(peakRss));
  const soak = soakOf(m);
  const bad = allRuns.reduce((a, r) => a + failed(r.failures), 0);
  const handshakes = allRuns.reduce((a, r) => a + r.handshakes, 0);
  const cpu = cpus();
  const worstOthers = Math.max(...allRuns.map((r) => r.otherCpuPct));

  const L: string[] = [];
  L.push('# Benchmark: the injector against the floor', '');
  const badRuns = allRuns.filter((r) => failed(r.failures) > 0).map((r) => `${r.server} "${r.label}"`);
  if (bad > 0)
    L.push(
      `> **⚠️ ${bad} REQUESTS FAILED during this run, in ${badRuns.join(', ')}: figures from those runs are NOT valid.** See [Failures](#failures).`,
      '',
    );
  if (m.quick) L.push('> **BENCH_QUICK=1: shortened runs, for trying changes, not for the record.**', '');
  if (worstOthers > 25)
    L.push(`> ⚠️ Other processes used up to ${worstOthers.toFixed(0)}% of a core during some runs (column "Others"): those figures are noisy.`, '');
  L.push(
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${cpu[0]?.model ?? '?'}, ${cpu.length} cores, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB; Linux ${release()}; Node ${process.version}; injector at ${m.git}. ` +
      `Load client (autocannon), injector and floor share the machine; before the run other processes used ${m.otherBefore.toFixed(0)}% of a core ` +
      `(load average ${m.loadBefore.map((x) => x.toFixed(2)).join(' / ')}). TLS: injector ${m.tls.injector}, floor ${m.tls.floor}. ` +
      `Each figure is the median of ${m.rounds} rounds, floor and injector in turn. Written by \`npm run bench\`; \`BENCH_SOAK=1 npm run bench\` adds the soak.`,
    '',
  );

  L.push('## Goals (issue 7)', '', '| Goal | Measured | Met |', '|---|---|---|');
  const satRatio = sat.injector.rps / sat.floor.rps;
  L.push(
    `| Throughput at saturation, case (a) ≥ ${GOAL.throughputRatio} × floor | ${f2(satRatio)} × floor (${sat.injector.rps.toFixed(0)} vs ${sat.floor.rps.toFixed(0)} req/s) | ${met(satRatio >= GOAL.throughputRatio)} |`,
  );
  const sustained = fr.injector.rps >= 0.95 * 500;
  // judged on the evenly spaced run: requests arriving at a fixed 500 per second, as pod creations reach the
  // API server; autocannon's overallRate fires each connection's second of requests back to back (bursts)
  const evenOk = even.injector.latency.p99 <= GOAL.p99Ms && even.injector.rps >= 0.95 * 500;
  L.push(
    `| p99 ≤ ${GOAL.p99Ms} ms at a fixed 500 req/s, case (a) | evenly spaced: ${f2(even.injector.latency.p99)} ms (floor ${f2(even.floor.latency.p99)} ms)` +
      `${even.injector.rps >= 0.95 * 500 ? '' : `, **the injector answered only ${even.injector.rps.toFixed(0)} req/s**`}; ` +
      `in autocannon \`overallRate\` bursts (each second's 500 requests sent back to back on 10 connections): ${f2(fr.injector.latency.p99)} ms (floor ${f2(fr.floor.latency.p99)} ms)` +
      `${sustained ? '' : `, **the injector answered only ${fr.injector.rps.toFixed(0)} req/s**`} | ${met(evenOk)} |`,
  );
  L.push(
    `| 2,000 env vars ≤ ${GOAL.env2000Ms} ms per admission | ${f2(ms('d2000', 'injector'))} ms (floor ${f2(ms('d2000', 'floor'))} ms) | ${met(ms('d2000', 'injector') <= GOAL.env2000Ms)} |`,
  );
  const shape = lin.ratio > GOAL.linearHi ? 'superlinear' : lin.ratio < GOAL.linearLo ? 'sublinear: the second step costs less per var' : 'linear';
  L.push(
    `| Time grows linearly in env vars, 10 → 2,000 (not faster) | ${f3(lin.slope * 1000)} µs per env var; per-var cost 1,000→2,000 / 100→1,000 = ${f2(lin.ratio)}, ${shape} ` +
      `(linear: ${GOAL.linearLo}–${GOAL.linearHi}; quadratic would be ≈ 2.7) | ${met(lin.ratio <= GOAL.linearHi)} |`,
  );
  L.push(
    `| RSS ≤ ${GOAL.rssMB} MB under load, no cluster (\`npm start\`, this bench) | peak ${f1(rssPeak)} MB over every load run (in "${rssPeakRun.label}") | ${met(rssPeak <= GOAL.rssMB)} |`,
  );
  const wc = m.withClient;
  L.push(
    `| RSS ≤ ${GOAL.rssMB} MB under load, Kubernetes client loaded (in a cluster) | ${wc ? `peak ${f1(wc.at500MB)} MB at 500 req/s (a) evenly spaced; ${f1(wc.peakMB)} MB at saturation (a), ${wc.rps.toFixed(0)} req/s; ${f1(wc.idleMB)} MB when ready` : 'not measured'} ` +
      `| ${wc ? (wc.peakMB <= GOAL.rssMB ? met(true) : wc.at500MB <= GOAL.rssMB ? `${met(false)} at saturation (at 500 req/s: ${met(true)})` : met(false)) : met(undefined)} |`,
  );
  const sf = soak.figures;
  L.push(
    `| RSS flat over 2 minutes | ${sf ? `median ${f1(sf.firstMB)} MB in the first third, ${f1(sf.lastMB)} MB in the last (${sf.driftPct >= 0 ? '+' : ''}${f1(sf.driftPct)}%); between ${f1(sf.minMB)} and ${f1(sf.peakMB)} MB${soak.fresh ? '' : `, **from the last soak run (${sf.date.slice(0, 10)})**`}` : 'not run: `BENCH_SOAK=1 npm run bench`'} | ${met(sf ? sf.flat : undefined)} |`,
  );
  L.push('');

  L.push(
    '## Figures, injector vs floor (same run)',
    '',
    '| Figure | Injector | Floor | Injector / floor | Rounds: injector; floor | Others |',
    '|---|---|---|---|---|---|',
  );
  L.push(row('Throughput at saturation, (a), 50 connections', m.saturation, RPS, (n) => n.toFixed(0), 'req/s'));
  L.push(
    row(
      'Server CPU at saturation (% of one core)',
      m.saturation,
      (r) => r.usage.cpuPct,
      (n) => n.toFixed(0),
      '%',
    ),
  );
  L.push(
    row(
      'Load client CPU at saturation (% of one core)',
      m.saturation,
      (r) => r.clientCpuPct,
      (n) => n.toFixed(0),
      '%',
    ),
  );
  L.push(row('Latency at saturation, p99', m.saturation, lat('p99'), f2, 'ms'));
  L.push(row('500 req/s overallRate, (a), 10 connections: answered', m.fixedRate, RPS, (n) => n.toFixed(0), 'req/s'));
  for (const q of ['p50', 'p90', 'p99', 'max'] as const) L.push(row(`500 req/s overallRate, (a): ${q}`, m.fixedRate, lat(q), f2, 'ms'));
  L.push(row('500 req/s evenly spaced, (a): answered', m.evenRate, RPS, (n) => n.toFixed(0), 'req/s'));
  for (const q of ['p50', 'p90', 'p99', 'max'] as const) L.push(row(`500 req/s evenly spaced, (a): ${q}`, m.evenRate, lat(q), f2, 'ms'));
  for (const c of m.cases) L.push(row(`Per admission, ${c.title}: mean, 1 connection`, m.perCase[c.id]!, MEAN, f2, 'ms'));
  for (const c of m.cases) L.push(row(`Per admission, ${c.title}: p50`, m.perCase[c.id]!, lat('p50'), f2, 'ms'));
  const ih = m.idle.injectorHeap;
  L.push(
    `| RSS when ready, before any load (injector heap used / total) | ${f1(m.idle.injectorMB)} MB (${ih ? `${f1(ih.usedMB)} / ${f1(ih.totalMB)} MB` : '?'}) | ${f1(m.idle.floorMB)} MB | ${f2(m.idle.injectorMB / m.idle.floorMB)}× | | |`,
  );
  L.push(`| RSS peak under load (every run but the soak) | ${f1(rssPeak)} MB | ${f1(floorRssPeak)} MB | ${f2(rssPeak / floorRssPeak)}× | | |`);
  const heapPeak = (k: 'usedMB' | 'totalMB' | 'externalMB') => Math.max(...underLoad.flatMap((r) => r.usage.heap.map((x) => x[k])));
  L.push(
    `| Injector V8 heap peak under load: used / total / external | ${f1(heapPeak('usedMB'))} / ${f1(heapPeak('totalMB'))} / ${f1(heapPeak('externalMB'))} MB | | | | |`,
  );
  const h = m.heapAfterLoad;
  if (h)
    L.push(
      `| Injector V8 heap at rest after those runs: used / total / external | ${f1(h.usedMB)} / ${f1(h.totalMB)} / ${f1(h.externalMB)} MB | | | | |`,
    );
  L.push('');

  L.push(
    '## Env vars: time per admission (1 connection, mean)',
    '',
    '| Env vars | Request bytes | Injector ms | Floor ms | Injector − floor ms |',
    '|---|---|---|---|---|',
  );
  for (const n of ENV_COUNTS) {
    const id = `d${n}`;
    L.push(
      `| ${n} | ${m.sizes.find((s) => s.id === id)!.request} | ${f2(ms(id, 'injector'))} | ${f2(ms(id, 'floor'))} | ${f2(ms(id, 'injector') - ms(id, 'floor'))} |`,
    );
  }
  L.push(
    '',
    `Per env var, injector: ${f3(lin.slope * 1000)} µs over 10 → 2,000; ${f3(lin.step1 * 1000)} µs per var 100 → 1,000 and ${f3(lin.step2 * 1000)} µs per var 1,000 → 2,000 (ratio ${f2(lin.ratio)}; ≈ 1 is linear, ≈ 2.7 would be quadratic). ` +
      `Floor: ${f3(linFloor.slope * 1000)} µs per var (ratio ${f2(linFloor.ratio)}). Injector / floor slope: ${f2(lin.slope / linFloor.slope)}×.`,
    '',
  );

  L.push('## RSS over 2 minutes (soak)', '');
  if (sf) {
    L.push(
      `${soak.fresh ? 'This run' : `**Not run this time; the last soak (${sf.date}) measured:**`} ${sf.label}: ${sf.responses} answers, ${sf.failures} failures, p99 ${f2(sf.p99)} ms. ` +
        `After a 10 s warm-up, RSS had a median of ${f1(sf.firstMB)} MB in the first third and ${f1(sf.lastMB)} MB in the last (${f1(sf.driftPct)}%; flat: less than +10%, as test/load/soak.test.ts), ` +
        `and moved between ${f1(sf.minMB)} and ${f1(sf.peakMB)} MB. The rate is half of what the injector sustains for this mix (from the per-admission times), at most 500 req/s.`,
      '',
    );
    if (m.soak) {
      const all = m.soak.usage.samples;
      const s = all.filter((_, i) => i % 10 === 0 || i === all.length - 1);
      L.push(
        `| t (s) | ${s.map((x) => x.t.toFixed(0)).join(' | ')} |`,
        `|---|${s.map(() => '---|').join('')}`,
        `| RSS (MB) | ${s.map((x) => x.rssMB.toFixed(0)).join(' | ')} |`,
        '',
      );
      const h = m.soak.usage.heap.filter((_, i) => i % 2 === 0);
      if (h.length)
        L.push(
          "The injector's V8 heap meanwhile (its /metrics):",
          '',
          `| t (s) | ${h.map((x) => x.t.toFixed(0)).join(' | ')} |`,
          `|---|${h.map(() => '---|').join('')}`,
          `| heap used (MB) | ${h.map((x) => x.usedMB.toFixed(0)).join(' | ')} |`,
          `| heap total (MB) | ${h.map((x) => x.totalMB.toFixed(0)).join(' | ')} |`,
          '',
        );
    }
  } else L.push('Not measured: run `BENCH_SOAK=1 npm run bench`.', '');

  L.push('## Requests', '', '| Case | Request bytes | Answer bytes (injector = floor) | Patch |', '|---|---|---|---|');
  for (const s of m.sizes) L.push(`| ${s.title} | ${s.request} | ${s.response} | ${s.patched ? 'yes' : 'none (nothing to change)'} |`);
  L.push('');

  L.push('## Failures', '');
  L.push(
    bad === 0
      ? `None: every one of ${allRuns.reduce((a, r) => a + r.responses, 0)} answers was HTTP 200 with the request's uid and \`allowed: true\`, with a patch exactly when the injector's first answer had one; no connection errors or timeouts; ${handshakes} TLS handshakes, all verified against the test CA.`
      : `**${bad} failures.**`,
  );
  if (bad > 0) {
    L.push(
      '',
      '| Server | Run | non-2xx | errors (all) | of which timeouts | wrong answers | unverified TLS | overran |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const r of allRuns.filter((x) => failed(x.failures) > 0)) {
      const f = r.failures;
      L.push(`| ${r.server} | ${r.label} | ${f.non2xx} | ${f.errors} | ${f.timeouts} | ${f.mismatches} | ${f.unverifiedTls} | ${f.overran} |`);
    }
  }
  L.push('');

  L.push(
    '## Method',
    '',
    '- **Injector**: the production build (`tsconfig.build.json`, compiled for the run into a temporary directory with a copy of `templates/`, so a rebuild or clean of `dist/` meanwhile cannot change it), started as `node dist/cli/main.js serve --cert-dir D --host 127.0.0.1 --port P --ops-port Q --log-level warn` (built-in configuration), a child process on free ports, ready when `/readyz` says so. A CA and a server certificate for 127.0.0.1 are made for the run.',
    "- **Floor** (`bench/floor-server.ts`): a bare `https.createServer` (TLS ≥ 1.2, the same certificate) in its own child process that reads the body, `JSON.parse`s the AdmissionReview and answers `{apiVersion, kind, response: {uid, allowed, patchType, patch}}` with the request's uid and the injector's own base64 patch for that review: the same answer, byte for byte in size. It runs as plain JavaScript, like the built injector.",
    "- **Reviews** (`bench/reviews.ts`): pods as the API server sends them after defaulting and its built-in admission plugins, with the ReplicaSet controller's managedFields. (c) is (a) with the injector's patch applied; re-injecting it changes nothing, so both servers answer `allowed: true` without a patch.",
    "- **Load**: autocannon 8 in the bench process, HTTPS, pipelining 1, the test CA in `tlsOptions`. autocannon forces `rejectUnauthorized: false`, so the bench checks every handshake (`socket.authorized`), and fetches each case once with a verifying client first. Latencies are the raw per-response times (autocannon's own histogram has 1 ms resolution).",
    "- **500 req/s**: autocannon's `overallRate` gives each of the 10 connections 50 requests per second, sent back to back as fast as the server answers at the start of each second; so its percentiles include the queueing of bursts of 10 concurrent requests. The evenly spaced figure (`bench/paced.ts`, node:https, up to 50 kept-alive verified connections) sends request i at start + i × 2 ms whatever happened before and counts latency from that due time.",
    '- **Per admission**: one connection, about 3 s of requests after a 1 s warm-up; the mean includes the client, TLS and the body transfer, which the floor pays too. Saturation runs follow a 3 s warm-up.',
    '- **Kubernetes client loaded**: in a cluster, `serve` also loads @kubernetes/client-node (about 40 MB more when ready; without a cluster it is never loaded). A third injector, `serve --kubeconfig K` where K names an API server on a closed port, has the client loaded and its informers retrying; it runs the evenly spaced 500 req/s (after a 1 s warm-up at that rate), then a saturation run of (a) after a 3 s warm-up. Its runs do not count in the other figures.',
    '- **RSS/CPU**: VmRSS from `/proc/<pid>/status` and utime+stime from `/proc/<pid>/stat` of the server, every second; the V8 heap of the injector from its own `/metrics` every 5 s (a read costs it about 5 ms). "Others": CPU used meanwhile by every other process on the machine (from `/proc/stat`, less the server and the bench), in % of one core.',
    '',
  );
  writeFileSync(join(ROOT, 'bench/RESULTS.md'), L.join('\n'));
  writeFileSync(join(ROOT, 'bench/PROFILE.md'), profileMarkdown(m.profiles, cpu[0]?.model ?? '?', loadavg()));
  return { bad };
}
