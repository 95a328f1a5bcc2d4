// `npm run bench:saturation`: the issue-15 throughput and memory goals on their own, in ~6 minutes where the
// full `npm run bench` takes ~40: the built injector and istiod's own handler, both with Istio's chart
// config, at saturation (50 connections) on (a) the same pod again and again and (e) every pod a different
// Deployment's, in alternating rounds. Each server is a fresh process that first answers every review
// once (its expected answers), as in the full bench; reviews large enough for the admission worker are
// not sent, so the RSS is that of the (a)/(e) load alone. Writes bench/SATURATION.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersOf, expectedOf } from './answers.ts';
import { deployment } from './install.ts';
import { findIstiod, injectsNative } from './istiod.ts';
import { load, type Expected, type Run } from './load.ts';
import { type Heap, rssMB } from './proc.ts';
import { baseCases, everyPodDiffers, type Case } from './reviews.ts';
import { killAll, ROOT, snapshotBuild, startInjector, startIstiod, type Server } from './servers.ts';
import { makeCerts } from './tls.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECS = Number(process.env.BENCH_SECONDS ?? 10);

interface Figures {
  rps: number[];
  cpu: number[];
  peakMB: number;
  /** At the peak: the file-backed part of the RSS, and the injector's V8 heap sampled nearest to it. */
  peakFileMB: number;
  /** At the peak: the RSS of glibc's main heap (native allocations under its mmap threshold). */
  peakBrkMB: number;
  peakHeap?: Heap;
  readyMB: number;
  other: number[];
}

