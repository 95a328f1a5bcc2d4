// The attacker's side of `npm run bench:hostile`: one request, bounded in time, and what came back in a
// line a reader can judge (status, allowed, the first 120 characters of the message and its size).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Outcome {
  status?: number;
  /** What the client saw, e.g. `200 allowed=false: <message>` or `no answer within 30 s`. */
  answer: string;
  elapsedMs: number;
  bytes: number;
  /** An answer proper: an HTTP status below 500 (not a 500, a cut connection or silence). */
  ok: boolean;
  /** A goal of this attack's own that was missed (e.g. connections held too long). */
  miss?: string;
}

const KEEP = 16 * 2 ** 20; // bodies up to this are kept whole (to read their message); beyond it, only counted

export function clip(s: string, n = 120): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > n ? `${flat.slice(0, n)}…` : flat;
}

const size = (n: number) => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`);

/** The message a reader needs from a response body: AdmissionReview, a JSON error, or the text itself. */
export function describe(status: number, body: string, bytes: number): string {
  let msg = body;
  let prefix = `${status}`;
  try {
    const v = JSON.parse(body) as {
      response?: { allowed?: boolean; status?: { message?: string } };
      error?: { code?: string; message?: string };
      items?: unknown[];
    };
    if (v.response && typeof v.response.allowed === 'boolean') {
      prefix += ` allowed=${v.response.allowed}`;
      msg = v.response.status?.message ?? '';
    } else if (v.error) {
      msg = `${v.error.code ?? ''} ${v.error.message ?? ''}`.trim();
    } else if (Array.isArray(v.items)) {
      msg = `${v.items.length} items`;
    }
  } catch {
    /* not JSON (or too large to keep): the text */
  }
  const long = msg.length > 120 ? ` (message ${size(Buffer.byteLength(msg))})` : '';
  msg = msg.trim();
  return `${prefix}${msg ? `: ${clip(msg)}` : ''}${long}${bytes > 64 * 1024 ? ` [${size(bytes)} body]` : ''}`;
}

export interface Target {
  url: string;
  ca: string;
}

/**
 * POSTs `body` (with a Content-Length, or chunked) and waits at most `timeoutMs` for the whole answer. Transport errors (EPIPE, ECONNRESET)
 * are answers too: they are what the client saw.
 */
export function post(target: Target, body: string | Buffer, contentType: string, timeoutMs = 30_000, chunked = false): Promise<Outcome> {
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: Omit<Outcome, 'elapsedMs' | 'ok'>, complete = true) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...o, elapsedMs: elapsed(), ok: complete && o.status !== undefined && o.status < 500 });
    };
    const https = target.url.startsWith('https:');
    const options = {
      method: 'POST',
      agent: false,
      ...(https ? { ca: target.ca } : {}),
      headers: { 'content-type': contentType, ...(chunked ? {} : { 'content-length': Buffer.byteLength(body) }) },
    };
    const req = (https ? httpsRequest : httpRequest)(target.url, options, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes <= KEEP) chunks.push(c);
        else if (chunks.length > 0 && bytes - c.length <= KEEP) chunks.splice(0, chunks.length, Buffer.concat(chunks).subarray(0, 4096));
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        settle({ status, bytes, answer: describe(status, Buffer.concat(chunks).toString('utf8'), bytes) });
      });
      res.on('error', (e) =>
        settle({ status: res.statusCode, bytes, answer: `${res.statusCode}, then ${(e as NodeJS.ErrnoException).code ?? e.message}` }, false),
      );
    });
    const timer = setTimeout(() => {
      settle({ bytes: 0, answer: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => settle({ bytes: 0, answer: `connection error ${e.code ?? ''} ${clip(e.message, 80)}`.trim() }));
    if (!chunked) return void req.end(body);
    // no Content-Length: the server learns the size only by reading, as with a streamed upload
    const data = Buffer.from(body);
    const write = (at: number): void => {
      if (settled || at >= data.length) return void req.end();
      if (req.write(data.subarray(at, at + 65_536))) write(at + 65_536);
      else req.once('drain', () => write(at + 65_536));
    };
    write(0);
  });
}
