// The proxy config a pod's templates see, as istiod's webhook works it out
// (Environment.GetProxyConfigOrDefault -> ProxyConfigs.EffectiveProxyConfig): the mesh's defaultConfig,
// then the ProxyConfig resources of the root namespace and of the pod's namespace, then the pod's
// proxy.istio.io/config annotation, then the ProxyConfig resource selecting the pod (proxy-configs.ts).
// Each layer goes through protobuf and back in Istio (mergeWithPrecedence: ToYAML, then MergeProxyConfig):
// a field that protobuf does not write (null, or the zero value of a plain scalar) changes nothing, and
// proxyMetadata maps merge key by key; every other field replaces.
import { ANNOTATION } from './annotations.ts';
import { parseProxyConfigAnnotation } from './proxy-config-annotation.ts';
import { proxyConfigFragment, proxyConfigLayers, type ProxyConfigResource, type ProxyConfigSet } from './proxy-configs.ts';
import type { Settings } from './settings/index.ts';
import { overlayProxyConfig } from './settings/mesh.ts';
import { isObject, type Json, type JsonObject } from './types.ts';

// ProxyConfig fields that are plain proto3 scalars (no wrapper, no message): protobuf's JSON writer
// leaves them out at their zero value, so there they cannot override a lower layer.
const PLAIN_STRINGS = new Set([
  'configPath',
  'binaryPath',
  'serviceCluster',
  'discoveryAddress',
  'statsdUdpAddress',
  'customConfigFile',
  'proxyBootstrapTemplatePath',
  'meshId',
]);
const PLAIN_NUMBERS = new Set(['proxyAdminPort', 'statNameLength', 'statusPort', 'fileFlushMinSizeKb']);
// enums at their first (zero) value
const ZERO_ENUMS: Record<string, Json> = {
  interceptionMode: 'REDIRECT',
  controlPlaneAuthPolicy: 'NONE',
  tracingServiceName: 'APP_LABEL_AND_NAMESPACE',
};
const LISTS_AND_MAPS = new Set(['proxyMetadata', 'runtimeValues', 'extraStatTags', 'caCertificatesPem']);

function emptyCollection(v: Json): boolean {
  return Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0;
}

/** The fields of a fragment that protobuf's JSON writer would write (what Istio merges of a layer). */
export function protoWrittenFields(fragment: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(fragment)) {
    if (v === null) continue;
    if (PLAIN_STRINGS.has(k) && v === '') continue;
    if (PLAIN_NUMBERS.has(k) && v === 0) continue;
    if (Object.hasOwn(ZERO_ENUMS, k) && v === ZERO_ENUMS[k]) continue;
    if (LISTS_AND_MAPS.has(k) && emptyCollection(v)) continue;
    out[k] = v;
  }
  return out;
}

export interface EffectiveProxyConfig {
  proxyConfig: JsonObject;
  /** What shaped it beyond the mesh defaults, for explain/preview notes. */
  notes: string[];
}

export interface ProxyConfigInput {
  settings: Settings;
  /** The request's namespace. */
  namespace: string;
  labels: Record<string, string> | undefined;
  annotations: Record<string, string> | undefined;
  proxyConfigs: ProxyConfigSet | undefined;
}

function describe(r: ProxyConfigResource, why: string): string {
  const fields = Object.keys(proxyConfigFragment(r.spec)).map((k) => (k === 'proxyMetadata' ? 'environmentVariables' : k));
  return `ProxyConfig ${r.namespace}/${r.name} (${why}) applied${fields.length ? `: ${fields.join(', ')}` : ' (sets nothing)'}`;
}

function rootNamespaceOf(settings: Settings): string {
  // as Istio loads mesh config, an empty rootNamespace is not written by protobuf: the default stays
  const root = settings.mesh.rootNamespace;
  return typeof root === 'string' && root !== '' ? root : 'istio-system';
}

/** The effective proxy config; the annotation must have been validated already (its errors are the caller's). */
export function effectiveProxyConfig(input: ProxyConfigInput): EffectiveProxyConfig {
  const base = input.settings.mesh.defaultConfig as JsonObject;
  const raw = input.annotations?.[ANNOTATION.proxyConfig];
  const layers = proxyConfigLayers(input.proxyConfigs, rootNamespaceOf(input.settings), input.namespace, input.labels ?? {});
  if (raw === undefined && !layers.rootNamespace && !layers.namespace && !layers.workload) return { proxyConfig: base, notes: [] };

  const notes: string[] = [];
  let pc = base;
  const apply = (fragment: JsonObject, subject: string) => {
    const written = protoWrittenFields(fragment);
    if (Object.keys(written).length > 0) pc = overlayProxyConfig(pc, written, subject);
  };
  if (layers.rootNamespace) {
    apply(proxyConfigFragment(layers.rootNamespace.spec), `ProxyConfig ${layers.rootNamespace.namespace}/${layers.rootNamespace.name}: `);
    notes.push(describe(layers.rootNamespace, 'root namespace'));
  }
  if (layers.namespace) {
    apply(proxyConfigFragment(layers.namespace.spec), `ProxyConfig ${layers.namespace.namespace}/${layers.namespace.name}: `);
    notes.push(describe(layers.namespace, 'namespace-wide'));
  }
  if (raw !== undefined) {
    const doc = parseProxyConfigAnnotation(raw);
    if (isObject(doc)) apply(doc, `annotation ${ANNOTATION.proxyConfig}: `);
  }
  if (layers.workload) {
    apply(proxyConfigFragment(layers.workload.spec), `ProxyConfig ${layers.workload.namespace}/${layers.workload.name}: `);
    notes.push(describe(layers.workload, 'selects the pod'));
  }
  return { proxyConfig: pc, notes };
}
