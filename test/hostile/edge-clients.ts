// Clients that misbehave at the connection level, for the edge tests: one that never starts TLS, one
// that sends a body past the cap while reading the answer, one that never reads its answer; and a
// /healthz poller that records how long each answer took.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP connection that sends nothing: resolves with the ms until the server closed it (or `capMs`). */
export function silentConnection(port: number, capMs: number): Promise<number> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = netConnect(port, '127.0.0.1');
    const cap = setTimeout(() => {
      s.destroy();
      resolve(capMs);
    }, capMs);
    s.on('close', () => {
      clearTimeout(cap);
      resolve(Date.now() - t0);
    });
    s.on('error', () => undefined);
    s.resume();
  });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** A transport error seen before the answer was complete (EPIPE, ECONNRESET...). */
  error?: string;
}

/** POSTs `body` (chunked when `chunked`), reading the answer as it comes, even while still writing. */
export function postWhileReading(
  port: number,
  ca: string,
  path: string,
  body: Buffer,
  opts: { chunked?: boolean; contentType?: string } = {},
): Promise<Answer> {
  return new Promise((resolve) => {
    let answer: Answer | undefined;
    const headers: Record<string, string | number> = {
      'content-type': opts.contentType ?? 'application/json',
      ...(opts.chunked ? {} : { 'content-length': body.length }),
    };
    const req = httpsRequest({ host: '127.0.0.1', port, path, method: 'POST', ca, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        answer = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
        resolve(answer);
      });
      res.on('error', (e) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '', error: e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (!answer) resolve({ status: 0, headers: {}, body: '', error: e.code ?? e.message });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('client timeout')));
    // in 64 KiB pieces, as a client streaming a file would
    for (let i = 0; i < body.length; i += 65536) req.write(body.subarray(i, i + 65536));
    req.end();
  });
}

/** Sends a complete request, then never reads: resolves with the socket once the answer's status line is in. */
export function neverReading(port: number, ca: string, path: string, body: Buffer): Promise<{ socket: TLSSocket; statusLine: string }> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca }, () => {
      s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      s.write(body);
    });
    s.once('data', (d: Buffer) => {
      s.pause(); // from here on, nothing is read
      resolve({ socket: s, statusLine: d.toString('latin1').split('\r\n')[0]! });
    });
    s.on('error', reject);
  });
}

/** Polls GET /healthz every `everyMs` until stopped; returns each answer's latency (ms; Infinity: failed). */
export function pollHealthz(opsPort: number, everyMs = 50): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const one = () =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      const req = httpRequest({ host: '127.0.0.1', port: opsPort, path: '/healthz', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : Infinity));
      });
      req.on('error', () => resolve(Infinity));
      req.setTimeout(20_000, () => req.destroy());
      req.end();
    });
  const loop = (async () => {
    for (let i = 0; running && i < 100_000; i++) {
      latencies.push(await one());
      await sleep(everyMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}
