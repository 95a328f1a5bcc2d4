// The report's tables of figures: each server's figure (the median of its rounds) beside the injector's
// ratio to the floor and, when istiod was measured, to istiod.
import { f2 } from './format.ts';
import { allRuns, type Run } from './load.ts';
import type { ServerName } from './servers.ts';

/** Runs of one measurement, per server, in rounds (istiod absent when it was not measured). */
export type ByServer = { injector: Run[]; floor: Run[]; istiod?: Run[] };

export type Metric = (r: Run) => number;
export const RPS: Metric = (r) => r.rps;
export const MEAN: Metric = (r) => r.latency.mean;
export const lat =
  (q: 'p50' | 'p90' | 'p99' | 'max'): Metric =>
  (r) =>
    r.latency[q];

/** The run with the median value of `metric` (each figure is the median of its rounds). */
export function median(runs: Run[], metric: Metric): Run {
  return [...runs].sort((x, y) => metric(x) - metric(y))[Math.floor((runs.length - 1) / 2)]!;
}

/** A server's figure: the median over its rounds (NaN when it was not measured). */
export function figure(p: ByServer, s: ServerName, metric: Metric): number {
  const runs = p[s];
  return runs?.length ? metric(median(runs, metric)) : NaN;
}

/** Runs of a server under load, but for the soak, profiles and the Kubernetes-client injector. */
export const underLoad = (server: Run['server']) =>
  allRuns.filter((r) => r.server === server && !r.label.startsWith('soak') && !r.label.startsWith('profile') && !r.label.startsWith('kube client'));

/** x / y, with two significant digits below 0.1 (istiod can be 1,000 times slower on a queue). */
const ratio = (x: number, y: number) => `${x / y < 0.1 ? (x / y).toPrecision(2) : f2(x / y)}×`;

/** A table with the injector, the floor and (when measured) istiod, and the injector's ratio to each. */
export function figureTable(withIstiod: boolean) {
  const range = (runs: Run[] | undefined, metric: Metric, fmt: (n: number) => string) => {
    const v = (runs ?? []).map(metric);
    return v.length > 1 ? `${fmt(Math.min(...v))}–${fmt(Math.max(...v))}` : v.length ? fmt(v[0]!) : '–';
  };
  const servers: ServerName[] = withIstiod ? ['injector', 'floor', 'istiod'] : ['injector', 'floor'];
  const others = (p: ByServer) => `${Math.max(...servers.flatMap((s) => p[s] ?? []).map((r) => r.otherCpuPct)).toFixed(0)}%`;
  /** Cells of a row: the figures and ratios as given (strings), istiod's only when measured. */
  const cells = (label: string, v: Record<ServerName, string>, rf: string, ri: string, rounds: string, other: string) =>
    `| ${label} | ${v.injector} | ${v.floor} | ${rf} | ${withIstiod ? `${v.istiod} | ${ri} | ` : ''}${rounds} | ${other} |`;
  return {
    header: [
      `| Figure | Injector | Floor | Injector / floor | ${withIstiod ? 'istiod | Injector / istiod | ' : ''}Rounds: ${servers.join('; ')} | Others |`,
      `|---|---|---|---|${withIstiod ? '---|---|' : ''}---|---|`,
    ],
    /** A measured figure: each server's median, the ratios, every round's value, other processes' CPU. */
    row(label: string, p: ByServer, metric: Metric, fmt: (n: number) => string, unit: string): string {
      const u = unit === '%' ? unit : ` ${unit}`;
      const x = { injector: figure(p, 'injector', metric), floor: figure(p, 'floor', metric), istiod: figure(p, 'istiod', metric) };
      const v = { injector: `${fmt(x.injector)}${u}`, floor: `${fmt(x.floor)}${u}`, istiod: p.istiod ? `${fmt(x.istiod)}${u}` : 'n/a' };
      const rounds = servers.map((s) => range(p[s], metric, fmt)).join('; ');
      return cells(label, v, ratio(x.injector, x.floor), ratio(x.injector, x.istiod), rounds, others(p));
    },
    /** A figure measured once (RSS), with the ratios; `text` replaces the injector's cell (its figure still gives the ratios). */
    fixed(label: string, v: { injector?: number; floor?: number; istiod?: number }, fmt: (n: number) => string, unit: string, text?: string): string {
      const show = (n: number | undefined) => (n === undefined ? '' : `${fmt(n)} ${unit}`);
      const r = (y: number | undefined) => (v.injector !== undefined && y !== undefined ? ratio(v.injector, y) : '');
      return cells(label, { injector: text ?? show(v.injector), floor: show(v.floor), istiod: show(v.istiod) }, r(v.floor), r(v.istiod), '', '');
    },
  };
}
