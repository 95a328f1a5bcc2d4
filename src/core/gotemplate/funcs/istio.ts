// Istio's own template functions (pkg/kube/inject/template.go createInjectionFuncmap), which istiod lays
// over sprig's. Typed arguments (ObjectMeta, []Container, *MeshConfig, *ProxyConfig, *Duration) are read
// through the value model: Go field names, toJSONValue (encoding/json) and, for protobuf messages,
// protoJSONValue (ProtoMessage below).
import { DEFAULT_PROXY_CONFIG } from '../../settings/mesh.ts';
import { appendMultusNetwork, directory, excludeInboundPort, otelResourceAttributes, wantsOtelSemConv } from '../../render/istio-funcs.ts';
import { type GoFunction, GoTyped, type GoValue, isGoMap, typeOf, untaint } from '../value.ts';
import { formatV } from './format.ts';
import { goJSON, goJSONData, goJSONParse } from './json.ts';
import { sigsYaml } from './sigs-yaml.ts';
import { stringFunctions } from './strings.ts';
import { GoStringMap, goFunc, intArg, stringAt, stringMapOf, strArg } from './typed.ts';
import { durationString } from './duration.ts';

/**
 * A protobuf message value (the data model's *v1alpha1.ProxyConfig, *v1alpha1.MeshConfig...): what
 * protoToJSON and otelResourceAttributes need from it.
 */
export interface ProtoMessage {
  /** The message's full name, e.g. "istio.mesh.v1alpha1.ProxyConfig". */
  protoFullName(): string;
  /** The message as golang/protobuf's jsonpb.Marshaler{} writes it, as plain data in its field order. */
  protoJSONValue(): unknown;
}

const isProtoMessage = (v: unknown): v is GoTyped & ProtoMessage =>
  v instanceof GoTyped && typeof (v as Partial<ProtoMessage>).protoJSONValue === 'function';

const PROXY_CONFIG = 'istio.mesh.v1alpha1.ProxyConfig';
/** The fields Istio's cleanProxyConfig drops when they hold mesh.DefaultProxyConfig()'s value. */
const CLEANED = [
  'configPath',
  'binaryPath',
  'controlPlaneAuthPolicy',
  'serviceCluster',
  'drainDuration',
  'terminationDrainDuration',
  'discoveryAddress',
  'proxyAdminPort',
  'statNameLength',
  'statusPort',
];

function protoToJSON(v: GoValue): string {
  const m = untaint(v);
  if (m === null || m === undefined) return '{}';
  if (!isProtoMessage(m)) throw new Error(`protoToJSON: ${m instanceof GoTyped ? m.goType() : typeof m} is not a protobuf message`);
  if (m.isNil()) return '{}'; // jsonpb: "Marshal called with nil", which protoToJSON logs and answers {}
  const data = m.protoJSONValue();
  if (m.protoFullName() !== PROXY_CONFIG || !isGoMap(data)) return goJSONData(data);
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(data as Record<string, unknown>)) {
    if (CLEANED.includes(k) && JSON.stringify(val) === JSON.stringify(DEFAULT_PROXY_CONFIG[k])) continue;
    out[k] = val;
  }
  return goJSONData(out);
}

/** A mesh that asks for the semantic conventions, as otelResourceAttributes checks it (it was checked here). */
const SEMCONV_MESH = { extensionProviders: [{ opentelemetry: { serviceAttributeEnrichment: 'OTEL_SEMANTIC_CONVENTIONS' } }] };
const OTEL_ANNOTATIONS = [
  'resource.opentelemetry.io/service.namespace',
  'resource.opentelemetry.io/service.version',
  'resource.opentelemetry.io/service.instance.id',
];
const OTEL_LABELS = ['app.kubernetes.io/version'];

