// Every pod annotation the injector validates: name, check, and Istio's error text
// (`invalid value '<v>' for annotation '<name>': <why>`). All bad annotations are reported at once.
import { CaptureSettingError } from '../capture/errors.ts';
import { parseCidrList, parseCidrSelection, parseInterfaceList, parsePortList, parsePortSelection } from '../capture/values.ts';
import { clip, clipJson } from './clip.ts';
import { InjectionError, isInjectionError } from './errors.ts';
import { parseProxyConfigAnnotation, ProxyConfigProblem } from './proxy-config-annotation.ts';
import { parseQuantity } from './quantity.ts';
import { PROXY_CONFIG_RULES } from './settings/mesh.ts';
import { checkRules } from './settings/schema.ts';
import type { JsonObject } from './types.ts';

/** The annotations the injector reads by name: what the code calls each one -> its key on the pod. */
export const ANNOTATION = {
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

const BOOLS: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

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

/**
 * A capture annotation is checked by the very parser the init container's `istio-iptables` /
 * `sidecar-injector iptables` applies to the flag the template passes it on to, so the webhook refuses
 * at admission exactly what would make the init container exit (and the pod crash-loop).
 */
const capture =
  (flag: string, parse: (v: string, flag: string) => unknown): Check =>
  (v) => {
    try {
      parse(v, flag);
      return undefined;
    } catch (e) {
      if (e instanceof CaptureSettingError) return `${e.reason} (the init container's ${flag} would refuse it)`;
      throw e;
    }
  };

/** Istio prefixes these errors with its parameter name (e.g. "includeIPRanges invalid: ..."). */
const named =
  (param: string, inner: Check): Check =>
  (v) => {
    const why = inner(v);
    return why === undefined ? undefined : `${param} invalid: ${why}`;
  };

/** istiod's parsePorts (admission): each comma-separated entry, trimmed, a port 0-65535; an empty entry fails. */
const istioPortList =
  (inner: Check): Check =>
  (v) => {
    if (v === '*' || v.trim() === '') return inner(v);
    for (const raw of v.trim().split(',')) {
      const why = portProblem(raw, true);
      if (why) return why;
    }
    return inner(v);
  };

/** istiod's ValidateInterfaceNames (admission), before the init container's own parse. */
const ISTIO_INTERFACE_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]*$/;
const istioInterfaceNames =
  (inner: Check): Check =>
  (v) => {
    if (v === '') return undefined;
    for (const raw of v.split(',')) {
      const name = raw.trim();
      if (name === '') return 'empty interface name';
      if (name.length > 15) return `interface name ${clipJson(name)} too long (max 15 chars)`;
      if (!ISTIO_INTERFACE_NAME.test(name)) return `interface name ${clipJson(name)} contains invalid characters`;
    }
    return inner(v);
  };

// Istio checks a uint32, then the value lands in a probe's int32 field: above 2^31-1 istiod's render
// fails (and the API server would refuse it), so it is refused here, by name.
const probeSeconds: Check = (v) =>
  !/^\d{1,10}$/.test(v) || Number(v) > 0xffffffff
    ? 'must be a non-negative 32-bit integer'
    : Number(v) > 0x7fffffff
      ? "larger than a probe's int32 field holds (2147483647)"
      : undefined;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point of this check
const quantity: Check = (v) => (parseQuantity(v) && !/[\x00-\x1f\x7f]/.test(v) ? undefined : 'not a resource quantity (e.g. 100m, 128Mi)');

const proxyConfig: Check = (v) => {
  let doc: JsonObject | undefined;
  try {
    doc = parseProxyConfigAnnotation(v);
  } catch (e) {
    if (e instanceof ProxyConfigProblem) return e.message;
    throw e;
  }
  if (doc === undefined) return undefined;
  try {
    checkRules(doc, PROXY_CONFIG_RULES, '');
  } catch (e) {
    if (!isInjectionError(e)) throw e;
    return String(e.message).replace(/^invalid setting /, 'field ');
  }
  return undefined;
};

/** Deeper than any volume or container spec (a 100k-deep value overflowed the stack while rendering). */
export const MAX_JSON_DEPTH = 64;

