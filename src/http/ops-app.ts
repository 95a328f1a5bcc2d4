// The plain-HTTP door for the kubelet and Prometheus: /healthz, /readyz and /metrics. It never serves
// /inject or /preview.
import express from 'express';
import type { InjectorRuntime } from './injector-runtime.ts';

export function opsApp(rt: InjectorRuntime): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    const r = rt.readiness();
    const detail = r.detail?.length ? `\n${r.detail.join('\n')}` : '';
    res
      .status(r.ready ? 200 : 503)
      .type('text/plain')
      .send(`${r.ready ? 'ok' : `not ready: ${r.reasons.join('; ')}`}${detail}\n`);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(rt.metrics.registry.contentType).send(await rt.metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found: GET /healthz, /readyz or /metrics\n');
  });
  return app;
}
