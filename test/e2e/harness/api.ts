// Plain HTTPS calls to the test API server as the admin user, for test setup (namespaces, nodes, pods).
// Independent of the code under test, so a bug there cannot hide in the setup.
import { request } from 'node:https';

export interface ApiTarget {
  server: string;
  token: string;
  caPem: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`${method} ${path} returned ${status}: ${body.slice(0, 500)}`);
  }
}

export interface ApiCallOptions {
  /** Content type of the body; merge patch for PATCH unless told. */
  contentType?: string;
  timeoutMs?: number;
}

export async function apiCall<T = Record<string, unknown>>(
  target: ApiTarget,
  method: string,
  path: string,
  body?: unknown,
  opts: ApiCallOptions = {},
): Promise<T> {
  const url = new URL(path, target.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const contentType = opts.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
  return new Promise<T>((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: target.caPem,
        headers: {
          authorization: `Bearer ${target.token}`,
          accept: 'application/json',
          ...(payload !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}),
        },
        timeout: opts.timeoutMs ?? 15_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(new ApiError(status, method, path, text));
          try {
            resolve((text ? JSON.parse(text) : {}) as T);
          } catch {
            resolve(text as unknown as T);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${opts.timeoutMs ?? 15_000} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/**
 * GET, change, PUT: tried again from a fresh GET when the API server answers 409 Conflict, because a
 * controller under test (a caBundle patcher) may write the same object in between. Bounded: five tries.
 */
export async function updateObject<T extends { metadata?: unknown }>(target: ApiTarget, path: string, change: (current: T) => T): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await apiCall<T>(target, 'GET', path);
    const next = change(current);
    try {
      return await apiCall<T>(target, 'PUT', path, next);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 409 || attempt === 5) throw e;
    }
  }
}

/**
 * A namespace ready for pods: the ServiceAccount admission plugin stays on (as in a real cluster) and no
 * controller creates the `default` ServiceAccount here, so it is created with the namespace.
 */
export async function createNamespace(target: ApiTarget, name: string, labels: Record<string, string> = {}): Promise<void> {
  await apiCall(target, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  await apiCall(target, 'POST', `/api/v1/namespaces/${name}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default' },
  });
}

/** A minimal pod spec (never scheduled: no kubelet runs here). */
export function podManifest(
  name: string,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string>; hostNetwork?: boolean } = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: extra.labels ?? {}, annotations: extra.annotations ?? {} },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }], ...(extra.hostNetwork ? { hostNetwork: true } : {}) },
  };
}

export async function createPod(target: ApiTarget, namespace: string, pod: Record<string, unknown>): Promise<Record<string, unknown>> {
  return apiCall(target, 'POST', `/api/v1/namespaces/${namespace}/pods`, pod);
}
