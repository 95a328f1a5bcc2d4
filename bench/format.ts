// Number formats and small figures shared by the report's sections.
import type { Run } from './load.ts';

export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
export const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
export const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');
export const met = (ok: boolean | undefined) => (ok === undefined ? '– (not measured)' : ok ? '✅ yes' : '❌ **no**');
export const peakRss = (r: Run) => Math.max(...r.usage.samples.map((s) => s.rssMB));
export const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
