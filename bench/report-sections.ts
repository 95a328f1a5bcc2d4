// The sections of bench/RESULTS.md after the goals: figures, env vars, requests, failures, method.
import { f1, f2, f3, peakRss } from './format.ts';
import { allRuns, failed } from './load.ts';
import type { Measurements } from './report.ts';
import { figure, figureTable, lat, MEAN, RPS, underLoad } from './report-tables.ts';
import { DISTINCT_PODS, ENV_COUNTS } from './reviews.ts';
import { imageRuntime, type ServerName } from './servers.ts';

const measuredIstiod = (m: Measurements) => 'native' in m.istiod;

function imageCommand(): string {
  const { nodeArgs, env } = imageRuntime();
  return [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'node', ...nodeArgs, 'dist/cli/main.js'].join(' ');
}

/** Mean time per admission (1 connection) of one case, for one server (NaN when not measured). */
export const perAdmissionMs = (m: Measurements, id: string, s: ServerName) => figure(m.perCase[id]!, s, MEAN);

/** Linearity in env vars: slope over 10 -> 2000, and the per-var cost of the 100 -> 1000 and 1000 -> 2000 steps. */
export function linearity(m: Measurements, s: ServerName) {
  const t = ENV_COUNTS.map((n) => perAdmissionMs(m, `d${n}`, s));
  const [n10, n100, n1000, n2000] = ENV_COUNTS as [number, number, number, number];
  const step1 = (t[2]! - t[1]!) / (n1000 - n100);
  const step2 = (t[3]! - t[2]!) / (n2000 - n1000);
  return { slope: (t[3]! - t[0]!) / (n2000 - n10), step1, step2, ratio: step2 / step1 };
}

export function figuresSection(m: Measurements): string[] {
  const withIstiod = measuredIstiod(m);
  const t = figureTable(withIstiod);
  const count = (n: number) => n.toFixed(0);
  const L = [`## Figures, injector vs floor${withIstiod ? ' and istiod' : ''} (same run)`, '', ...t.header];
  L.push(t.row('Throughput at saturation, (a), 50 connections', m.saturation, RPS, count, 'req/s'));
  L.push(t.row('Server CPU at saturation (% of one core)', m.saturation, (r) => r.usage.cpuPct, count, '%'));
  L.push(t.row('Load client CPU at saturation (% of one core)', m.saturation, (r) => r.clientCpuPct, count, '%'));
  L.push(t.row('Latency at saturation, p99', m.saturation, lat('p99'), f2, 'ms'));
  L.push(t.row('Throughput at saturation, (e) every pod differs, 50 connections', m.saturationE, RPS, count, 'req/s'));
  L.push(t.row('Server CPU at saturation, (e) (% of one core)', m.saturationE, (r) => r.usage.cpuPct, count, '%'));
  L.push(t.row('Latency at saturation, (e), p99', m.saturationE, lat('p99'), f2, 'ms'));
  L.push(t.row('RSS peak at saturation, (e)', m.saturationE, peakRss, f1, 'MB'));
  L.push(t.row('500 req/s overallRate, (a), 10 connections: answered', m.fixedRate, RPS, count, 'req/s'));
  for (const q of ['p50', 'p90', 'p99', 'max'] as const) L.push(t.row(`500 req/s overallRate, (a): ${q}`, m.fixedRate, lat(q), f2, 'ms'));
  L.push(t.row('500 req/s evenly spaced, (a): answered', m.evenRate, RPS, count, 'req/s'));
  for (const q of ['p50', 'p90', 'p99', 'max'] as const) L.push(t.row(`500 req/s evenly spaced, (a): ${q}`, m.evenRate, lat(q), f2, 'ms'));
  for (const c of m.cases) L.push(t.row(`Per admission, ${c.title}: mean, 1 connection`, m.perCase[c.id]!, MEAN, f2, 'ms'));
  for (const c of m.cases) L.push(t.row(`Per admission, ${c.title}: p50`, m.perCase[c.id]!, lat('p50'), f2, 'ms'));
  const ih = m.idle.injectorHeap;
  L.push(
    t.fixed(
      'RSS when ready, before any load (injector heap used / total)',
      { injector: m.idle.injectorMB, floor: m.idle.floorMB, istiod: m.idle.istiodMB },
      f1,
      'MB',
      `${f1(m.idle.injectorMB)} MB (${ih ? `${f1(ih.usedMB)} / ${f1(ih.totalMB)} MB` : '?'})`,
    ),
  );
  const peak = (s: ServerName) => (s !== 'istiod' || withIstiod ? Math.max(...underLoad(s).map(peakRss)) : undefined);
  L.push(
    t.fixed('RSS peak under load (every run but the soak)', { injector: peak('injector'), floor: peak('floor'), istiod: peak('istiod') }, f1, 'MB'),
  );
  const heapPeak = (k: 'usedMB' | 'totalMB' | 'externalMB') => Math.max(...underLoad('injector').flatMap((r) => r.usage.heap.map((x) => x[k])));
  const heap = `${f1(heapPeak('usedMB'))} / ${f1(heapPeak('totalMB'))} / ${f1(heapPeak('externalMB'))} MB`;
  L.push(t.fixed('Injector V8 heap peak under load: used / total / external', {}, f1, 'MB', heap));
  const h = m.heapAfterLoad;
  if (h)
    L.push(
      t.fixed(
        'Injector V8 heap at rest after those runs: used / total / external',
        {},
        f1,
        'MB',
        `${f1(h.usedMB)} / ${f1(h.totalMB)} / ${f1(h.externalMB)} MB`,
      ),
    );
  L.push('');
  return L;
}