const peakSample = (r: Run) => r.usage.samples.reduce((p, x) => (x.rssMB > p.rssMB ? x : p));
const nearest = (heap: Heap[], t: number) =>
  heap.reduce<Heap | undefined>((n, h) => (n === undefined || Math.abs(h.t - t) < Math.abs(n.t - t) ? h : n), undefined);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const span = (xs: number[], digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

async function measure(server: Server, ca: string, c: Case, expected: Expected, f: Figures): Promise<void> {
  const r = await load(server, ca, [c], expected, { label: `saturation (${c.id})`, connections: 50, duration: SECS });
  f.rps.push(r.rps);
  f.cpu.push(r.usage.samples.reduce((t, s) => t + s.cpuPct, 0) / Math.max(1, r.usage.samples.length - 1));
  f.other.push(r.otherCpuPct);
  const top = peakSample(r);
  if (top.rssMB > f.peakMB)
    Object.assign(f, { peakMB: top.rssMB, peakFileMB: top.fileMB, peakBrkMB: top.brkMB, peakHeap: nearest(r.usage.heap, top.t) });
}

/** Where the injector's peak RSS under (e) is: file-backed pages (the node binary's code), V8's heap, buffers. */
function peakParts(f: Figures, istiod: Figures): string {
  const h = f.peakHeap;
  const heap = h
    ? `; V8 heap ${h.totalMB.toFixed(1)} MB (${h.usedMB.toFixed(1)} MB used) and external buffers ${h.externalMB.toFixed(1)} MB at the /metrics sample nearest it`
    : '';
  return `Injector peak under (e): ${f.peakMB.toFixed(1)} MB, of which ${f.peakFileMB.toFixed(1)} MB file-backed (mostly node's own executable; istiod's: ${istiod.peakFileMB.toFixed(1)} MB) and ${(f.peakMB - f.peakFileMB).toFixed(1)} MB anonymous: glibc's main heap ${f.peakBrkMB.toFixed(1)} MB${heap}.`;
}

async function main(): Promise<number> {
  const tmp = mkdtempSync(join(tmpdir(), 'si-sat-'));
  const certs = await makeCerts();
  const peer = findIstiod();
  if (!('oracle' in peer)) throw new Error(`istiod is needed for this bench: ${peer.missing}`);
  try {
    const build = snapshotBuild(tmp);
    const a = baseCases()[0]!;
    const e = everyPodDiffers();
    const injector = await startInjector(build, certs.dir, [], ['--config-dir', peer.settingsDir]);
    const ours = await answersOf(injector, certs.ca, [a, e]);
    const istiod = await startIstiod(peer.oracle, peer.settingsDir, certs.dir, injectsNative(ours.get(a.uid)!.patch));
    const theirs = await answersOf(istiod, certs.ca, [a, e]);
    const servers = [
      { s: injector, exp: expectedOf(ours) },
      { s: istiod, exp: expectedOf(theirs) },
    ];
    const fig = () => ({ rps: [], cpu: [], peakMB: 0, peakFileMB: 0, peakBrkMB: 0, readyMB: 0, other: [] }) as Figures;
    const results = { a: { injector: fig(), istiod: fig() }, e: { injector: fig(), istiod: fig() } };
    for (const { s } of servers) results.a[s.name as 'injector' | 'istiod'].readyMB = rssMB(s.pid);
    for (const c of [a, e]) {
      const byServer = results[c === a ? 'a' : 'e'];
      for (const { s, exp } of servers) await load(s, certs.ca, [c], exp, { label: `saturation (${c.id}) warm-up`, connections: 50, duration: 3 });
      for (let i = 0; i < ROUNDS; i++)
        for (const { s, exp } of servers) await measure(s, certs.ca, c, exp, byServer[s.name as 'injector' | 'istiod']);
    }
    await Promise.all(servers.map(({ s }) => s.stop()));
    writeFileSync(join(ROOT, 'bench/SATURATION.md'), report(results, loadavg()));
    console.log('\nwrote bench/SATURATION.md');
    return 0;
  } finally {
    killAll();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(certs.dir, { recursive: true, force: true });
    rmSync(peer.settingsDir, { recursive: true, force: true });
  }
}

type Results = Record<'a' | 'e', Record<'injector' | 'istiod', Figures>>;

function report(r: Results, load: number[]): string {
  const ratio = (c: 'a' | 'e') => median(r[c].injector.rps) / median(r[c].istiod.rps);
  const row = (c: 'a' | 'e', title: string) =>
    `| ${title} | ${median(r[c].injector.rps).toFixed(0)} req/s (${span(r[c].injector.rps)}), CPU ${median(r[c].injector.cpu).toFixed(0)}% | ${median(r[c].istiod.rps).toFixed(0)} req/s (${span(r[c].istiod.rps)}), CPU ${median(r[c].istiod.cpu).toFixed(0)}% | ${ratio(c).toFixed(2)}× | ${r[c].injector.peakMB.toFixed(1)} MB | ${r[c].istiod.peakMB.toFixed(1)} MB | ${span([...r[c].injector.other, ...r[c].istiod.other])}% |`;
  const ePeak = r.e.injector.peakMB;
  const peakAll = Math.max(ePeak, r.a.injector.peakMB);
  const { limitMB } = deployment();
  return [
    '# Saturation: the injector and istiod, (a) and (e)',
    '',
    `\`npm run bench:saturation\`, ${new Date().toISOString()}, ${ROUNDS} rounds of ${SECS} s per server and case (alternating), 50 connections, Istio's chart config for both; load average before: ${load.map((x) => x.toFixed(2)).join(' ')}. Median req/s (range); peak RSS over the case's warm-up and rounds; "others": CPU other processes used meanwhile (% of one core).`,
    '',
    '| Case | Injector | istiod | Ratio | Injector peak RSS | istiod peak RSS | Others |',
    '|---|---|---|---|---|---|---|',
    row('a', '(a) the same pod'),
    row('e', '(e) every pod differs'),
    '',
    `RSS when ready: injector ${r.a.injector.readyMB.toFixed(1)} MB, istiod ${r.a.istiod.readyMB.toFixed(1)} MB.`,
    '',
    peakParts(r.e.injector, r.e.istiod),
    '',
    '| Goal (issue 15) | Measured | Met |',
    '|---|---|---|',
    `| \`/inject\` throughput ≥ 5× istiod's, typical pod (a) | ${ratio('a').toFixed(2)}× | ${ratio('a') >= 5 ? '✅ yes' : '❌ **no**'} |`,
    `| \`/inject\` throughput ≥ 3× istiod's, every pod differs (e) | ${ratio('e').toFixed(2)}× | ${ratio('e') >= 3 ? '✅ yes' : '❌ **no**'} |`,
    `| Peak RSS ≤ 150 MB under (e) | ${ePeak.toFixed(1)} MB | ${ePeak <= 150 ? '✅ yes' : '❌ **no**'} |`,
    `| Peak RSS within the install's memory limit (issue 17: deploy/base, the chart the same), (a) and (e) | ${peakAll.toFixed(1)} MB of ${limitMB.toFixed(0)} MB (${((100 * peakAll) / limitMB).toFixed(0)} %) | ${peakAll <= limitMB ? '✅ yes' : '❌ **no**'} |`,
    '',
  ].join('\n');
}

const guard = setTimeout(() => {
  console.error('bench:saturation: still running after 20 minutes; giving up');
  killAll();
  process.exit(2);
}, 20 * 60_000);
guard.unref();
main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    killAll();
    process.exitCode = 1;
  },
);
