// Errors from the Kubernetes API turned into one sentence a user can act on: what was attempted, what the
// API server said (its Status message), or why it could not be reached.
import { ApiException } from '@kubernetes/client-node';

export type KubeErrorKind = 'no-cluster' | 'not-found' | 'forbidden' | 'unauthorized' | 'conflict' | 'unreachable' | 'api';

export class KubeApiError extends Error {
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const KIND_BY_STATUS: Record<number, KubeErrorKind> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 409: 'conflict' };

/** The `message` of a Kubernetes Status body, when the body is one. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() || undefined;
    }
  }
  const msg = (parsed as { message?: unknown } | null)?.message;
  return typeof msg === 'string' && msg !== '' ? msg : undefined;
}

/** Network-level failures carry a code (ECONNREFUSED, ENOTFOUND, CERT_*, …), possibly on a wrapped cause. */
function networkCode(e: unknown): string | undefined {
  for (let cur = e as { code?: unknown; cause?: unknown; errno?: unknown } | undefined, i = 0; cur && i < 5; cur = cur.cause as typeof cur, i++) {
    if (typeof cur.code === 'string') return cur.code;
  }
  return undefined;
}

/**
 * `action` says what was attempted ("read namespace \"x\""), `server` where (for unreachable servers).
 * Anything already a KubeApiError passes through.
 */
export function toKubeApiError(e: unknown, action: string, server?: string): KubeApiError {
  if (e instanceof KubeApiError) return e;
  if (e instanceof ApiException) {
    const status = e.code as number;
    const kind = KIND_BY_STATUS[status] ?? 'api';
    const said = statusMessage(e.body);
    const lead =
      kind === 'forbidden' ? 'forbidden' : kind === 'unauthorized' ? 'unauthorized (are the credentials in the kubeconfig valid?)' : `HTTP ${status}`;
    return new KubeApiError(kind, `cannot ${action}: ${lead}${said ? `: ${said}` : ''}`, status);
  }
  const code = networkCode(e);
  const where = server ? ` at ${server}` : '';
  if ((e as Error)?.name === 'AbortError' || (e as Error)?.name === 'TimeoutError') {
    return new KubeApiError('unreachable', `cannot ${action}: the Kubernetes API server${where} did not answer in time`);
  }
  if (code !== undefined && /^(E[A-Z]+|UND_ERR|CERT_|ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code)) {
    // Socket errors are clear from their code; TLS ones need the message (which certificate, why).
    const detail = code.startsWith('E') ? code : `${code}: ${(e as Error).message}`;
    return new KubeApiError('unreachable', `cannot ${action}: the Kubernetes API server${where} cannot be reached (${detail})`);
  }
  return new KubeApiError('api', `cannot ${action}: ${(e as Error)?.message ?? String(e)}`);
}
