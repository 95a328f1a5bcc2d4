// A refusal before admission (415, 413, 400, 503, 500): plain text naming what is wrong, counted by
// endpoint and status. Both the bare /inject handler and express's /preview answer through it.
import type { ServerResponse } from 'node:http';
import type { InjectorRuntime } from './runtime.ts';

export function refuse(rt: InjectorRuntime, res: ServerResponse, endpoint: string, status: number, message: string, close = false): void {
  rt.metrics.httpErrors.inc({ endpoint, status: String(status) });
  const body = `${message}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...(close ? { connection: 'close' } : {}) }).end(body);
}
