// Template helpers for the parts of Istio's injection template that compute a value in Go
// (pkg/kube/inject/template.go): OTEL_RESOURCE_ATTRIBUTES, the Multus networks annotation, the
// directory of a path, a JSON map to range over, an unquoted integer or string as Istio's YAML reads
// it. Same inputs, same results (or failures). All are pure.
import type { FilterImplOptions } from 'liquidjs';
import { isObject } from '../types.ts';

type StringMap = Record<string, string> | undefined;
type Container = { name?: string; image?: string };

const SEMANTIC_CONVENTIONS = new Set(['OTEL_SEMANTIC_CONVENTIONS', 1]);

/** True when an OpenTelemetry extension provider asks for OTel semantic-convention service attributes. */
function wantsOtelSemConv(mesh: unknown): boolean {
  const providers = isObject(mesh) ? mesh.extensionProviders : undefined;
  if (!Array.isArray(providers)) return false;
  return providers.some(
    (p) => isObject(p) && isObject(p.opentelemetry) && SEMANTIC_CONVENTIONS.has(p.opentelemetry.serviceAttributeEnrichment as string),
  );
}

/** Tag and digest of an image reference: [registry[:port]/]name[:tag][@digest]. */
function imageTagDigest(image: string): { tag: string; digest: string } {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  return { tag: colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : '', digest };
}

function serviceVersion(annotations: StringMap, labels: StringMap, containers: Container[]): string {
  const annotated = annotations?.['resource.opentelemetry.io/service.version'];
  if (annotated) return annotated;
  const labelled = labels?.['app.kubernetes.io/version'];
  if (labelled) return labelled;
  if (containers.length !== 1) return '';
  const { tag, digest } = imageTagDigest(containers[0]!.image ?? '');
  return tag && digest ? `${tag}@${digest}` : digest || tag;
}

/**
 * OTEL_RESOURCE_ATTRIBUTES (Istio's otelResourceAttributes): service.namespace, service.version and
 * service.instance.id from the pod's resource.opentelemetry.io/* annotations, its labels, namespace and
 * containers; '' unless the mesh has an OpenTelemetry provider with OTEL_SEMANTIC_CONVENTIONS.
 */
export function otelResourceAttributes(mesh: unknown, annotations: StringMap, labels: StringMap, namespace: unknown, containers: unknown): string {
  if (!wantsOtelSemConv(mesh)) return '';
  const ns = typeof namespace === 'string' ? namespace : '';
  const list = Array.isArray(containers) ? (containers as Container[]) : [];
  const attrs: string[] = [];
  const annotatedNs = annotations?.['resource.opentelemetry.io/service.namespace'];
  if (annotatedNs) attrs.push(`service.namespace=${annotatedNs}`);
  else if (ns) attrs.push(`service.namespace=${ns}`);
  const version = serviceVersion(annotations, labels, list);
  if (version) attrs.push(`service.version=${version}`);
  const instance = annotations?.['resource.opentelemetry.io/service.instance.id'];
  if (instance) attrs.push(`service.instance.id=${instance}`);
  else if (list.length > 0) attrs.push(`service.instance.id=${ns}.$(POD_NAME).${list[0]!.name ?? ''}`);
  return attrs.join(',');
}

/** "ns/name" -> [ns, name]; "name" -> ["", name] (k8s.io/utils/strings SplitQualifiedName). */
function splitQualifiedName(s: string): [string, string] {
  const i = s.indexOf('/');
  return i < 0 ? ['', s] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * k8s.v1.cni.cncf.io/networks with Istio's CNI network added (Istio's appendMultusNetwork): to a JSON
 * list as {"name", "namespace"} before its last `]`, to a comma list as ", <network>"; unchanged when it
 * is there already or the JSON does not parse.
 */
export function appendMultusNetwork(existing: unknown, network: string): string {
  const value = typeof existing === 'string' ? existing : '';
  if (value === '') return network;
  const end = value.lastIndexOf(']');
  if (end < 0) return value.split(',').some((n) => n.trim() === network) ? value : `${value}, ${network}`;
  let nets: unknown;
  try {
    nets = JSON.parse(value);
  } catch {
    return value;
  }
  if (!Array.isArray(nets) || nets.some((n) => n !== null && !isObject(n))) return value;
  const [ns, name] = splitQualifiedName(network);
  if (nets.some((n) => isObject(n) && n.name === name && (n.namespace ?? '') === ns)) return value;
  const entry = ns === '' ? `, {"name": "${name}"}` : `, {"name": "${name}", "namespace": "${ns}"}`;
  return value.slice(0, end) + entry + value.slice(end);
}

