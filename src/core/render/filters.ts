// Template helpers, equivalent to the functions Istio's injection templates use (its InjectionFuncmap
// plus the few sprig functions they need), under Liquid filter names. All are pure.
import type { FilterImplOptions } from 'liquidjs';
import { proxyConfigJson } from '../settings/mesh.ts';
import { isObject, type JsonObject } from '../types.ts';
import { excludeInboundPort, istioFilters } from './istio-funcs.ts';

type Meta = { annotations?: Record<string, string>; labels?: Record<string, string> } | undefined;
type Port = { name?: string; hostPort?: number; containerPort?: number; protocol?: string; hostIP?: string };
type Container = { name?: string; ports?: Port[] };

const has = (o: unknown, k: string): boolean => isObject(o) && Object.hasOwn(o, k);

/** Go's zero-value test: nil, "", 0, false, empty list or map are "empty". */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  return false;
}

/** ContainerPort as Go's encoding/json writes it: struct field order, zero values omitted. */
export function portJson(p: Port): string {
  const out: Record<string, unknown> = {};
  if (p.name) out.name = p.name;
  if (p.hostPort) out.hostPort = p.hostPort;
  if (p.containerPort) out.containerPort = p.containerPort;
  if (p.protocol) out.protocol = p.protocol;
  if (p.hostIP) out.hostIP = p.hostIP;
  return JSON.stringify(out);
}

export const filters: Record<string, FilterImplOptions> = {
  /** annotation value if the key is present (even if empty), else the default as a string. */
  annotation(meta: Meta, name: string, dflt?: unknown): string {
    const a = meta?.annotations;
    if (has(a, name)) return a![name]!;
    return dflt === undefined || dflt === null ? '' : String(dflt);
  },
  /** label value if present, else the default. */
  label(meta: Meta, name: string, dflt?: unknown): string {
    const l = meta?.labels;
    if (has(l, name) && l![name] !== '') return l![name]!;
    return dflt === undefined || dflt === null ? '' : String(dflt);
  },
  isset(map: unknown, key: string): boolean {
    return has(map, key);
  },
  value_or_default(v: unknown, d: unknown): unknown {
    return v === undefined || v === null || v === '' ? d : v;
  },
  /** first non-empty argument (Go template's `or`). */
  coalesce(v: unknown, ...rest: unknown[]): unknown {
    for (const x of [v, ...rest]) if (!isEmpty(x)) return x;
    return rest.length ? rest[rest.length - 1] : v;
  },
  str(v: unknown): string {
    return v === undefined || v === null ? '' : String(v);
  },
  empty(v: unknown): boolean {
    return isEmpty(v);
  },
  present(v: unknown): boolean {
    return !isEmpty(v);
  },
  /** Istio's excludeInboundPort (istio-funcs.ts, shared with the Go template function). */
  exclude_inbound_port(port: unknown, list: unknown): string {
    return excludeInboundPort(port === undefined || port === null ? '' : String(port), list === undefined || list === null ? '' : String(list));
  },
  /** comma list of the TCP container ports of the given containers. */
  include_inbound_ports(containers: Container[] | undefined): string {
    const ports: string[] = [];
    for (const c of containers ?? []) {
      for (const p of c.ports ?? []) {
        if (p.protocol === 'UDP' || p.protocol === 'SCTP' || !p.containerPort) continue;
        ports.push(String(p.containerPort));
      }
    }
    return ports.join(',');
  },
  /** ISTIO_META_POD_PORTS: every port of the given containers, in Istio's multi-line JSON layout. */
  pod_ports_json(containers: Container[] | undefined): string {
    const items: string[] = [];
    for (const c of containers ?? []) for (const p of c.ports ?? []) items.push(portJson(p));
    return ['[', ...items.map((j, i) => `    ${i === 0 ? '' : ','}${j}`), ']'].join('\n');
  },
  names(list: Array<{ name?: string }> | undefined): string[] {
    return (list ?? []).map((c) => c.name ?? '');
  },
  without_names(list: Array<{ name?: string }> | undefined, ...names: string[]): unknown[] {
    return (list ?? []).filter((c) => !names.includes(c.name ?? ''));
  },
  /** PROXY_CONFIG: non-default ProxyConfig fields as JSON, with the trailing newline Istio's block scalar has. */
  proxy_config_env(pc: unknown): string {
    return `${proxyConfigJson(isObject(pc) ? (pc as JsonObject) : {})}\n`;
  },
  to_json(v: unknown): string {
    return JSON.stringify(v ?? null);
  },
  /** parses JSON; an invalid document gives an empty map, as Istio's fromJSON does. */
  from_json(s: unknown): unknown {
    if (typeof s !== 'string') return {};
    try {
      return JSON.parse(s);
    } catch {
      return {};
    }
  },
  /** sorted [key, value] pairs of a map, for Go-like deterministic iteration. */
  sorted_pairs(m: unknown): Array<{ key: string; value: unknown }> {
    if (!isObject(m)) return [];
    return Object.keys(m)
      .sort()
      .map((key) => ({ key, value: m[key] }));
  },
  trunc(s: unknown, n: number): string {
    return String(s ?? '').slice(0, n);
  },
  trim_all(s: unknown, chars: string): string {
    let v = String(s ?? '');
    while (v.length && chars.includes(v[0]!)) v = v.slice(1);
    while (v.length && chars.includes(v[v.length - 1]!)) v = v.slice(0, -1);
    return v;
  },
  omit(m: unknown, ...keys: string[]): Record<string, unknown> {
    if (!isObject(m)) return {};
    return Object.fromEntries(Object.entries(m).filter(([k]) => !keys.includes(k)));
  },
  merge_maps(a: unknown, b: unknown): Record<string, unknown> {
    return { ...(isObject(a) ? a : {}), ...(isObject(b) ? b : {}) };
  },
  ...istioFilters,
};
