// bench/HOSTILE.md: one row per attack, the goals judged per row. A run with BENCH_HOSTILE_BASELINE=1
// writes its table as the baseline section; later runs write theirs above it and keep that section, so
// the file always shows before and after.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../servers.ts';
import { SILENT_HOLD_MS } from './attacks.ts';
import type { Outcome } from './client.ts';
import type { Latencies, LoopDelay, ProcFigures } from './watch.ts';

export const GOAL = { blockMs: 100, healthzP99Ms: 200, logWriteBytes: 64 * 1024 };

export interface Row {
  title: string;
  outcome: Outcome;
  /** Undefined when the loop did not report within its wait (still blocked) or the process died. */
  loop?: LoopDelay;
  healthz: Latencies;
  proc: ProcFigures;
  /** CPU other processes used during the row, in % of one core. */
  otherCpuPct: number;
}

export interface Context {
  git: string;
  node: string;
  date: string;
  limitMB: number;
  nodeOptions: string;
  /** Where they came from: ' (as deploy/base)' or ' (BENCH_HOSTILE_NODE_OPTIONS)'. */
  nodeOptionsFrom: string;
  previewListener: string;
  totalSeconds: number;
  /** 1-minute load average when the run started (other work on this 2-core machine inflates every figure). */
  loadBefore: number;
  /** CPU other processes used just before the first attack, in % of one core. */
  otherCpu: number;
}

const ms = (n: number) => (!Number.isFinite(n) ? 'n/a' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(n < 10 ? 1 : 0)} ms`);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The worst block: the preload's figure, or (when it never reported) at least the longest /healthz wait. */
function block(r: Row): { text: string; ms: number } {
  if (r.loop) return { text: `${ms(r.loop.maxMs)} (p99 ${ms(r.loop.p99Ms)})`, ms: r.loop.maxMs };
  if (!r.proc.alive) return { text: 'n/a (process died)', ms: Infinity };
  return { text: `≥ ${ms(r.healthz.max)} (still blocked when the bench stopped waiting)`, ms: Infinity };
}

const kb = (n: number) => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
const logs = (r: Row) => (r.loop ? `${kb(r.loop.logBytes)} (${kb(r.loop.longestLogWrite)})` : 'n/a');

export function verdict(r: Row, limitMB: number): { ok: boolean; text: string } {
  const misses: string[] = [];
  if (!r.proc.alive) misses.push('process died');
  if (!(block(r).ms <= GOAL.blockMs)) misses.push('block');
  if (!(r.healthz.p99 <= GOAL.healthzP99Ms) || r.healthz.failed > 0) misses.push('/healthz');
  if (!(r.proc.peakMB <= limitMB)) misses.push('RSS');
  if (!r.outcome.ok) misses.push('answer');
  if (r.outcome.miss) misses.push(r.outcome.miss);
  if (r.loop && r.loop.longestLogWrite > GOAL.logWriteBytes) misses.push('log line');
  return { ok: misses.length === 0, text: misses.length === 0 ? '✅ all' : `❌ ${misses.join(', ')}` };
}

export function table(rows: Row[], limitMB: number): string {
  const head =
    '| Attack | Answer the attacker got | Elapsed | Worst loop block | /healthz p50 / p99 / max (probes) | Peak RSS | Logs written (longest write) | Others’ CPU | Goals |\n|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map((r) => {
    const h = r.healthz;
    const probes = `${h.probes}${h.unanswered ? `, ${h.unanswered} unanswered` : ''}${h.failed ? `, ${h.failed} failed` : ''}`;
    return (
      `| ${cell(r.title)} | ${cell(r.outcome.answer)} | ${ms(r.outcome.elapsedMs)} | ${block(r).text} | ${ms(h.p50)} / ${ms(h.p99)} / ${ms(h.max)} (${probes}) | ` +
      `${r.proc.peakMB.toFixed(0)} MB | ${logs(r)} | ${r.otherCpuPct.toFixed(0)}% | ${verdict(r, limitMB).text} |`
    );
  });
  return [head, ...lines].join('\n');
}

const BASELINE = '<!-- baseline: kept by later runs -->';

export function writeReport(rows: Row[], c: Context, asBaseline: boolean): string {
  const file = join(ROOT, 'bench/HOSTILE.md');
  const met = rows.filter((r) => verdict(r, c.limitMB).ok).length;
  const section = [
    `Measured at ${c.git}, ${c.date}, node ${c.node}, ${c.totalSeconds.toFixed(0)} s in all. Injector options: ${c.nodeOptions ? `NODE_OPTIONS=${c.nodeOptions}` : 'no NODE_OPTIONS'}${c.nodeOptionsFrom}, ` +
      `/preview on ${c.previewListener}. Load average at the start ${c.loadBefore.toFixed(2)} (${cpus().length} CPUs), other processes ${c.otherCpu.toFixed(0)}% of a core before the first attack. Goals met in ${met} of ${rows.length} rows.`,
    '',
    table(rows, c.limitMB),
  ].join('\n');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const kept = previous.includes(BASELINE) ? previous.slice(previous.indexOf(BASELINE)) : '';
  const intro = [
    '# Hostile input benchmark (`npm run bench:hostile`)',
    '',
    'Issue 12\'s attack classes at the sizes the issue measured, then (rows "at the caps") at the largest input each cap',
    'still accepts, sized from the cap constants in src (bench/hostile/caps.ts; a row whose size is bisected or calibrated',
    'is measured before it is watched). Each row runs against a fresh injector process (the production build, with',
    "deploy/base's NODE_OPTIONS), while the bench probes /healthz on the ops port every 20 ms.",
    '',
    '- **Worst loop block**: `perf_hooks.monitorEventLoopDelay` inside the injector (a preload, read and reset around',
    '  each attack). A loop still blocked 15 s after the answer (waited for at most 30 s) shows as "≥" the longest probe wait.',
    '- **/healthz**: latency of every probe sent during the attack, each on a new connection as a kubelet makes it;',
    '  probes still waiting at the end count with the time they had waited; failed ones (refused, cut, not 200) apart.',
    '- **Peak RSS**: VmHWM of the injector process. It runs here without a memory cgroup, so V8 sizes its heap from',
    '  the machine, not from the limit: an RSS above the limit is what the attack would need; in the cluster the',
    '  container would be OOM-killed (or its heap exhausted) instead.',
    '- **Logs written**: bytes the injector wrote to stdout/stderr during the attack, and its longest single write.',
    '- **Others’ CPU**: what other processes took during the row (% of one core; the machine has two). Figures near',
    '  a goal move with it.',
    `- **Goals**: worst block ≤ ${GOAL.blockMs} ms, /healthz p99 ≤ ${GOAL.healthzP99Ms} ms and no failed probe, peak RSS ≤ ${c.limitMB} MB (the`,
    "  Deployment's memory limit in deploy/base), the process alive, an answer proper (a status below 500: not a 500,",
    `  a cut connection or silence), no log line over ${GOAL.logWriteBytes / 1024} KiB (echoed values clipped); for the silent connections,`,
    `  every one closed by the server within ${SILENT_HOLD_MS / 1000} s.`,
    '',
  ].join('\n');
  const body = asBaseline
    ? `${intro}\n${BASELINE}\n## Baseline (before issue 12)\n\n${section}\n`
    : `${intro}\n## Latest run\n\n${section}\n\n${kept}`;
  writeFileSync(file, body.endsWith('\n') ? body : `${body}\n`);
  return section;
}