export function envTable(m: Measurements): string[] {
  const withIstiod = measuredIstiod(m);
  const L = [
    '## Env vars: time per admission (1 connection, mean)',
    '',
    `| Env vars | Request bytes | Injector ms | Floor ms | Injector − floor ms |${withIstiod ? ' istiod ms | Injector / istiod |' : ''}`,
    `|---|---|---|---|---|${withIstiod ? '---|---|' : ''}`,
  ];
  for (const n of ENV_COUNTS) {
    const id = `d${n}`;
    const [inj, floor, ist] = (['injector', 'floor', 'istiod'] as const).map((s) => perAdmissionMs(m, id, s)) as [number, number, number];
    const request = m.sizes.find((s) => s.id === id)!.request;
    L.push(`| ${n} | ${request} | ${f2(inj)} | ${f2(floor)} | ${f2(inj - floor)} |${withIstiod ? ` ${f2(ist)} | ${f2(inj / ist)}× |` : ''}`);
  }
  const lin = linearity(m, 'injector');
  const linFloor = linearity(m, 'floor');
  const linIstiod = linearity(m, 'istiod');
  L.push(
    '',
    `Per env var, injector: ${f3(lin.slope * 1000)} µs over 10 → 2,000; ${f3(lin.step1 * 1000)} µs per var 100 → 1,000 and ${f3(lin.step2 * 1000)} µs per var 1,000 → 2,000 (ratio ${f2(lin.ratio)}; ≈ 1 is linear, ≈ 2.7 would be quadratic). ` +
      `Floor: ${f3(linFloor.slope * 1000)} µs per var (ratio ${f2(linFloor.ratio)}). Injector / floor slope: ${f2(lin.slope / linFloor.slope)}×.` +
      (withIstiod
        ? ` istiod: ${f3(linIstiod.slope * 1000)} µs per var (ratio ${f2(linIstiod.ratio)}); injector / istiod slope: ${f2(lin.slope / linIstiod.slope)}×.`
        : ''),
    '',
  );
  return L;
}

export function requestsTable(m: Measurements): string[] {
  const withIstiod = measuredIstiod(m);
  const bytes = (b: { min: number; max: number }) => (b.min === b.max ? `${b.min}` : `${b.min}–${b.max}`);
  const ops = (n: number, native: string) => (n === 0 ? native : `${n} operations`);
  const L = [
    '## Requests',
    '',
    `| Case | Request bytes | Answer bytes (injector = floor) | Patch |${withIstiod ? ' istiod answer bytes | istiod patch |' : ''}`,
    `|---|---|---|---|${withIstiod ? '---|---|' : ''}`,
  ];
  for (const s of m.sizes) {
    const theirs = s.istiod ? ` ${bytes(s.istiod)} | ${ops(s.istiod.ops, 'empty (`W10=`, i.e. `[]`)')} |` : withIstiod ? ' | |' : '';
    L.push(`| ${s.title} | ${s.request} | ${bytes(s.injector)} | ${ops(s.injector.ops, 'none (nothing to change)')} |${theirs}`);
  }
  L.push('');
  return L;
}

