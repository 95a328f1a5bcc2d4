// CPU profiles of the injector under load: `node --cpu-prof` on the production build, saturated with
// one case, stopped with SIGTERM (the profile is written on exit). Only the samples taken while the load
// ran count (V8's profile clock and process.hrtime are both CLOCK_MONOTONIC). Self time is aggregated by
// function name + script, inclusive time by the same key counted once per sample.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, type Expected, type Run } from './load.ts';
import type { Case } from './reviews.ts';
import { ROOT, startInjector } from './servers.ts';
import type { BenchCerts } from './tls.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  where: string;
  ms: number;
  pct: number;
}

export interface CaseProfile {
  caseId: string;
  title: string;
  loadSeconds: number;
  rps: number;
  /** CPU other processes used meanwhile, % of one core (a descheduled thread still gets samples). */
  otherCpuPct: number;
  sampledMs: number;
  idleMs: number;
  self: Row[];
  byModule: Row[];
  inclusive: Row[];
  /** Who calls the project's hottest functions (by self time). */
  callers: Array<{ fn: string; rows: Row[] }>;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function shortUrl(url: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const build = path.indexOf('/build/dist/'); // the build under test (servers.ts snapshotBuild): dist/…
  if (build >= 0) return path.slice(build + '/build/'.length);
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** dist/core/x.js -> src/core/x.ts; node_modules/pkg/... -> pkg; node:internal/... -> node internals. */
function moduleOf(f: CallFrame): string {
  const u = shortUrl(f.url);
  if (u === '') return SPECIAL.has(f.functionName) ? f.functionName : '(native: V8 builtins, JSON, RegExp)';
  if (u.startsWith('dist/')) return `src/${u.slice(5).replace(/\.js$/, '.ts')}`;
  if (u.startsWith('node:')) return 'node internals (http, tls, streams)';
  if (!u.startsWith('/')) return u.startsWith('@') ? u.split('/').slice(0, 2).join('/') : u.split('/')[0]!;
  return u;
}

export function analyse(
  p: CpuProfile,
  window: { from: number; to: number },
): Omit<CaseProfile, 'caseId' | 'title' | 'loadSeconds' | 'rps' | 'otherCpuPct'> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (f: CallFrame) => `${f.functionName || '(anonymous)'}\u0000${shortUrl(f.url)}`;
  const self = new Map<string, { ms: number; line: Map<number, number> }>();
  const mods = new Map<string, number>();
  const incl = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>(); // self time of a function, by caller
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < window.from || t > window.to) continue;
    const ms = (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0) / 1000; // a sample stands for the time until the next one
    const node = byId.get(p.samples[i]!)!;
    total += ms;
    const k = key(node.callFrame);
    const e = self.get(k) ?? { ms: 0, line: new Map<number, number>() };
    e.ms += ms;
    e.line.set(node.callFrame.lineNumber, (e.line.get(node.callFrame.lineNumber) ?? 0) + ms);
    self.set(k, e);
    const up = parent.get(node.id);
    if (up !== undefined) {
      const by = callers.get(k) ?? new Map<string, number>();
      const cf = byId.get(up)!.callFrame;
      const ck = `${key(cf)}:${cf.lineNumber + 1}`;
      by.set(ck, (by.get(ck) ?? 0) + ms);
      callers.set(k, by);
    }
    const m = moduleOf(node.callFrame);
    mods.set(m, (mods.get(m) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!shortUrl(f.url).startsWith('dist/')) continue; // inclusive time: the project's own functions
      const ik = key(f);
      if (seen.has(ik)) continue;
      seen.add(ik);
      incl.set(ik, (incl.get(ik) ?? 0) + ms);
    }
  }
  const row = (k: string, ms: number, line?: number): Row => {
    const [name, url] = k.split('\u0000') as [string, string];
    return { name, where: url === '' ? '' : line !== undefined && line >= 0 ? `${url}:${line + 1}` : url, ms, pct: (100 * ms) / total };
  };
  const top = (m: Map<string, number>, n: number) => [...m].sort((x, y) => y[1] - x[1]).slice(0, n);
  return {
    sampledMs: total,
    idleMs: self.get(key({ functionName: '(idle)', url: '', lineNumber: -1 }))?.ms ?? 0,
    self: [...self]
      .sort((x, y) => y[1].ms - x[1].ms)
      .slice(0, 25)
      .map(([k, e]) => row(k, e.ms, [...e.line].sort((x, y) => y[1] - x[1])[0]![0])),
    byModule: top(mods, 15).map(([k, ms]) => row(`${k}\u0000`, ms)),
    inclusive: top(incl, 20).map(([k, ms]) => row(k, ms)),
    callers: [...self]
      .filter(([k]) => k.split('\u0000')[1]!.startsWith('dist/'))
      .sort((x, y) => y[1].ms - x[1].ms)
      .slice(0, 3)
      .map(([k, e]) => ({
        fn: k.replace('\u0000', ' in '),
        rows: top(callers.get(k) ?? new Map(), 5).map(([ck, ms]) => ({ ...row(ck, ms), pct: (100 * ms) / e.ms })),
      })),
  };
}

