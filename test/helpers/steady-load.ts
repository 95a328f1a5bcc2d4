// A steady request rate over keep-alive HTTPS connections, as the API server calls a webhook: each
// request is checked against what it should have got, and latencies are kept.
import { Agent, request } from 'node:https';

export interface LoadRequest {
  body: string;
  /** true: must be allowed (injected or skipped); false: must be refused; undefined: any valid review. */
  allowed?: boolean;
}

export interface LoadResult {
  sent: number;
  ok: number;
  /** Requests that should have succeeded and did not, with why. */
  failures: string[];
  latenciesMs: number[];
}

export async function steadyLoad(opts: {
  port: number;
  ca: string;
  rate: number;
  durationMs: number;
  make(i: number): LoadRequest;
  path?: string;
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca: opts.ca });
  const result: LoadResult = { sent: 0, ok: 0, failures: [], latenciesMs: [] };
  const pending = new Set<Promise<void>>();
  const one = (i: number) => {
    const r = opts.make(i);
    const t0 = performance.now();
    const p = new Promise<void>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: opts.port,
          path: opts.path ?? '/inject',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            result.latenciesMs.push(performance.now() - t0);
            try {
              const allowed = JSON.parse(Buffer.concat(chunks).toString()).response.allowed;
              if (res.statusCode !== 200) result.failures.push(`#${i}: HTTP ${res.statusCode}`);
              else if (r.allowed !== undefined && allowed !== r.allowed) result.failures.push(`#${i}: allowed=${allowed}, want ${r.allowed}`);
              else result.ok++;
            } catch (e) {
              result.failures.push(`#${i}: ${(e as Error).message}`);
            }
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        result.failures.push(`#${i}: ${e.message}`);
        resolve();
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timed out after 10 s')));
      req.end(r.body);
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  };
  const start = performance.now();
  while (performance.now() - start < opts.durationMs) {
    const due = Math.floor(((performance.now() - start) / 1000) * opts.rate);
    while (result.sent < due) one(result.sent++);
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  agent.destroy();
  return result;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
}