/** The directory part of a slash path, with its trailing slash (Go's path.Split). */
export function directory(p: unknown): string {
  const s = typeof p === 'string' ? p : '';
  return s.slice(0, s.lastIndexOf('/') + 1);
}

/**
 * A JSON map for a template to range over: `null` gives none; anything else that is not a map throws, as
 * Istio's template fails on it (fromJSON then `range`), so the pod is refused as istiod refuses it.
 */
export function jsonMap(text: unknown, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(String(text));
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  if (doc === null) return {};
  if (!isObject(doc)) throw new Error(`${what} is not a JSON map`);
  return doc;
}

/**
 * An integer Istio's template writes unquoted (a readiness annotation, checked as decimal digits), as
 * its YAML parser (go-yaml v2, YAML 1.1) reads it: a leading 0 makes digits 0-7 octal ("010" is 8).
 */
export function yamlInt(v: unknown): number {
  const s = String(v ?? '').trim();
  return /^0[0-7]+$/.test(s) ? Number.parseInt(s, 8) : Number(s);
}

/**
 * A string Istio's template writes as a plain YAML scalar in a list (`- --proxyLogLevel=<annotation>`),
 * as its YAML parser reads it back: cut at a comment (` #`), trailing blanks dropped. Where that YAML
 * makes something other than one string (`: ` makes a map, a line break ends the item), istiod refuses
 * the pod: this throws, so we refuse it too.
 */
export function yamlPlain(v: unknown, what: string): string {
  const s = String(v ?? '');
  if (/[\r\n]/.test(s)) throw new Error(`${what} has a line break, which istiod's template cannot hold`);
  const comment = s.search(/[ \t]#/);
  const content = comment >= 0 ? s.slice(0, comment) : s;
  if (/:([ \t]|$)/.test(content)) throw new Error(`${what} has ": ", which makes istiod's template write a map, not a string`);
  return content.replace(/[ \t]+$/, '');
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** One escape of a YAML double-quoted scalar at s[i] (after the backslash): [text, next index]. */
function yamlEscape(s: string, i: number, what: string): [string, number] {
  const c = s[i];
  if (c === undefined) throw new Error(`${what} ends with a backslash, which breaks istiod's quoted value`);
  if (c in ESCAPES) return [ESCAPES[c]!, i + 1];
  const n = HEX_LENGTH[c];
  const hex = n === undefined ? '' : s.slice(i + 1, i + 1 + n);
  const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === n ? Number.parseInt(hex, 16) : Number.NaN;
  if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new Error(`${what} has an escape istiod's YAML refuses (\\${c})`);
  return [String.fromCodePoint(code), i + 1 + n!];
}

/** Index past one line break at s[i] (\r\n counts as one), or i when there is none. */
function pastBreak(s: string, i: number): number {
  if (s[i] === '\r') return s[i + 1] === '\n' ? i + 2 : i + 1;
  return s[i] === '\n' ? i + 1 : i;
}

/**
 * A string Istio's template writes between double quotes without escaping it (`value: "{{ $value }}"`),
 * as its YAML parser reads it back: backslash escapes interpreted, line breaks folded (blanks around
 * them dropped; one break is a space, n breaks n-1 newlines; an escaped break joins the lines). A `"`
 * ends the value early and a bad escape is an error: istiod refuses the pod, so this throws.
 */
export function yamlDoubleQuoted(v: unknown, what: string): string {
  const s = String(v ?? '');
  let out = '';
  let blanks = ''; // literal blanks, kept unless a line break follows
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '"') throw new Error(`${what} has a '"', which ends istiod's quoted value early`);
    if (c === ' ' || c === '\t') {
      blanks += c;
      i++;
    } else if (pastBreak(s, i) > i) {
      let breaks = 0;
      for (let j = pastBreak(s, i); j > i; j = pastBreak(s, i)) {
        breaks++;
        i = j;
        while (s[i] === ' ' || s[i] === '\t') i++;
      }
      out += breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
      blanks = '';
    } else if (c === '\\' && pastBreak(s, i + 1) > i + 1) {
      out += blanks;
      blanks = '';
      i = pastBreak(s, i + 1);
      while (s[i] === ' ' || s[i] === '\t') i++;
    } else {
      const [text, next] = c === '\\' ? yamlEscape(s, i + 1, what) : [c, i + 1];
      out += blanks + text;
      blanks = '';
      i = next;
    }
  }
  return out + blanks;
}

export const istioFilters: Record<string, FilterImplOptions> = {
  yaml_dquoted: yamlDoubleQuoted,
  yaml_plain: yamlPlain,
  yaml_int: yamlInt,
  json_map: jsonMap,
  otel_resource_attributes: otelResourceAttributes,
  append_multus_network: appendMultusNetwork,
  directory,
};
