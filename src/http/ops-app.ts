// The plain-HTTP door for the kubelet and Prometheus: /healthz, /readyz and /metrics. It never serves
// /inject or /preview. Three fixed routes on bare node:http: a router (express) cost ~5 MB of RSS for
// them. Paths match as express matched them: any case, a trailing slash allowed, the query ignored;
// HEAD is answered as GET without the body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InjectorRuntime } from './injector-runtime.ts';

const TEXT = 'text/plain; charset=utf-8';

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function routeOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).toLowerCase();
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

async function answer(rt: InjectorRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const route = req.method === 'GET' || req.method === 'HEAD' ? routeOf(req) : '';
  if (route === '/healthz') return send(req, res, 200, TEXT, 'ok\n');
  if (route === '/readyz') {
    const r = rt.readiness();
    const detail = r.detail?.length ? `\n${r.detail.join('\n')}` : '';
    return send(req, res, r.ready ? 200 : 503, TEXT, `${r.ready ? 'ok' : `not ready: ${r.reasons.join('; ')}`}${detail}\n`);
  }
  if (route === '/metrics') return send(req, res, 200, rt.metrics.registry.contentType, await rt.metrics.registry.metrics());
  send(req, res, 404, TEXT, 'not found: GET /healthz, /readyz or /metrics\n');
}

export function opsApp(rt: InjectorRuntime): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    answer(rt, req, res).catch((err: unknown) => {
      rt.logger.error({ err }, 'ops request failed');
      if (!res.headersSent) send(req, res, 500, TEXT, 'internal error\n');
      else res.destroy();
    });
  };
}
