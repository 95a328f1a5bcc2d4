// The HTTPS door: POST /inject (and /inject/<params>) answers AdmissionReviews; POST /preview is the
// dry-run preview. Both run the same core; neither has side effects.
import express, { type Request, type Response } from 'express';
import { admit } from '../core/admission.ts';
import { parseDocuments } from '../core/documents.ts';
import { isInjectionError } from '../core/errors.ts';
import { previewObjects } from '../core/preview.ts';
import { HttpError, mediaType, readBody } from './body.ts';
import { injectPathEnv } from './inject-path.ts';
import type { InjectorRuntime } from './runtime.ts';

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml']);

function refuse(rt: InjectorRuntime, res: Response, endpoint: string, status: number, message: string): void {
  rt.metrics.httpErrors.inc({ endpoint, status: String(status) });
  res.status(status).type('text/plain').send(`${message}\n`);
}

function parseLabels(q: unknown): Record<string, string> | undefined {
  if (typeof q !== 'string') return undefined;
  const out: Record<string, string> = {};
  for (const part of q.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new HttpError(400, `namespaceLabels: "${part}" is not KEY=VALUE`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

async function handleInject(rt: InjectorRuntime, req: Request, res: Response): Promise<void> {
  const started = process.hrtime.bigint();
  const m = rt.metrics;
  m.requests.inc();
  const endTimer = m.time.startTimer();
  try {
    if (mediaType(req.headers['content-type']) !== 'application/json') {
      m.failure.inc();
      return refuse(rt, res, 'inject', 415, 'invalid Content-Type, want `application/json`');
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      m.failure.inc();
      if (e instanceof HttpError) {
        if (e.status === 413) res.setHeader('Connection', 'close');
        return refuse(rt, res, 'inject', e.status, e.message);
      }
      throw e;
    }
    if (body.length === 0) {
      m.failure.inc();
      return refuse(rt, res, 'inject', 400, 'no body found');
    }
    const settings = rt.settings();
    if (!settings) {
      m.failure.inc();
      return refuse(rt, res, 'inject', 503, 'injector configuration not loaded yet');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      parsed = { invalidJson: (e as Error).message };
    }
    const outcome = admit(parsed, {
      settings, urlEnv: injectPathEnv(req.path.slice('/inject'.length)),
      nodesSupportNativeSidecars: rt.cluster?.nodesSupportNativeSidecars(),
    });
    if (outcome.result === 'error') m.failure.inc();
    if (outcome.result === 'skipped') m.skip.inc();
    m.decisions.inc({ result: outcome.result, reason: outcome.reason });
    res.status(200).json(outcome.review);
    m.success.inc(); // as Istio: any answered review counts as a success
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    m.latency.observe({ endpoint: 'inject' }, durationMs / 1000);
    rt.logger.info({ uid: outcome.uid, namespace: outcome.namespace, pod: outcome.pod, decision: outcome.result, reason: outcome.reason, durationMs: Math.round(durationMs * 1000) / 1000,
      ...(outcome.result === 'error' ? { error: (outcome.review.response as { status?: { message?: string } }).status?.message } : {}) }, 'admission');
  } finally {
    endTimer();
  }
}

async function handlePreview(rt: InjectorRuntime, req: Request, res: Response): Promise<void> {
  const started = process.hrtime.bigint();
  const type = mediaType(req.headers['content-type']);
  if (type !== 'application/json' && !YAML_TYPES.has(type)) {
    return refuse(rt, res, 'preview', 415, 'invalid Content-Type, want application/json or application/yaml');
  }
  const settings = rt.settings();
  if (!settings) return refuse(rt, res, 'preview', 503, 'injector configuration not loaded yet');
  try {
    const body = await readBody(req);
    if (body.length === 0) throw new HttpError(400, 'no body found');
    const namespace = typeof req.query.namespace === 'string' && req.query.namespace !== '' ? req.query.namespace : 'default';
    const given = parseLabels(req.query.namespaceLabels);
    const namespaceLabels = given ?? rt.cluster?.namespaceLabels(namespace);
    const objects = parseDocuments(body.toString('utf8'), 'body');
    const items = previewObjects(objects, { settings, namespace, namespaceLabels, nodesSupportNativeSidecars: rt.cluster?.nodesSupportNativeSidecars() });
    res.status(200).json({ namespace, namespaceLabels: namespaceLabels ?? null, namespaceLabelsSource: given ? 'query' : namespaceLabels ? 'cluster' : 'unknown', items });
    rt.metrics.latency.observe({ endpoint: 'preview' }, Number(process.hrtime.bigint() - started) / 1e9);
  } catch (e) {
    if (e instanceof HttpError) return refuse(rt, res, 'preview', e.status, e.message);
    if (isInjectionError(e)) {
      rt.metrics.httpErrors.inc({ endpoint: 'preview', status: '400' });
      res.status(400).json({ error: { code: e.code, message: e.message, ...(e.subject ? { subject: e.subject } : {}) } });
      return;
    }
    throw e;
  }
}

export function webhookApp(rt: InjectorRuntime): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post(['/inject', '/inject/*rest'], (req, res) => handleInject(rt, req, res));
  app.post('/preview', (req, res) => handlePreview(rt, req, res));
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found: POST /inject or /preview\n');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: unknown) => {
    rt.logger.error({ err }, 'request failed');
    if (!res.headersSent) res.status(500).type('text/plain').send('internal error\n');
  });
  return app;
}
