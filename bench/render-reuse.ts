// `npm run bench:render`: what one admission costs in-process (JSON.parse of the review, then admit) when
// its renders are reused and when they cannot be. Replicas of one Deployment reuse; pods of 64 different
// apps in turn overflow the 32 renders kept per template, so each is rendered afresh. No server, no TLS:
// the core alone, with the embedded default settings, as `npm start` has them.
import { cpus } from 'node:os';
import { readSettingsDir } from '../src/config/config-dir.ts';
import { admit } from '../src/core/admission.ts';
import { buildSettings } from '../src/core/settings/index.ts';
import { pod, review } from './reviews.ts';

const ROUNDS = 5;
const settings = buildSettings({ ...readSettingsDir(undefined), nativeSidecars: 'false' });
const apps = (n: number) =>
  Array.from({ length: n }, (_, i) => review(`render-${n}-${i}`, pod(`app${i}`, { containers: 1, envVars: 6, probes: false })));
const cases = [
  { title: 'one pod again and again (every render reused)', bodies: apps(1), n: 5000 },
  { title: '16 apps in turn (every render reused)', bodies: apps(16), n: 5000 },
  { title: '64 apps in turn (no render reused)', bodies: apps(64), n: 600 },
];

function run(bodies: string[], n: number): { wallUs: number; cpuUs: number } {
  const once = (i: number) => {
    const out = admit(JSON.parse(bodies[i % bodies.length]!), { settings, urlEnv: {} });
    if (out.result !== 'injected') throw new Error(`not injected: ${out.reason}`);
  };
  for (let i = 0; i < Math.min(n, 300); i++) once(i); // warm-up (and the memo filled as it will be)
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) once(i);
  const c = process.cpuUsage(c0);
  return { wallUs: ((performance.now() - t0) * 1000) / n, cpuUs: (c.user + c.system) / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${new Date().toISOString()}; ${cpus()[0]?.model ?? '?'}; Node ${process.version}; median of ${ROUNDS} rounds, cases in turn`);
const results = cases.map(() => [] as Array<{ wallUs: number; cpuUs: number }>);
for (let r = 0; r < ROUNDS; r++) for (const [k, c] of cases.entries()) results[k]!.push(run(c.bodies, c.n));
console.log('| Admission, in-process | µs per admission (wall) | CPU µs | rounds (wall) |\n|---|---|---|---|');
cases.forEach((c, k) => {
  const w = results[k]!.map((x) => x.wallUs);
  console.log(
    `| ${c.title} | ${median(w).toFixed(0)} | ${median(results[k]!.map((x) => x.cpuUs)).toFixed(0)} | ${Math.min(...w).toFixed(0)}–${Math.max(...w).toFixed(0)} |`,
  );
});
