// Load with autocannon over HTTPS (pipelining 1), every answer checked: HTTP 200, the request's uid,
// allowed: true, and a patch exactly when that server's own first answer to that review had one (istiod
// answers an injected pod with an empty patch, `W10=`, where ours has none). Latencies are kept raw
// (autocannon's histogram has 1 ms resolution) and the server's RSS/CPU sampled every second.
import autocannon, { type Client, type Options, type Request } from 'autocannon';
import { performance } from 'node:perf_hooks';
import { CLK_TCK, machineBusyTicks, sampleProcess, type Usage } from './proc.ts';
import { reviewsOf, type Case } from './reviews.ts';
import type { Server } from './servers.ts';

export interface Stats {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Failures {
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Of which timeouts (no answer within 10 s). */
  timeouts: number;
  /** Answers that were 200 but not the expected AdmissionReview. */
  mismatches: number;
  /** TLS handshakes whose certificate did not verify against the test CA. */
  unverifiedTls: number;
  /** A run stopped by its deadline. */
  overran: number;
}

export interface Run {
  server: Server['name'];
  label: string;
  responses: number;
  seconds: number;
  rps: number;
  latency: Stats;
  failures: Failures;
  handshakes: number;
  usage: Usage;
  /** CPU of the load client (this process) and of every other process on the machine, % of one core. */
  clientCpuPct: number;
  otherCpuPct: number;
}

export interface LoadSpec {
  label: string;
  connections: number;
  duration?: number;
  amount?: number;
  overallRate?: number;
}

/** Every run's failures, so the report can say loudly that something went wrong. */
export const allRuns: Run[] = [];

/** Requests that failed (timeouts are among the errors). */
export function failed(f: Failures): number {
  return f.non2xx + f.errors + f.mismatches + f.unverifiedTls + f.overran;
}

/** Measures the CPU of this process and of the rest of the machine (minus the server) around a run. */
export function machineMeter(): { stop(server: Usage): { clientCpuPct: number; otherCpuPct: number } } {
  const t0 = Date.now();
  const busy0 = machineBusyTicks();
  const self0 = process.cpuUsage();
  return {
    stop(server) {
      const secs = (Date.now() - t0) / 1000;
      const self = process.cpuUsage(self0);
      const selfTicks = ((self.user + self.system) / 1e6) * CLK_TCK;
      const other = machineBusyTicks() - busy0 - selfTicks - server.ticks;
      const pct = (ticks: number) => (ticks / CLK_TCK / secs) * 100;
      return { clientCpuPct: pct(selfTicks), otherCpuPct: Math.max(0, pct(other)) };
    },
  };
}

/** The one-line summary of a run, loud when something failed. */
export function logRun(run: Run): void {
  const bad = failed(run.failures);
  const line =
    `${run.server.padEnd(8)} ${run.label.padEnd(36)} ${run.rps.toFixed(0).padStart(6)} req/s  mean ${run.latency.mean.toFixed(2)} ms  p99 ${run.latency.p99.toFixed(2)} ms  ` +
    `cpu ${run.usage.cpuPct.toFixed(0)}%  rss ${Math.max(...run.usage.samples.map((s) => s.rssMB)).toFixed(0)} MB  client ${run.clientCpuPct.toFixed(0)}%  others ${run.otherCpuPct.toFixed(0)}%`;
  console.log(bad ? `${line}  !!! ${bad} FAILED: ${JSON.stringify(run.failures)}` : line);
}

export function stats(ms: number[]): Stats {
  if (ms.length === 0) return { mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const s = Float64Array.from(ms).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1]! };
}

/** What a correct answer from one server looks like: uid -> whether it carries a patch. */
export type Expected = Map<string, boolean>;

export function verifier(expected: Expected): (body: string) => boolean {
  return (body) => {
    const uid = /"uid":"([^"]*)"/.exec(body)?.[1];
    const patched = uid === undefined ? undefined : expected.get(uid);
    return patched !== undefined && body.includes('"allowed":true') && body.includes('"patch":"') === patched;
  };
}

/**
 * One request whose body is the next of `bodies` across all connections: autocannon walks a `requests`
 * list per connection from its start, so 50 connections would send the same pod at about the same time
 * (and a server that keeps recent renders would reuse them); here each request takes the next pod.
 */
function inTurn(bodies: string[]): Request {
  let next = 0;
  return { setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length]! }) };
}

export async function load(server: Server, ca: string, cases: Case[], expected: Expected, spec: LoadSpec): Promise<Run> {
  let handshakes = 0;
  let unverifiedTls = 0;
  const setupClient = (client: Client) => {
    const connect = client._connect;
    if (!connect) return;
    client._connect = () => {
      connect.call(client); // autocannon forces rejectUnauthorized: false, so check what the CA says ourselves
      const conn = client.conn;
      conn?.once('secureConnect', () => {
        handshakes++;
        if (!conn.authorized) unverifiedTls++;
      });
    };
  };
  const reviews = cases.flatMap(reviewsOf);
  const opts: Options = {
    url: server.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: spec.connections,
    pipelining: 1,
    timeout: 10,
    tlsOptions: { ca, minVersion: 'TLSv1.2' },
    verifyBody: verifier(expected),
    setupClient,
    ...(reviews.length === 1 ? { body: reviews[0]!.body } : { requests: [inTurn(reviews.map((c) => c.body))] }),
    ...(spec.duration !== undefined ? { duration: spec.duration } : {}),
    ...(spec.amount !== undefined ? { amount: spec.amount } : {}),
    ...(spec.overallRate !== undefined ? { overallRate: spec.overallRate } : {}),
  };
  const latencies: number[] = [];
  const sampler = sampleProcess(server);
  const meter = machineMeter();
  const started = performance.now();
  let last = started;
  const instance = autocannon(opts);
  instance.on('response', (_client, status, _bytes, ms) => {
    last = performance.now();
    if (status === 200) latencies.push(ms);
  });
  const limitMs = (spec.duration ?? 0) * 1000 + (spec.amount !== undefined ? 300_000 : 0) + 30_000;
  let overran = 0;
  const soft = setTimeout(() => {
    overran = 1;
    instance.stop();
  }, limitMs);
  let hard: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      instance,
      new Promise<never>((_, reject) => {
        hard = setTimeout(
          () => reject(new Error(`${server.name} ${spec.label}: autocannon did not finish within ${limitMs + 15_000} ms`)),
          limitMs + 15_000,
        );
      }),
    ]);
    const usage = sampler.stop();
    if (handshakes === 0) unverifiedTls = spec.connections; // the check above did not run: count every connection as unverified
    const run: Run = {
      server: server.name,
      label: spec.label,
      responses: latencies.length,
      seconds: (last - started) / 1000,
      rps: latencies.length / ((last - started) / 1000),
      latency: stats(latencies),
      failures: { non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, mismatches: result.mismatches, unverifiedTls, overran },
      handshakes,
      usage,
      ...meter.stop(usage),
    };
    allRuns.push(run);
    logRun(run);
    return run;
  } finally {
    clearTimeout(soft);
    clearTimeout(hard);
    sampler.stop();
    instance.stop();
  }
}
