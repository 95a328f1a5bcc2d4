// App probe rewriting: kubelet's httpGet/tcpSocket/grpc probes and lifecycle hooks of app containers are
// pointed at the agent's status port (/app-health/<c>/livez, ...), and the originals go to the proxy in
// ISTIO_KUBE_APP_PROBERS, so probes keep working when the proxy captures the app's ports.
import { checkBudget, type Budget } from '../budget.ts';
import { InjectionError } from '../errors.ts';
import { treeProblem } from '../tree-limits.ts';
import { isObject, type Container, type Pod } from '../types.ts';

type Handler = Record<string, unknown>;
type Prober = Record<string, unknown>;

export const PROBERS_ENV = 'ISTIO_KUBE_APP_PROBERS';

export function proberUrls(c: string) {
  return {
    readyz: `/app-health/${c}/readyz`,
    livez: `/app-health/${c}/livez`,
    startupz: `/app-health/${c}/startupz`,
    prestopz: `/app-lifecycle/${c}/prestopz`,
    poststartz: `/app-lifecycle/${c}/poststartz`,
  };
}

// Go struct field order, zero values omitted, so the env reads exactly as Istio writes it
function httpGetJson(h: Handler): Handler {
  const out: Handler = {};
  for (const k of ['path', 'port', 'host', 'scheme', 'httpHeaders']) if (h[k] !== undefined && h[k] !== '' && h[k] !== null) out[k] = h[k];
  return out;
}
function tcpJson(h: Handler): Handler {
  const out: Handler = { port: h.port };
  if (h.host) out.host = h.host;
  return out;
}
function grpcJson(h: Handler): Handler {
  return { port: h.port, service: h.service ?? null };
}

function toProber(handler: unknown, withTimeout: boolean, timeout: unknown): Prober | undefined {
  if (!isObject(handler)) return undefined;
  let p: Prober | undefined;
  if (isObject(handler.httpGet)) p = { httpGet: httpGetJson(handler.httpGet) };
  else if (isObject(handler.tcpSocket)) p = { tcpSocket: tcpJson(handler.tcpSocket) };
  else if (withTimeout && isObject(handler.grpc)) p = { grpc: grpcJson(handler.grpc) };
  if (p && withTimeout && typeof timeout === 'number' && timeout !== 0) p.timeoutSeconds = timeout;
  return p;
}

/** Resolves a named port; drops probers whose port cannot be resolved or already is the status port. */
function resolvePort(p: Prober | undefined, ports: Map<string, number>, statusPort: number): Prober | undefined {
  if (!p || p.grpc) return p;
  const action = (p.httpGet ?? p.tcpSocket) as Handler;
  if (typeof action.port === 'string') {
    const n = ports.get(action.port) ?? (/^\d+$/.test(action.port) ? Number(action.port) : undefined);
    if (n === undefined) return undefined;
    action.port = n;
  } else if (action.port === statusPort) {
    return undefined;
  }
  return p;
}

const appContainers = (pod: Pod): Container[] => [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].filter((c) => c.name !== 'istio-proxy');

/** The ISTIO_KUBE_APP_PROBERS map for a pod (empty when nothing to take over). */
export function dumpAppProbers(pod: Pod, statusPort: number): Record<string, Prober> {
  const out: Record<string, Prober> = {};
  for (const c of appContainers(pod)) {
    const urls = proberUrls(c.name);
    const ports = new Map((c.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
    const add = (url: string, p: Prober | undefined) => {
      const r = resolvePort(p, ports, statusPort);
      if (r) out[url] = r;
    };
    for (const [field, url] of [
      ['readinessProbe', urls.readyz],
      ['livenessProbe', urls.livez],
      ['startupProbe', urls.startupz],
    ] as const) {
      const probe = c[field];
      add(url, toProber(probe, true, isObject(probe) ? probe.timeoutSeconds : undefined));
    }
    const lc = isObject(c.lifecycle) ? c.lifecycle : undefined;
    if (lc) {
      add(urls.prestopz, toProber(lc.preStop, false, undefined));
      add(urls.poststartz, toProber(lc.postStart, false, undefined));
    }
  }
  return out;
}

function sortedJson(m: Record<string, Prober>): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(m)
        .sort()
        .map((k) => [k, m[k]]),
    ),
  );
}

function rewrite(handler: unknown, url: string, statusPort: number, allowGrpc: boolean): Handler | undefined {
  if (!isObject(handler)) return undefined;
  if (isObject(handler.httpGet)) {
    const h = { ...handler.httpGet, port: statusPort, path: url } as Handler;
    if (h.scheme === 'HTTPS') h.scheme = 'HTTP'; // kubelet -> HTTP -> agent -> HTTPS -> app
    return { ...handler, httpGet: h };
  }
  if (isObject(handler.tcpSocket) || (allowGrpc && isObject(handler.grpc))) {
    const { tcpSocket: _t, grpc: _g, ...rest } = handler;
    return { ...rest, httpGet: { path: url, port: statusPort } };
  }
  return undefined;
}

/** Rewrites probes and lifecycle hooks in place and records the originals on the proxy container. */
export function applyProbeRewrite(pod: Pod, proxy: Container, statusPort: number, previouslyInjected: boolean, budget: Budget = {}): number {
  const probers = dumpAppProbers(pod, statusPort);
  const count = Object.keys(probers).length;
  if (count > 0) {
    const env = proxy.env ?? [];
    const existing = previouslyInjected ? env.find((e) => e.name === PROBERS_ENV) : undefined;
    if (existing) {
      let old: Record<string, Prober> = {};
      try {
        old = JSON.parse(existing.value ?? '{}') as Record<string, Prober>;
      } catch {
        old = {};
      }
      // the pod author's copy: it is serialised again below, recursively, so it must be within the caps
      const over = treeProblem(old);
      if (over) throw new InjectionError('INVALID_OBJECT', `the istio-proxy container's ${PROBERS_ENV} env ${over.why}`, PROBERS_ENV);
      const value = sortedJson({ ...probers, ...old });
      proxy.env = env.map((e) => (e === existing ? { ...e, value } : e)); // the entry may be shared with the pod as received
    } else {
      proxy.env = [...env, { name: PROBERS_ENV, value: sortedJson(probers) }];
    }
  }
  for (const c of appContainers(pod)) {
    checkBudget(budget, 'rewriting app probes');
    const urls = proberUrls(c.name);
    for (const [field, url] of [
      ['readinessProbe', urls.readyz],
      ['livenessProbe', urls.livez],
      ['startupProbe', urls.startupz],
    ] as const) {
      const r = rewrite(c[field], url, statusPort, true);
      if (r) c[field] = r;
    }
    if (isObject(c.lifecycle)) {
      const lc = { ...c.lifecycle };
      const pre = rewrite(lc.preStop, urls.prestopz, statusPort, false);
      const post = rewrite(lc.postStart, urls.poststartz, statusPort, false);
      if (pre) lc.preStop = pre;
      if (post) lc.postStart = post;
      c.lifecycle = lc;
    }
  }
  return count;
}
