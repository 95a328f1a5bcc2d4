// A refusal before admission (415, 413, 429, 400, 503, 500): /inject answers plain text naming what is
// wrong, /preview JSON with a code; both counted by endpoint and status. When the request's body was not
// read (413 on its declared length, 429), the answer is written first, then the rest of the body is read
// and discarded within a bound before the connection closes: closing while the client still writes
// would make it see a reset (EPIPE) instead of the answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpError } from './body.ts';
import type { InjectorRuntime } from './injector-runtime.ts';

// How much of a refused body is read and discarded, and for how long, before the connection closes.
export const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
export const DRAIN_MAX_MS = 5_000;

/** Writes the whole answer; if `req` still has body to come, closes the connection once it is drained (bounded). */
export function answerThenClose(
  req: IncomingMessage | undefined,
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: string,
): void {
  const unread = req !== undefined && !req.complete;
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body), ...(unread ? { connection: 'close' } : {}) });
  if (!unread) {
    res.end(body);
    return;
  }
  res.write(body);
  let seen = 0;
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    req.off('data', count);
    res.end();
  };
  const count = (c: Buffer) => {
    seen += c.length;
    if (seen > DRAIN_MAX_BYTES) finish();
  };
  const timer = setTimeout(finish, DRAIN_MAX_MS);
  req.on('data', count);
  req.once('end', finish);
  req.once('close', finish);
  req.resume();
}

export function refuse(
  rt: InjectorRuntime,
  res: ServerResponse,
  endpoint: string,
  status: number,
  message: string,
  drainFrom?: IncomingMessage,
): void {
  rt.metrics.httpErrors.inc({ endpoint, status: String(status) });
  answerThenClose(drainFrom, res, status, { 'content-type': 'text/plain; charset=utf-8' }, `${message}\n`);
}

/** The preview's refusals: `{"error": {"code", "message"}}`. */
export function refuseJson(
  rt: InjectorRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: string,
  e: HttpError,
  headers: Record<string, string | number> = {},
): void {
  rt.metrics.httpErrors.inc({ endpoint, status: String(e.status) });
  const body = JSON.stringify({ error: { code: e.code, message: e.message } });
  answerThenClose(req, res, e.status, { ...headers, 'content-type': 'application/json; charset=utf-8' }, body);
}
