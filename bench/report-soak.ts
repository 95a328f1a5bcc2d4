// The 2-minute RSS soak (BENCH_SOAK=1): its figures, kept in bench/soak-last.json so that a run without
// the soak still shows the last measured ones (marked as such), and its section of bench/RESULTS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f1, f2, mid, peakRss } from './format.ts';
import { failed, type Run } from './load.ts';
import { ROOT } from './servers.ts';

export interface SoakFigures {
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

/** This run's soak figures (kept in bench/soak-last.json), or the last ones kept. */
export function soakOf(soak: Run | undefined): { figures?: SoakFigures; fresh: boolean } {
  const file = join(ROOT, 'bench/soak-last.json');
  if (soak) {
    const figures = soakFigures(soak);
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    return { figures, fresh: true };
  }
  return existsSync(file) ? { figures: JSON.parse(readFileSync(file, 'utf8')) as SoakFigures, fresh: false } : { fresh: false };
}

/** The soak's section: `sf` from soakOf, `run` this run's soak if there was one. */
export function soakMarkdown(sf: SoakFigures | undefined, fresh: boolean, run: Run | undefined): string[] {
  const L: string[] = [];
  L.push('## RSS over 2 minutes (soak)', '');
  if (sf) {
    L.push(
      `${fresh ? 'This run' : `**Not run this time; the last soak (${sf.date}) measured:**`} ${sf.label}: ${sf.responses} answers, ${sf.failures} failures, p99 ${f2(sf.p99)} ms. ` +
        `After a 10 s warm-up, RSS had a median of ${f1(sf.firstMB)} MB in the first third and ${f1(sf.lastMB)} MB in the last (${f1(sf.driftPct)}%; flat: less than +10%, as test/load/soak.test.ts), ` +
        `and moved between ${f1(sf.minMB)} and ${f1(sf.peakMB)} MB. The rate is half of what the injector sustains for this mix (from the per-admission times), at most 500 req/s.`,
      '',
    );
    if (run) {
      const all = run.usage.samples;
      const s = all.filter((_, i) => i % 10 === 0 || i === all.length - 1);
      L.push(
        `| t (s) | ${s.map((x) => x.t.toFixed(0)).join(' | ')} |`,
        `|---|${s.map(() => '---|').join('')}`,
        `| RSS (MB) | ${s.map((x) => x.rssMB.toFixed(0)).join(' | ')} |`,
        '',
      );
      const h = run.usage.heap.filter((_, i) => i % 2 === 0);
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

  return L;
}
