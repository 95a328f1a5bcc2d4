// `npm run bench:render`: what the core costs in-process for a typical pod (one container, a port, 6 env
// vars, managedFields, as a ReplicaSet sends it), with the built-in settings (Istio's sidecar template and
// chart values, run by our Go template engine). No server, no TLS. Three layers, each measured alone:
//  - the sidecar template's render when it cannot be reused: data, execution, the YAML it writes read
//    back and checked (settings with `reuse: false`, so no read tracking either);
//  - injectPod when no render can be reused: decide, prepare, render, merge, post-process, patch;
//  - a whole admission (JSON.parse of the review, then admit), with reuse on as `serve` runs it: replicas
//    of one Deployment reuse; pods of 64 different apps in turn overflow the 32 renders (and workloads)
//    kept per template, so each template is run afresh (not recording what it reads: its workload was not
//    seen lately), its statements replayed where their reads agree (render/statements.ts), and its text
//    spliced into the kept render's data (render/splice.ts), not parsed again; and the same with
//    `replay: false`, in the same rounds, for what statement replay saves.
// CPU time of this thread per operation; the median of ROUNDS rounds, the cases in turn in each round
// (every other round backwards).
import { cpus, loadavg } from 'node:os';
import { readSettingsDir } from '../src/config/config-dir.ts';
import { admit } from '../src/core/admission.ts';
import { injectPod } from '../src/core/inject.ts';
import { preparePod } from '../src/core/prepare.ts';
import { buildSettings } from '../src/core/settings/index.ts';
import type { Pod } from '../src/core/types.ts';
import { pod, review } from './reviews.ts';

const ROUNDS = 7;
const NAMESPACE = 'shop';
const files = { ...readSettingsDir(undefined), nativeSidecars: 'false' as const };
const reused = buildSettings(files);
const fresh = buildSettings({ ...files, reuse: false });
const unreplayed = buildSettings({ ...files, replay: false });
const bodies = (n: number) =>
  Array.from({ length: n }, (_, i) => review(`render-${n}-${i}`, pod(`app${i}`, { containers: 1, envVars: 6, probes: false })));
const podsOf = (reviews: string[]) => reviews.map((b) => (JSON.parse(b) as { request: { object: Pod } }).request.object);

const apps64 = bodies(64);
const pods64 = podsOf(apps64);
const prepared = pods64.map((p) => preparePod(p, NAMESPACE, { settings: fresh, namespace: NAMESPACE }, []).render);

function admitted(list: string[], settings = reused) {
  return (i: number) => {
    const out = admit(JSON.parse(list[i % list.length]!), { settings, urlEnv: {} });
    if (out.result !== 'injected') throw new Error(`not injected: ${out.reason}`);
  };
}

const cases: Array<{ title: string; run: (i: number) => void; n: number }> = [
  {
    title: '**Go render of the sidecar template, not reused** (64 apps in turn)',
    run: (i) => fresh.templates.render('sidecar', prepared[i % 64]!),
    n: 3000,
  },
  {
    title: '**injectPod, no render reused** (64 apps in turn)',
    run: (i) => injectPod(pods64[i % 64]!, { settings: fresh, namespace: NAMESPACE }),
    n: 3000,
  },
  { title: 'admission: one pod again and again (every render reused)', run: admitted(bodies(1)), n: 5000 },
  { title: 'admission: 16 apps in turn (every render reused)', run: admitted(bodies(16)), n: 5000 },
  { title: 'admission: 64 apps in turn (no render reused whole: run, statements replayed, then spliced)', run: admitted(apps64), n: 3000 },
  { title: 'admission: 64 apps in turn, no statement replayed (`replay: false`)', run: admitted(apps64, unreplayed), n: 3000 },
];

function measure(run: (i: number) => void, n: number): { wallUs: number; cpuUs: number } {
  for (let i = 0; i < Math.min(n, 300); i++) run(i); // warm-up (and the memo filled as it will be)
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) run(i);
  const c = process.cpuUsage(c0);
  return { wallUs: ((performance.now() - t0) * 1000) / n, cpuUs: (c.user + c.system) / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `${new Date().toISOString()}; ${cpus()[0]?.model ?? '?'}; Node ${process.version}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; median of ${ROUNDS} rounds, cases in turn (every other round backwards)`,
);
const results = cases.map(() => [] as Array<{ wallUs: number; cpuUs: number }>);
// every other round in reverse order: a case otherwise always pays the garbage of the one before it
for (let r = 0; r < ROUNDS; r++) {
  const order = [...cases.keys()];
  for (const k of r % 2 === 0 ? order : order.reverse()) results[k]!.push(measure(cases[k]!.run, cases[k]!.n));
}
console.log('| In-process, typical pod | CPU µs per operation | rounds (CPU µs) | wall µs |\n|---|---|---|---|');
cases.forEach((c, k) => {
  const cpu = results[k]!.map((x) => x.cpuUs);
  console.log(
    `| ${c.title} | ${median(cpu).toFixed(0)} | ${Math.min(...cpu).toFixed(0)}–${Math.max(...cpu).toFixed(0)} | ${median(results[k]!.map((x) => x.wallUs)).toFixed(0)} |`,
  );
});