export function failuresSection(bad: number): string[] {
  const handshakes = allRuns.reduce((a, r) => a + r.handshakes, 0);
  const L = ['## Failures', ''];
  L.push(
    bad === 0
      ? `None: every one of ${allRuns.reduce((a, r) => a + r.responses, 0)} answers was HTTP 200 with the request's uid and \`allowed: true\`, with a patch exactly when that server's first answer to that review had one; no connection errors or timeouts; ${handshakes} TLS handshakes, all verified against the test CA.`
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
  return L;
}

export function methodSection(m: Measurements): string[] {
  const istiod =
    'native' in m.istiod
      ? `- **istiod**: istiod's own webhook handler (\`istio.io/istio/pkg/kube/inject\` at the oracle's pinned version, wrapped by \`test/oracle\`, built with Go by \`scripts/build-oracle.sh\`) serving \`/inject\` over HTTPS (Go's net/http, TLS ≥ 1.2, the same certificate) in its own process: \`oracle serve --listen 127.0.0.1:0 --cert --key --dir D\`, where D is Istio's default profile rendered by Istio's own renderer (\`istio-sidecar-injector\` config/values, \`istio\` mesh ConfigMap data)${m.istioConfig ? ', the directory our injector serves too' : ', the settings our built-in configuration stands for'}, and \`ENABLE_NATIVE_SIDECARS=${m.istiod.native}\`, as the injector decided here. Go uses every core (GOMAXPROCS by default), so at saturation it may use more than one (row "Server CPU"). Its answers differ from ours in bytes (its own templates and images), so each server's answers under load are checked against its own first answer. It re-injects (c), a pod our injector injected, with a patch of its own (see Requests: its image, from the chart's defaults at that version, and the proxy's env in its own order); a pod it injected itself gets the empty patch \`W10=\` (\`[]\`).`
      : `- **istiod**: not measured: ${m.istiod.missing}. With Go on the PATH, \`scripts/build-oracle.sh\` builds it (once, cached).`;
  return [
    '## Method',
    '',
    `- **Injector**: the production build (\`tsconfig.build.json\`, compiled for the run into a temporary directory with a copy of \`templates/\`, so a rebuild or clean of \`dist/\` meanwhile cannot change it), started as the image starts it (the Dockerfile's ENV and ENTRYPOINT: \`${imageCommand()}\`) with \`serve --cert-dir D --host 127.0.0.1 --port P --ops-port Q --log-level warn${m.istioConfig ? ' --config-dir S' : ''}\` (${m.istioConfig ? "Istio's chart config unchanged: S is the directory istiod reads below, the `istio-sidecar-injector` ConfigMap's `config` (Istio's Go templates) and `values` and the `istio` ConfigMap's `mesh`, as Istio's renderer writes them" : "built-in configuration: the oracle was not there to render Istio's"}), a child process on free ports, ready when \`/readyz\` says so. A CA and a server certificate for 127.0.0.1 are made for the run.`,
    "- **Floor** (`bench/floor-server.ts`): a bare `https.createServer` (TLS ≥ 1.2, the same certificate) in its own child process that reads the body, `JSON.parse`s the AdmissionReview and answers `{apiVersion, kind, response: {uid, allowed, patchType, patch}}` with the request's uid and the injector's own base64 patch for that review (for (e), one of the same size): the same answer, byte for byte in size. It runs as plain JavaScript, like the built injector.",
    istiod,
    `- **Reviews** (\`bench/reviews.ts\`): pods as the API server sends them after defaulting and its built-in admission plugins, with the ReplicaSet controller's managedFields. (c) is (a) with the injector's patch applied; re-injecting it changes nothing, so the injector and the floor answer \`allowed: true\` without a patch. (e) cycles through ${DISTINCT_PODS} reviews, pods of ${DISTINCT_PODS} different Deployments shaped as (a) (app name in the labels, generateName and container name, all read by the templates), so no render can be reused: the injector keeps 32 per template. Under load each request takes the next of them across all connections (autocannon alone would walk the list on each connection from its start, 50 connections sending the same pod at once).`,
    "- **Load**: autocannon 8 in the bench process, HTTPS, pipelining 1, the test CA in `tlsOptions`. autocannon forces `rejectUnauthorized: false`, so the bench checks every handshake (`socket.authorized`), and fetches each review once from each server with a verifying client first. Latencies are the raw per-response times (autocannon's own histogram has 1 ms resolution).",
    "- **500 req/s**: autocannon's `overallRate` gives each of the 10 connections 50 requests per second, sent back to back as fast as the server answers at the start of each second; so its percentiles include the queueing of bursts of 10 concurrent requests. The evenly spaced figure (`bench/paced.ts`, node:https, up to 50 kept-alive verified connections) sends request i at start + i × 2 ms whatever happened before and counts latency from that due time.",
    '- **Per admission**: one connection, about 3 s of requests after a 1 s warm-up; the mean includes the client, TLS and the body transfer, which the floor pays too. Saturation runs follow a 3 s warm-up.',
    '- **Kubernetes client loaded**: in a cluster, `serve` also loads @kubernetes/client-node (about 40 MB more when ready; without a cluster it is never loaded). Another injector, `serve --kubeconfig K` where K names an API server on a closed port, has the client loaded and its informers retrying; it runs the evenly spaced 500 req/s (after a 1 s warm-up at that rate), then a saturation run of (a) after a 3 s warm-up. Its runs do not count in the other figures.',
    '- **RSS/CPU**: VmRSS from `/proc/<pid>/status` and utime+stime from `/proc/<pid>/stat` of each server, every second; the V8 heap of the injector from its own `/metrics` every 5 s (a read costs it about 5 ms). "Others": CPU used meanwhile by every other process on the machine (from `/proc/stat`, less the server and the bench), in % of one core.',
    '',
  ];
}
