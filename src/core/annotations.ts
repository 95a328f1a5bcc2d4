// Every pod annotation the injector validates: name, check, and Istio's error text
// (`invalid value '<v>' for annotation '<name>': <why>`). All bad annotations are reported at once.
import { parse as parseYaml } from 'yaml';
import { InjectionError } from './errors.ts';
import { parseQuantity } from './quantity.ts';
import { PROXY_CONFIG_RULES } from './settings/mesh.ts';
import { checkRules } from './settings/schema.ts';
import { isObject } from './types.ts';

export const A = {
  inject: 'sidecar.istio.io/inject',
  status: 'sidecar.istio.io/status',
  templates: 'inject.istio.io/templates',
  proxyConfig: 'proxy.istio.io/config',
  overrides: 'proxy.istio.io/overrides',
  interceptionMode: 'sidecar.istio.io/interceptionMode',
  statusPort: 'status.sidecar.istio.io/port',
  readinessInitialDelay: 'readiness.status.sidecar.istio.io/initialDelaySeconds',
  readinessPeriod: 'readiness.status.sidecar.istio.io/periodSeconds',
  readinessFailure: 'readiness.status.sidecar.istio.io/failureThreshold',
  includeOutboundIPRanges: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  excludeOutboundIPRanges: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  includeInboundPorts: 'traffic.sidecar.istio.io/includeInboundPorts',
  excludeInboundPorts: 'traffic.sidecar.istio.io/excludeInboundPorts',
  includeOutboundPorts: 'traffic.sidecar.istio.io/includeOutboundPorts',
  excludeOutboundPorts: 'traffic.sidecar.istio.io/excludeOutboundPorts',
  excludeInterfaces: 'traffic.sidecar.istio.io/excludeInterfaces',
  kubevirtInterfaces: 'traffic.sidecar.istio.io/kubevirtInterfaces',
  rerouteVirtualInterfaces: 'istio.io/reroute-virtual-interfaces',
  mergeMetrics: 'prometheus.istio.io/merge-metrics',
  proxyCPU: 'sidecar.istio.io/proxyCPU',
  proxyMemory: 'sidecar.istio.io/proxyMemory',
  proxyCPULimit: 'sidecar.istio.io/proxyCPULimit',
  proxyMemoryLimit: 'sidecar.istio.io/proxyMemoryLimit',
  rewriteProbes: 'sidecar.istio.io/rewriteAppHTTPProbers',
  nativeSidecar: 'sidecar.istio.io/nativeSidecar',
  proxyImageType: 'sidecar.istio.io/proxyImageType',
  defaultContainer: 'kubectl.kubernetes.io/default-container',
  defaultLogsContainer: 'kubectl.kubernetes.io/default-logs-container',
  rev: 'istio.io/rev',
} as const;

type Check = (v: string) => string | undefined;

const BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

export function parseGoBool(v: string): boolean | undefined {
  if (!BOOLS.has(v)) return undefined;
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}

function portProblem(p: string, allowZero: boolean): string | undefined {
  const s = p.trim();
  if (!/^\d{1,5}$/.test(s)) return `failed parsing port "${p}"`;
  const n = Number(s);
  if (n > 65535 || (!allowZero && n === 0)) return `port ${s} is out of range (${allowZero ? 0 : 1}-65535)`;
  return undefined;
}

const portList: Check = (v) => {
  if (v.trim() === '') return undefined;
  for (const p of v.split(',')) {
    const why = portProblem(p, false);
    if (why) return why;
  }
  return undefined;
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(([0-9a-fA-F]{1,4}:){0,7}[0-9a-fA-F]{0,4})?::(([0-9a-fA-F]{1,4}:){0,7}[0-9a-fA-F]{0,4})?)$/;

export function cidrProblem(c: string): string | undefined {
  const s = c.trim();
  const [ip = '', bits, extra] = s.split('/');
  if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return `"${c}" is not a CIDR (want address/bits)`;
  if (IPV4.test(ip)) return Number(bits) <= 32 ? undefined : `"${c}" has more than 32 bits`;
  if (IPV6.test(ip) && ip.split('::').length <= 2) return Number(bits) <= 128 ? undefined : `"${c}" has more than 128 bits`;
  return `"${c}" is not a CIDR (bad address)`;
}