/** Enough to keep the injector's one thread busy; more connections only queue. */
const CONNECTIONS = 10;

const micros = () => Number(process.hrtime.bigint() / 1000n);

export async function profileCases(
  build: string,
  serveArgs: string[],
  certs: BenchCerts,
  cases: Case[],
  expected: Expected,
  tmp: string,
  seconds: number,
): Promise<CaseProfile[]> {
  const out: CaseProfile[] = [];
  for (const c of cases) {
    const dir = join(tmp, `cpuprofile-${c.id}`);
    const injector = await startInjector(build, certs.dir, ['--cpu-prof', `--cpu-prof-dir=${dir}`], serveArgs);
    let window: { from: number; to: number } | undefined;
    let run: Run | undefined;
    try {
      await load(injector, certs.ca, [c], expected, { label: `profile warm-up (${c.id})`, connections: CONNECTIONS, duration: 2 });
      // on a shared machine, up to 3 tries: the window of the one with the least CPU taken by other processes counts
      for (let i = 0; i < 3 && (run === undefined || run.otherCpuPct > 25); i++) {
        const from = micros();
        const r = await load(injector, certs.ca, [c], expected, { label: `profile (${c.id})`, connections: CONNECTIONS, duration: seconds });
        if (run === undefined || r.otherCpuPct < run.otherCpuPct) [run, window] = [r, { from, to: micros() }];
      }
    } finally {
      await injector.stop(20_000); // SIGTERM: a clean exit writes the profile
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written in ${dir} (did the injector exit cleanly on SIGTERM?)`);
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    if (!window || !run) throw new Error(`profile of ${c.id}: no measured load`);
    const a = analyse(profile, window);
    if (a.sampledMs < seconds * 500)
      throw new Error(`profile of ${c.id}: only ${a.sampledMs.toFixed(0)} ms sampled in the ${seconds} s load window (clock mismatch?)`);
    out.push({ caseId: c.id, title: c.title, loadSeconds: seconds, rps: run.rps, otherCpuPct: run.otherCpuPct, ...a });
  }
  return out;
}

const table = (rows: Row[], head: string) => [
  `| ${head} | Where | ms | % |`,
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.name.replaceAll('|', '\\|')} | ${r.where ? `\`${r.where}\`` : ''} | ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)} |`),
];

export function profileMarkdown(profiles: CaseProfile[], cpuModel: string, load: number[]): string {
  const L = [
    '# CPU profile of the injector under load',
    '',
    `\`node --cpu-prof\` on the production build (\`dist/\`), saturated by autocannon (${CONNECTIONS} connections) after a 2 s warm-up; only the samples ` +
      `taken during the measured load count. ${cpuModel}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average after: ` +
      `${load.map((x) => x.toFixed(2)).join(' / ')}. Written by \`npm run bench\` (bench/profile.ts). Paths are of the build: \`dist/x.js\` is \`src/x.ts\`.`,
    '',
  ];
  for (const p of profiles) {
    L.push(
      `## ${p.title}`,
      '',
      `${p.loadSeconds} s at ${p.rps.toFixed(0)} req/s (other processes meanwhile: ${p.otherCpuPct.toFixed(0)}% of a core); ${p.sampledMs.toFixed(0)} ms of samples, ${((100 * p.idleMs) / p.sampledMs).toFixed(1)}% idle: ` +
        `${((p.sampledMs - p.idleMs) / (p.rps * p.loadSeconds)).toFixed(3)} ms of main-thread time per admission.`,
      '',
    );
    L.push('### Self time by function', '', ...table(p.self, 'Function'), '');
    L.push('### Self time by module', '', ...table(p.byModule, 'Module'), '');
    L.push("### Inclusive time, the project's own functions", '', ...table(p.inclusive, 'Function'), '');
    for (const c of p.callers) L.push(`### Callers of ${c.fn} (share of its self time)`, '', ...table(c.rows, 'Caller'), '');
  }
  return L.join('\n');
}
