// The HTTPS door: POST /inject (and /inject/<params>) answers AdmissionReviews (inject-handler.ts, on bare
// node:http); POST /preview is the dry-run preview. Both run the same core; neither has side effects.
import type { RequestListener } from 'node:http';
import express, { type Request, type Response } from 'express';
import { parseDocuments } from '../core/documents.ts';
import { isInjectionError } from '../core/errors.ts';
import { previewObjects } from '../core/preview.ts';
import { HttpError, mediaType, readBody } from './body.ts';
import { injectHandler, isInjectRequest } from './inject-handler.ts';
import { refuse } from './refuse.ts';
import type { InjectorRuntime } from './runtime.ts';

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml']);

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

export function webhookApp(rt: InjectorRuntime): RequestListener {
  const inject = injectHandler(rt);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post('/preview', (req, res) => handlePreview(rt, req, res));
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found: POST /inject or /preview\n');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: unknown) => {
    rt.logger.error({ err }, 'request failed');
    if (!res.headersSent) res.status(500).type('text/plain').send('internal error\n');
  });
  return (req, res) => (isInjectRequest(req) ? inject(req, res) : app(req, res));
}