const cidrList: Check = (v) => {
  if (v.trim() === '') return undefined;
  for (const c of v.split(',')) {
    const why = cidrProblem(c);
    if (why) return why;
  }
  return undefined;
};

const wildcardOr = (inner: Check): Check => (v) => (v.trim() === '*' ? undefined : inner(v));

/** Istio prefixes these errors with its parameter name (e.g. "includeIPRanges invalid: ..."). */
const named = (param: string, inner: Check): Check => (v) => {
  const why = inner(v);
  return why === undefined ? undefined : `${param} invalid: ${why}`;
};

const interfaces: Check = (v) => {
  if (v.trim() === '') return undefined;
  for (const i of v.split(',')) if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(i.trim())) return `"${i}" is not an interface name`;
  return undefined;
};

const uint32: Check = (v) => (/^\d{1,10}$/.test(v) && Number(v) <= 0xffffffff ? undefined : 'must be a non-negative 32-bit integer');

const quantity: Check = (v) => (parseQuantity(v.trim()) && !/[\x00-\x1f\x7f]/.test(v) ? undefined : 'not a resource quantity (e.g. 100m, 128Mi)');

const proxyConfig: Check = (v) => {
  let doc: unknown;
  try {
    doc = parseYaml(v, { uniqueKeys: true, maxAliasCount: 10, logLevel: 'error' });
  } catch (e) {
    return `could not parse proxy config: ${String((e as Error).message).split('\n')[0]}`;
  }
  if (doc === null || doc === undefined) return undefined;
  if (!isObject(doc)) return 'could not parse proxy config: want a mapping of ProxyConfig fields';
  try {
    checkRules(doc, PROXY_CONFIG_RULES, '');
  } catch (e) {
    return String((e as Error).message).replace(/^invalid setting /, 'field ');
  }
  return undefined;
};

const CHECKS: Record<string, Check> = {
  [A.interceptionMode]: (v) => (['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined : 'must be one of REDIRECT, TPROXY, NONE'),
  [A.statusPort]: (v) => portProblem(v, true),
  [A.readinessInitialDelay]: uint32,
  [A.readinessPeriod]: uint32,
  [A.readinessFailure]: uint32,
  [A.includeOutboundIPRanges]: named('includeIPRanges', wildcardOr(cidrList)),
  [A.excludeOutboundIPRanges]: named('excludeIPRanges', cidrList),
  [A.includeInboundPorts]: named('includeInboundPorts', wildcardOr(portList)),
  [A.excludeInboundPorts]: named('excludeInboundPorts', portList),
  [A.excludeOutboundPorts]: named('excludeOutboundPorts', portList),
  [A.includeOutboundPorts]: named('includeOutboundPorts', portList),
  [A.excludeInterfaces]: interfaces,
  [A.kubevirtInterfaces]: interfaces,
  [A.rerouteVirtualInterfaces]: interfaces,
  [A.mergeMetrics]: (v) => (parseGoBool(v) === undefined ? 'must be a boolean' : undefined),
  [A.proxyCPU]: quantity,
  [A.proxyMemory]: quantity,
  [A.proxyCPULimit]: quantity,
  [A.proxyMemoryLimit]: quantity,
  [A.proxyConfig]: proxyConfig,
};

/** Values quoted in messages are cut short: a 5 MiB annotation must not come back in every answer and log line. */
export function clip(v: string, max = 200): string {
  return v.length <= max ? v : `${v.slice(0, max)}… (${v.length} characters)`;
}

export const VALIDATED_ANNOTATIONS: readonly string[] = Object.keys(CHECKS);

/** Throws one INVALID_ANNOTATION error listing every bad annotation (subject: the first one's name). */
export function validateAnnotations(annotations: Record<string, string> | undefined): void {
  const problems: Array<[string, string]> = [];
  for (const [name, check] of Object.entries(CHECKS)) {
    const v = annotations?.[name];
    if (v === undefined) continue;
    const why = typeof v === 'string' ? check(v) : 'must be a string';
    if (why) problems.push([name, `invalid value '${clip(String(v))}' for annotation '${name}': ${why}`]);
  }
  if (problems.length > 0) {
    throw new InjectionError('INVALID_ANNOTATION', problems.map(([, m]) => m).join('; '), problems[0]![0]);
  }
}
