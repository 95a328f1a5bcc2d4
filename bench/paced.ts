// Evenly spaced requests (open loop), a supplement to autocannon's overallRate, which sends each
// connection's share of a second back to back at the start of the second. Here request i is due at
// start + i/rate whatever happened to earlier ones, on a pool of up to 50 kept-alive connections that
// verify the certificate; latency counts from the due time (no coordinated omission).
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { allRuns, logRun, machineMeter, stats, verifier, type Expected, type Run } from './load.ts';
import type { Case } from './reviews.ts';
import { sampleProcess } from './proc.ts';
import type { Server } from './servers.ts';

export interface PacedSpec {
  label: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
}

export async function paced(server: Server, ca: string, c: Case, expected: Expected, spec: PacedSpec): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: 50, ca, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
  const body = Buffer.from(c.body);
  const verify = verifier(expected);
  const f = { non2xx: 0, errors: 0, timeouts: 0, mismatches: 0, unverifiedTls: 0, overran: 0 };
  let handshakes = 0;
  const send = (done: (ms: number | undefined) => void, due: number) => {
    const req = request(
      server.url,
      { agent, method: 'POST', timeout: 10_000, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          if (res.statusCode !== 200) f.non2xx++;
          else if (!verify(text)) f.mismatches++;
          done(res.statusCode === 200 ? performance.now() - due : undefined);
        });
      },
    );
    req.on('socket', (s) => {
      if (!(s as TLSSocket).authorized)
        s.once('secureConnect', () => {
          handshakes++;
        });
    });
    req.on('timeout', () => {
      f.timeouts++;
      req.destroy(new Error('timeout'));
    });
    req.on('error', () => {
      f.errors++;
      done(undefined);
    });
    req.end(body);
  };
  /** Sends rate*seconds requests, each at its due time; resolves when all have answered (or the deadline passed). */
  const phase = (seconds: number, record: number[] | undefined) =>
    new Promise<void>((resolve) => {
      const total = Math.round(spec.rate * seconds);
      if (total === 0) return resolve();
      const start = performance.now() + 5;
      let sent = 0;
      let answered = 0;
      const deadline = setTimeout(
        () => {
          f.overran++;
          resolve();
        },
        seconds * 10_000 + 30_000, // a server 10 times slower than the rate (istiod on a busy machine) still answers all: its latency is the figure
      );
      const done = (ms: number | undefined) => {
        if (ms !== undefined) record?.push(ms);
        if (++answered === total) {
          clearTimeout(deadline);
          resolve();
        }
      };
      const tick = () => {
        const now = performance.now();
        while (sent < total && start + (sent * 1000) / spec.rate <= now) send(done, start + (sent++ * 1000) / spec.rate);
        if (sent < total) setTimeout(tick, Math.max(0, start + (sent * 1000) / spec.rate - performance.now()));
      };
      tick();
    });
  try {
    await phase(spec.warmupSeconds, undefined);
    const latencies: number[] = [];
    const sampler = sampleProcess(server);
    const meter = machineMeter();
    const t0 = performance.now();
    await phase(spec.seconds, latencies);
    const seconds = (performance.now() - t0) / 1000;
    const usage = sampler.stop();
    const run: Run = {
      server: server.name,
      label: spec.label,
      responses: latencies.length,
      seconds,
      rps: latencies.length / seconds,
      latency: stats(latencies),
      failures: f,
      handshakes,
      usage,
      ...meter.stop(usage),
    };
    allRuns.push(run);
    logRun(run);
    return run;
  } finally {
    agent.destroy();
  }
}