/** JSON annotations: nesting depth, counted in one pass over the text (parsing them is left to their readers). */
const jsonDepth: Check = (v) => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH} levels`;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
};

/** More templates than any pod asks for (Istio's own combinations name two or three). */
export const MAX_TEMPLATES = 32;

/**
 * The templates the annotation asks for, in order, each once (a repeat would render and merge again to no
 * effect). An empty name stays, as in istiod: `""` or `sidecar,` is refused as a template not found.
 */
export function templateList(value: string): string[] {
  return [...new Set(value.split(',').map((s) => s.trim()))];
}

const templates: Check = (v) => {
  let count = 0;
  for (const s of v.split(',')) {
    if (s.trim() === '') continue;
    if (++count > MAX_TEMPLATES) return `names more than ${MAX_TEMPLATES} templates`;
    if (s.trim().length > 253) return 'a template name is longer than 253 characters';
  }
  return undefined;
};

const CHECKS: Record<string, Check> = {
  [ANNOTATION.interceptionMode]: (v) => (['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined : 'must be one of REDIRECT, TPROXY, NONE'),
  [ANNOTATION.statusPort]: (v) => portProblem(v, true),
  [ANNOTATION.readinessInitialDelay]: probeSeconds,
  [ANNOTATION.readinessPeriod]: probeSeconds,
  [ANNOTATION.readinessFailure]: probeSeconds,
  [ANNOTATION.includeOutboundIPRanges]: named('includeIPRanges', capture('-i', parseCidrSelection)),
  [ANNOTATION.excludeOutboundIPRanges]: named('excludeIPRanges', capture('-x', parseCidrList)),
  [ANNOTATION.includeInboundPorts]: named('includeInboundPorts', istioPortList(capture('-b', parsePortSelection))),
  [ANNOTATION.excludeInboundPorts]: named('excludeInboundPorts', istioPortList(capture('-d', parsePortList))),
  [ANNOTATION.excludeOutboundPorts]: named('excludeOutboundPorts', istioPortList(capture('-o', parsePortList))),
  [ANNOTATION.includeOutboundPorts]: named('includeOutboundPorts', capture('-q', parsePortList)),
  [ANNOTATION.excludeInterfaces]: istioInterfaceNames(capture('-c', parseInterfaceList)),
  [ANNOTATION.kubevirtInterfaces]: istioInterfaceNames(capture('-k', parseInterfaceList)),
  [ANNOTATION.rerouteVirtualInterfaces]: istioInterfaceNames(capture('-k', parseInterfaceList)),
  // the image type becomes the end of the proxy's image tag (`<tag>-<type>`): what a tag cannot hold is
  // refused by name, where istiod writes it into its YAML (a broken render, or an image no one can pull)
  [ANNOTATION.proxyImageType]: (v) =>
    v === '' || /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(v) ? undefined : 'not an image type (letters, digits, _ . -; e.g. distroless, debug)',
  // names the ConfigMap mounted as the proxy's custom bootstrap: Kubernetes' rule for that name (istiod
  // writes the value into its YAML as it is, so a quote or '#' breaks its render or mounts nothing)
  'sidecar.istio.io/bootstrapOverride': (v) =>
    v === '' || (v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v))
      ? undefined
      : 'not a ConfigMap name (lowercase letters, digits, - and ., at most 253 characters)',
  [ANNOTATION.mergeMetrics]: (v) => (parseGoBool(v) === undefined ? 'must be a boolean' : undefined),
  [ANNOTATION.proxyCPU]: quantity,
  [ANNOTATION.proxyMemory]: quantity,
  [ANNOTATION.proxyCPULimit]: quantity,
  [ANNOTATION.proxyMemoryLimit]: quantity,
  [ANNOTATION.proxyConfig]: proxyConfig,
  [ANNOTATION.templates]: templates,
  [ANNOTATION.overrides]: jsonDepth,
  'sidecar.istio.io/userVolume': jsonDepth,
  'sidecar.istio.io/userVolumeMount': jsonDepth,
};

export const VALIDATED_ANNOTATIONS: readonly string[] = Object.keys(CHECKS);
const CHECK_OF: ReadonlyMap<string, Check> = new Map(Object.entries(CHECKS));

/**
 * Longest value accepted for an annotation the injector or its templates read. Real values are a few
 * hundred bytes; Kubernetes allows 256 KiB for all annotations together, but /preview and the CLI have
 * no API server in front, and every value is parsed, rendered and quoted.
 */
export const MAX_ANNOTATION_VALUE = 32 * 1024;

/** Annotations read by code rather than named in ANNOTATION or a template (their size is capped too). */
const READ_BY_CODE = [
  'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount',
  'prometheus.io/scrape',
  'prometheus.io/port',
  'prometheus.io/path',
];

/** How a value that is not a string is named in a message (never stringified: it may be huge or hostile). */
function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

function problemOf(name: string, v: unknown, read: ReadonlySet<string>): string | undefined {
  if (typeof v !== 'string') return `invalid value (${kindOf(v)}) for annotation '${clip(name, 100)}': annotation values must be strings`;
  const isRead = read.has(name) || CHECK_OF.has(name) || READ_BY_CODE.includes(name);
  if (isRead && v.length > MAX_ANNOTATION_VALUE) {
    return `invalid value '${clip(v)}' for annotation '${clip(name, 100)}': longer than the limit of ${MAX_ANNOTATION_VALUE} characters`;
  }
  const why = CHECK_OF.get(name)?.(v);
  return why === undefined ? undefined : `invalid value '${clip(v)}' for annotation '${clip(name, 100)}': ${clip(why, 400)}`;
}

/**
 * Throws one INVALID_ANNOTATION error listing every bad annotation (subject: the first one's name):
 * values that are not strings, values of annotations in `read` over the size limit, and the values the
 * checks above refuse. One pass over the annotations.
 */
export function validateAnnotations(annotations: unknown, read: ReadonlySet<string> = new Set()): void {
  if (annotations === undefined || annotations === null) return;
  if (typeof annotations !== 'object' || Array.isArray(annotations)) {
    throw new InjectionError(
      'INVALID_ANNOTATION',
      `metadata.annotations must be a mapping of strings (got ${kindOf(annotations)})`,
      'metadata.annotations',
    );
  }
  const problems: Array<[string, string]> = [];
  for (const [name, v] of Object.entries(annotations)) {
    const message = problemOf(name, v, read);
    if (message) problems.push([name, message]);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).map(([, m]) => m);
    if (problems.length > 5) shown.push(`and ${problems.length - 5} more`);
    throw new InjectionError('INVALID_ANNOTATION', shown.join('; '), problems[0]![0]);
  }
}

/** Whether a `deniedAnnotations` entry matches a name: equal, or a prefix when the entry ends in `*`. */
/** `deniedAnnotations` as admissions match it: names in a set, `prefix*` entries as prefixes (built once per config). */
export interface DeniedAnnotations {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

export function deniedAnnotationsOf(entries: readonly string[]): DeniedAnnotations {
  return { exact: new Set(entries.filter((e) => !e.endsWith('*'))), prefixes: entries.filter((e) => e.endsWith('*')).map((e) => e.slice(0, -1)) };
}

/** The entry that denies `name` (as the operator wrote it), or undefined. */
function denyingEntry(denied: DeniedAnnotations, name: string): string | undefined {
  if (denied.exact.has(name)) return name;
  const prefix = denied.prefixes.find((p) => name.startsWith(p));
  return prefix === undefined ? undefined : `${prefix}*`;
}

/**
 * The operator's `deniedAnnotations` (injector config): a pod that sets a matching annotation is refused
 * at admission, naming the annotation and the setting. Only for pods that would be injected.
 */
export function refuseDeniedAnnotations(annotations: unknown, denied: DeniedAnnotations): void {
  if ((denied.exact.size === 0 && denied.prefixes.length === 0) || typeof annotations !== 'object' || annotations === null) return;
  for (const name of Object.keys(annotations)) {
    const entry = denyingEntry(denied, name);
    if (entry === undefined) continue;
    const how = entry === name ? '' : ` (entry '${clip(entry, 100)}')`;
    throw new InjectionError(
      'DENIED_ANNOTATION',
      `annotation '${clip(name, 100)}' is not allowed here: the injector config's deniedAnnotations lists it${how}; remove the annotation or ask the mesh operator`,
      name,
    );
  }
}
