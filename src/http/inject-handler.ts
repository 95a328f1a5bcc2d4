// POST /inject on bare node:http: every pod creation in an opted-in namespace waits on this, so it skips
// the router and response helpers (express stays for /preview and the rest, where a microsecond does
// not matter). The contract is the same: an AdmissionReview in, one with the request's uid out. A
// review over the size threshold is admitted in a worker (large-admission.ts), so a huge legal pod never
// blocks this event loop; the rest stay here, where a worker round trip would only add latency.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admitBody, internalFailure, type AdmissionAnswer, type AdmitContext } from './admission-answer.ts';
import { HttpError, mediaType, readBody } from './body.ts';
import { injectPathEnv } from './inject-path.ts';
import type { LargeAdmissions } from './large-admission.ts';
import { refuse } from './refuse.ts';
import type { InjectorRuntime } from './injector-runtime.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const BUDGET_MS = 2_000; // of work for a small review, well inside the API server's 10 s

/** Whether a request is for the admission endpoint: POST /inject or /inject/<params> (any case, as express matched). */
export function isInjectRequest(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const path = pathOf(req.url ?? '').toLowerCase();
  return path === '/inject' || path.startsWith('/inject/');
}

const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

function urlEnv(req: IncomingMessage): Record<string, string> {
  try {
    return injectPathEnv(pathOf(req.url ?? '').slice('/inject'.length));
  } catch {
    throw new HttpError(400, `invalid /inject path parameters: ${JSON.stringify(pathOf(req.url ?? ''))}`);
  }
}

async function answer(rt: InjectorRuntime, large: LargeAdmissions, req: IncomingMessage, res: ServerResponse, started: bigint): Promise<void> {
  const m = rt.metrics;
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    m.failure.inc();
    return refuse(rt, res, 'inject', 415, 'invalid Content-Type, want `application/json`', req);
  }
  let body: Buffer;
  let env: Record<string, string>;
  try {
    env = urlEnv(req);
    body = await readBody(req);
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    m.failure.inc();
    return refuse(rt, res, 'inject', e.status, e.message, req);
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
  const ctx = { settings, urlEnv: env, nodes: rt.cluster?.nodeKubeletVersions(), proxyConfigs: rt.proxyConfigs?.() };
  const outcome = await admitEither(large, body, ctx);
  if (outcome.result === 'error') m.failure.inc();
  if (outcome.result === 'skipped') m.skip.inc();
  m.decisions.inc({ result: outcome.result, reason: outcome.reason });
  const json = outcome.json;
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': typeof json === 'string' ? Buffer.byteLength(json) : json.byteLength }).end(json);
  m.success.inc(); // as Istio: any answered review counts as a success
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  m.latency.observe({ endpoint: 'inject' }, durationMs / 1000);
  if (rt.logger.isLevelEnabled('info')) {
    rt.logger.info(
      {
        uid: outcome.uid,
        namespace: outcome.namespace,
        pod: outcome.pod,
        decision: outcome.result,
        reason: outcome.reason,
        durationMs: Math.round(durationMs * 1000) / 1000,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
      },
      'admission',
    );
  }
}

/** Large reviews in the worker, others on the fast path; a bug in either still answers an AdmissionReview with the uid (INTERNAL), not a bare 500. */
async function admitEither(large: LargeAdmissions, body: Buffer, ctx: AdmitContext): Promise<AdmissionAnswer> {
  try {
    return body.length > large.limits.thresholdBytes ? await large.admit(body, ctx) : admitBody(body, ctx, BUDGET_MS);
  } catch (e) {
    return internalFailure(body, String((e as Error)?.stack ?? e));
  }
}

export function injectHandler(rt: InjectorRuntime, large: LargeAdmissions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    rt.metrics.requests.inc();
    const endTimer = rt.metrics.time.startTimer();
    answer(rt, large, req, res, started)
      .catch((err: unknown) => {
        rt.logger.error({ err }, 'request failed');
        if (!res.headersSent) refuse(rt, res, 'inject', 500, 'internal error', req);
        else res.destroy();
      })
      .finally(endTimer);
  };
}