/** The entries at `keys` of a map[string]string argument (the executor checked its type); nil has none. */
function stringEntries(m: GoValue, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = stringAt(m, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** A typed value's encoding/json data (k8s structs), or plain data as it is. */
function jsonData(v: GoValue): unknown {
  const x = untaint(v);
  return x instanceof GoTyped ? x.toJSONValue() : x;
}

type ContainerJSON = { name?: string; image?: string; ports?: Array<{ containerPort?: number; protocol?: string }> };

function containerPorts(containers: GoValue, include: (c: ContainerJSON) => boolean): string {
  const list = jsonData(containers);
  const parts: string[] = [];
  for (const c of Array.isArray(list) ? (list as ContainerJSON[]) : []) {
    if (!include(c)) continue;
    for (const p of c.ports ?? []) if (p.protocol !== 'UDP' && p.protocol !== 'SCTP') parts.push(String(p.containerPort ?? 0));
  }
  return parts.join(',');
}

/** meta.Annotations[name] of a v1.ObjectMeta value (its Go field, or its JSON). */
function annotationOf(meta: GoValue, name: string): string | undefined {
  const m = untaint(meta);
  const field = m instanceof GoTyped ? m.field('Annotations') : undefined;
  if (field !== undefined) return stringAt(field.value, name);
  const data = jsonData(m) as { annotations?: Record<string, string> } | null;
  return stringAt(data?.annotations ?? null, name);
}

function mergeMaps(maps: GoValue[]): GoStringMap {
  if (maps.length === 0) return new GoStringMap(new Map(), true);
  const out = new Map<string, string>();
  for (const m of maps) for (const [k, v] of stringMapOf(m, 'mergeMaps')) out.set(k, v);
  return new GoStringMap(out);
}

/** Istio's omitNil: nils dropped from maps and lists, recursively; a container left empty by that is nil. */
function omitNil(v: GoValue): { value: GoValue; changed: boolean } {
  const x = untaint(v);
  if (x === null || x === undefined) return { value: null, changed: true };
  if (Array.isArray(x)) {
    const results = x.map(omitNil);
    if (!results.some((r) => r.changed)) return { value: x, changed: false };
    const out = results.map((r) => r.value).filter((r) => r !== null);
    return { value: out.length === 0 ? null : out, changed: true };
  }
  if (isGoMap(x)) {
    const results = Object.entries(x).map(([k, val]) => [k, omitNil(val)] as const);
    if (!results.some(([, r]) => r.changed)) return { value: x, changed: false };
    const out = Object.create(null) as Record<string, GoValue>;
    for (const [k, r] of results) if (r.value !== null) out[k] = r.value;
    return { value: Object.keys(out).length === 0 ? null : out, changed: true };
  }
  return { value: v, changed: false };
}

/** Istio's indent: every line but the first gets `spaces` spaces (fmt's "% Ns" pads "" to |N|). */
function istioIndent(spaces: number, source: string): string {
  const pad = ' '.repeat(Math.abs(spaces));
  return source
    .split('\n')
    .map((line, i) => (i > 0 ? pad + line : line))
    .join('\n');
}

function formatDuration(d: GoValue): string {
  const x = untaint(d);
  if (!(x instanceof GoTyped) || x.isNil()) return '0s';
  const seconds = untaint(x.field('Seconds')?.value);
  const nanos = untaint(x.field('Nanos')?.value);
  const num = (n: GoValue): bigint => (typeof n === 'bigint' ? n : n instanceof GoTyped ? BigInt(String(n.scalar() ?? 0)) : 0n);
  return durationString(num(seconds), num(nanos));
}

/**
 * The data a value is read from when that data is deeply frozen (the settings' values and mesh, and the
 * ProxyConfig of a pod without proxy.istio.io/config: reuse.ts), else undefined: the same object then
 * always serializes alike.
 */
function frozenSource(v: GoValue): object | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const data = v instanceof GoTyped ? (v as { raw?: unknown }).raw : v;
  return typeof data === 'object' && data !== null && Object.isFrozen(data) ? data : undefined;
}

/**
 * `serialize` remembered per frozen argument. Istio's sidecar template writes the settings' resources,
 * lifecycle, seccomp profile and the mesh's ProxyConfig each render (a tenth of an unreused render):
 * the same text every time. Per function map, so per settings load.
 */
function memoFrozen<T>(serialize: (v: GoValue) => T): (v: GoValue) => T {
  // by Go type too: one object is read as a pointer and as what it points to, or as an embedded struct
  const known = new WeakMap<object, Map<string, T>>();
  return (v) => {
    const source = frozenSource(v);
    if (source === undefined) return serialize(v);
    const byType = known.get(source) ?? new Map<string, T>();
    known.set(source, byType);
    const type = typeOf(v);
    if (!byType.has(type)) byType.set(type, serialize(v));
    return byType.get(type)!;
  };
}

/** Whether the mesh config (a *MeshConfig) asks for OTel semantic-convention attributes. */
function meshWantsOtelSemConv(mc: GoValue): boolean {
  const mesh = untaint(mc);
  return wantsOtelSemConv(isProtoMessage(mesh) && !mesh.isNil() ? mesh.protoJSONValue() : undefined);
}

/** Istio's otelResourceAttributes, with its own memo of the (frozen) mesh config's answer. */
function otelFunction(): GoFunction {
  // the mesh config is the settings': read once per settings load, not written out as JSON every render
  const otelSemConv = memoFrozen(meshWantsOtelSemConv);
  return goFunc(['*v1alpha1.MeshConfig', 'map[string]string', 'map[string]string', 'string', '[]v1.Container'], (mc, a, l, ns, c) => {
    // Istio looks at the pod only when the mesh asks for these attributes, and then at a few keys: so do
    // we (render reuse keys a render on what it read; 60,000 labels were all converted here)
    if (!otelSemConv(mc)) return '';
    return otelResourceAttributes(
      SEMCONV_MESH,
      stringEntries(a, OTEL_ANNOTATIONS),
      stringEntries(l, OTEL_LABELS),
      strArg(ns, 'otelResourceAttributes'),
      jsonData(c),
    );
  });
}

/** Istio's createInjectionFuncmap; `env` reads istiod's environment (the edge passes it in). */
export function istioFunctions(env: (name: string) => string | undefined): Record<string, GoFunction> {
  const toYaml = memoFrozen((v) => sigsYaml(v) ?? '');
  return {
    ...istioMapFunctions,
    otelResourceAttributes: otelFunction(),
    formatDuration: goFunc(['*durationpb.Duration'], formatDuration),
    isset: goFunc(['map[string]string', 'string'], (m, k) => stringAt(m, strArg(k, 'isset')) !== undefined),
    excludeInboundPort: goFunc(['any', 'string'], (p, l) => excludeInboundPort(formatV(untaint(p) ?? null), strArg(l, 'excludeInboundPort'))),
    includeInboundPorts: goFunc(['[]v1.Container'], (c) => containerPorts(c, () => true)),
    applicationPorts: goFunc(['[]v1.Container'], (c) => containerPorts(c, (x) => x.name !== 'istio-proxy')),
    kubevirtInterfaces: goFunc(['string'], (s) => strArg(s, 'kubevirtInterfaces')),
    excludeInterfaces: goFunc(['string'], (s) => strArg(s, 'excludeInterfaces')),
    annotation: goFunc(['v1.ObjectMeta', 'string', 'any'], (meta, name, dflt) => {
      const value = annotationOf(meta, strArg(name, 'annotation'));
      return value ?? formatV(untaint(dflt) ?? null);
    }),
    valueOrDefault: goFunc(['any', 'any'], (v, d) => {
      const x = untaint(v);
      return x === '' || x === null || x === undefined ? d : v;
    }),
    toJSON: goFunc(['map[string]string'], (m) => {
      const x = untaint(m);
      return x === null || x === undefined || (x instanceof GoTyped && x.isNil()) ? '{}' : goJSON(new GoStringMap(stringMapOf(x, 'toJSON')));
    }),
    // Go's json.Unmarshal of `null` is a nil interface (ranging over it does nothing); only a failure gives "{}"
    fromJSON: goFunc(['string'], (s) => {
      const parsed = goJSONParse(strArg(s, 'fromJSON'), 'fromJSON input');
      return parsed === undefined ? '{}' : parsed.value;
    }),
    structToJSON: goFunc(['any'], (v) => {
      if (untaint(v) === null || untaint(v) === undefined) return '{}';
      try {
        return goJSON(v);
      } catch {
        return '{}';
      }
    }),
    protoToJSON: goFunc(['protoreflect.ProtoMessage'], memoFrozen(protoToJSON)),
    toYaml: goFunc(['any'], toYaml),
    indent: goFunc(['int', 'string'], (n, s) => istioIndent(intArg(n, 'indent'), strArg(s, 'indent'))),
    directory: goFunc(['string'], (p) => directory(strArg(p, 'directory'))),
    contains: stringFunctions.contains!,
    toLower: stringFunctions.lower!,
    appendMultusNetwork: goFunc(['string', 'string'], (a, b) =>
      appendMultusNetwork(strArg(a, 'appendMultusNetwork'), strArg(b, 'appendMultusNetwork')),
    ),
    env: goFunc(['string', 'string'], (k, d) => {
      const v = env(strArg(k, 'env'));
      return v === undefined || v === '' ? strArg(d, 'env') : v;
    }),
  };
}

/** Istio's functions on string maps and on the mesh config. */
const istioMapFunctions: Record<string, GoFunction> = {
  omit: goFunc(
    ['map[string]string'],
    (m, ...keys) => {
      const out = stringMapOf(m, 'omit');
      for (const k of keys) out.delete(strArg(k, 'omit'));
      return new GoStringMap(out);
    },
    'string',
  ),
  strdict: goFunc(
    [],
    (...v) => {
      const out = new Map<string, string>();
      for (let i = 0; i < v.length; i += 2) out.set(strArg(v[i], 'strdict'), i + 1 < v.length ? strArg(v[i + 1], 'strdict') : '');
      return new GoStringMap(out);
    },
    'string',
  ),
  toJsonMap: goFunc([], (...maps) => goJSON(mergeMaps(maps)), 'map[string]string'),
  mergeMaps: goFunc([], (...maps) => mergeMaps(maps), 'map[string]string'),
  omitNil: goFunc(['any'], (v) => omitNil(v).value),
};
