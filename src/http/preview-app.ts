// POST /preview, the dry-run preview, on a listener of its own: a few requests at a time (429 with
// Retry-After beyond), the work in a worker with a time and memory budget (preview-runner.ts), the
// answer capped in bytes, and a client that stops reading it cut off. Every refusal is JSON with a code.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parseLabelList } from '../core/label-list.ts';
import { HttpError, mediaType, readBody } from './body.ts';
import type { PreviewRunner } from './preview-runner.ts';
import { refuseJson } from './refuse.ts';
import type { InjectorRuntime } from './injector-runtime.ts';

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml']);
const ECHO_MAX = 80; // echoed input is clipped

export interface PreviewDoorOptions {
  /** Requests in flight (one runs in the worker, the others wait for it); more get 429. */
  concurrency: number;
  /**
   * Inactivity allowed while the answer is being sent: a client that stops reading is cut off. (Node lets
   * one more interval pass when the write queue moved since the last check: cut off within 1-2 times this.)
   */
  slowReaderMs: number;
}

export const PREVIEW_DOOR_DEFAULTS: PreviewDoorOptions = { concurrency: 2, slowReaderMs: 5_000 };

const clip = (s: string) => (s.length > ECHO_MAX ? `${s.slice(0, ECHO_MAX)}...` : s);

async function handle(
  rt: InjectorRuntime,
  runner: PreviewRunner,
  opts: PreviewDoorOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = process.hrtime.bigint();
  const type = mediaType(req.headers['content-type']);
  if (type !== 'application/json' && !YAML_TYPES.has(type))
    throw new HttpError(415, 'invalid Content-Type, want application/json or application/yaml');
  const settings = rt.settings();
  if (!settings) throw new HttpError(503, 'injector configuration not loaded yet');
  const query = new URL(req.url ?? '/', 'https://preview').searchParams;
  const given = parseLabelList(query.get('namespaceLabels') ?? undefined, 'namespaceLabels', (message) => new HttpError(400, message));
  const body = await readBody(req);
  if (body.length === 0) throw new HttpError(400, 'no body found');
  const namespace = query.get('namespace') || 'default';
  const namespaceExplicit = query.get('namespace') !== null && query.get('namespace') !== '';
  const namespaceLabels = given ?? rt.cluster?.namespaceLabels(namespace);
  // no socket activity while the worker runs: the inactivity bound waits for the budget
  res.setTimeout(runner.limits.budgetMs + opts.slowReaderMs);
  const outcome = await runner.run(settings, {
    body,
    namespace,
    namespaceExplicit,
    namespaceLabels,
    namespaceLabelsSource: given ? 'query' : namespaceLabels ? 'cluster' : 'unknown',
    nodes: rt.cluster?.nodeKubeletVersions(),
    proxyConfigs: rt.proxyConfigs?.(),
    webhooks: rt.cluster?.webhooks?.(),
  });
  if (!outcome.ok) {
    const e = outcome.error;
    if (e.status >= 500) rt.logger.error({ code: e.code, error: e.message }, 'preview failed');
    rt.metrics.httpErrors.inc({ endpoint: 'preview', status: String(e.status) });
    const text = JSON.stringify({ error: { code: e.code, message: e.message, ...(e.subject ? { subject: e.subject } : {}) } });
    res.writeHead(e.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
    return;
  }
  res.setTimeout(opts.slowReaderMs);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': outcome.answer.length }).end(outcome.answer);
  rt.metrics.latency.observe({ endpoint: 'preview' }, Number(process.hrtime.bigint() - started) / 1e9);
}

export function previewApp(rt: InjectorRuntime, runner: PreviewRunner, opts: PreviewDoorOptions = PREVIEW_DOOR_DEFAULTS): RequestListener {
  let inFlight = 0;
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!/^\/preview\/?$/i.test(path)) {
      return refuseJson(rt, req, res, 'preview', new HttpError(404, `not found: ${clip(`${req.method} ${path}`)}; this port serves POST /preview`));
    }
    if (req.method !== 'POST') {
      const e = new HttpError(405, `method ${clip(req.method ?? '')} not allowed: /preview takes POST (the objects in the body)`);
      return refuseJson(rt, req, res, 'preview', e, { allow: 'POST' });
    }
    if (inFlight >= opts.concurrency) {
      return refuseJson(
        rt,
        req,
        res,
        'preview',
        new HttpError(429, `${opts.concurrency} previews are already in progress (the limit): retry in a second`, 'PREVIEW_BUSY'),
        { 'retry-after': 1 },
      );
    }
    // The slot is held until the answer is sent (or the connection is gone) AND the work is over: answers
    // waiting for clients that do not read are bounded, and so is work left by clients that hung up.
    inFlight++;
    const sent = new Promise((resolve) => res.once('close', resolve));
    const worked = handle(rt, runner, opts, req, res).catch((e: unknown) => {
      if (!(e instanceof HttpError)) rt.logger.error({ err: e }, 'preview failed');
      if (res.headersSent) return void res.destroy();
      refuseJson(rt, req, res, 'preview', e instanceof HttpError ? e : new HttpError(500, 'internal error'));
    });
    void Promise.all([sent, worked]).then(() => {
      inFlight--;
    });
  };
}
