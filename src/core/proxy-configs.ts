// Istio's ProxyConfig resources (networking.istio.io/v1beta1 ProxyConfig): read and checked here, then
// resolved into the effective proxy config of a pod as istiod's injector does
// (pilot/pkg/model/proxy_config.go, EffectiveProxyConfig), lowest first:
//   mesh defaultConfig < root-namespace ProxyConfig without selector < the pod's namespace's ProxyConfig
//   without selector < proxy.istio.io/config annotation < a ProxyConfig in the pod's namespace whose
//   selector matches the pod's labels.
// (The annotation is below the workload resource: Istio merges it "with lower priority than the
// workload-matching ProxyConfig CRs".) Where several qualify, the oldest wins (creationTimestamp, then
// name, then namespace: Istio's sortConfigByCreationTime). A resource gives only concurrency,
// environmentVariables (which become proxyMetadata: env of istio-proxy and istio-init) and image.
import { flattenLists, parseDocuments } from './documents.ts';
import { isObject, type Json, type JsonObject } from './types.ts';

export interface ProxyConfigSpec {
  /** Present (even empty) means "not namespace-wide", as Istio's `GetSelector() == nil` test. */
  selector?: Record<string, string>;
  concurrency?: number;
  environmentVariables?: Record<string, string>;
  image?: { imageType?: string };
}

export interface ProxyConfigResource {
  name: string;
  namespace: string;
  /** RFC 3339, as the API server writes it; absent sorts first (Go's zero time). */
  creationTimestamp?: string;
  spec: ProxyConfigSpec;
}

/** The resources by namespace, each list oldest first: built once per change, read per admission. */
export interface ProxyConfigSet {
  readonly byNamespace: ReadonlyMap<string, readonly ProxyConfigResource[]>;
  readonly size: number;
}

export const EMPTY_PROXY_CONFIG_SET: ProxyConfigSet = { byNamespace: new Map(), size: 0 };

/** Istio's CRD caps an env value at 2048 characters; the annotation's own cap on entries applies too. */
const MAX_ENV_VALUE = 2048;
const MAX_ENV_ENTRIES = 256;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const SPEC_FIELDS = new Set(['selector', 'concurrency', 'environmentVariables', 'image']);
const INT32_MAX = 2 ** 31 - 1;

class SpecProblem extends Error {}

function stringMap(v: unknown, where: string): Record<string, string> {
  if (!isObject(v)) throw new SpecProblem(`${where} must be a mapping of strings`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw new SpecProblem(`${where}.${k} must be a string (got ${JSON.stringify(val)})`);
    out[k] = val;
  }
  return out;
}

function checkSelector(v: unknown): Record<string, string> {
  if (!isObject(v)) throw new SpecProblem('spec.selector must be a mapping');
  const labels = v.matchLabels === undefined || v.matchLabels === null ? {} : stringMap(v.matchLabels, 'spec.selector.matchLabels');
  for (const [k, val] of Object.entries(labels)) {
    // the CRD's own rules: no empty key, no wildcard in keys or values
    if (k === '' || k.includes('*') || val.includes('*'))
      throw new SpecProblem(`spec.selector.matchLabels: wildcards and empty keys are not allowed (${JSON.stringify(k)})`);
  }
  return labels;
}

function checkEnv(v: unknown): Record<string, string> {
  const env = stringMap(v, 'spec.environmentVariables');
  const keys = Object.keys(env);
  if (keys.length > MAX_ENV_ENTRIES) throw new SpecProblem(`spec.environmentVariables has ${keys.length} entries, more than ${MAX_ENV_ENTRIES}`);
  for (const k of keys) {
    // they become env var names of the injected containers: a bad one would make every pod invalid
    if (!ENV_NAME.test(k)) throw new SpecProblem(`spec.environmentVariables: ${JSON.stringify(k)} is not a valid environment variable name`);
    if (env[k]!.length > MAX_ENV_VALUE) throw new SpecProblem(`spec.environmentVariables.${k} is longer than ${MAX_ENV_VALUE} characters`);
  }
  return env;
}

/** The spec as Istio would read it; throws SpecProblem naming the field. Unknown fields are reported in `ignored`. */
function checkSpec(raw: unknown, ignored: string[]): ProxyConfigSpec {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new SpecProblem('spec must be a mapping');
  const spec: ProxyConfigSpec = {};
  for (const k of Object.keys(raw)) if (!SPEC_FIELDS.has(k)) ignored.push(`spec.${k}`);
  if (raw.selector !== undefined && raw.selector !== null) spec.selector = checkSelector(raw.selector);
  const c = raw.concurrency;
  if (c !== undefined && c !== null) {
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > INT32_MAX)
      throw new SpecProblem(`spec.concurrency must be a whole number from 0 to ${INT32_MAX} (got ${JSON.stringify(c)})`);
    spec.concurrency = c;
  }
  if (raw.environmentVariables !== undefined && raw.environmentVariables !== null) spec.environmentVariables = checkEnv(raw.environmentVariables);
  const image = raw.image;
  if (image !== undefined && image !== null) {
    if (!isObject(image)) throw new SpecProblem('spec.image must be a mapping');
    const t = image.imageType;
    if (t !== undefined && t !== null && typeof t !== 'string')
      throw new SpecProblem(`spec.image.imageType must be a string (got ${JSON.stringify(t)})`);
    for (const k of Object.keys(image)) if (k !== 'imageType') ignored.push(`spec.image.${k}`);
    spec.image = typeof t === 'string' ? { imageType: t } : {};
  }
  return spec;
}

export interface ReadProxyConfigs {
  resources: ProxyConfigResource[];
  /** One line per resource ignored, or field ignored, naming it and why. */
  warnings: string[];
}

const isProxyConfigKind = (o: Record<string, unknown>): boolean =>
  o.kind === 'ProxyConfig' && (o.apiVersion === undefined || (typeof o.apiVersion === 'string' && o.apiVersion.startsWith('networking.istio.io/')));

/**
 * ProxyConfig objects as the API server or `kubectl get proxyconfigs -A -o yaml` gives them (Lists
 * already flattened). A resource that is not well-formed is left out with a warning, never thrown:
 * a ProxyConfig istiod would tolerate must not take the injector down.
 */
export function readProxyConfigs(objects: readonly unknown[]): ReadProxyConfigs {
  const resources: ProxyConfigResource[] = [];
  const warnings: string[] = [];
  objects.forEach((o, i) => {
    if (!isObject(o) || !isProxyConfigKind(o)) {
      const kind = isObject(o) && typeof o.kind === 'string' ? o.kind : typeof o;
      warnings.push(`object ${i + 1} (${kind}) is not a networking.istio.io ProxyConfig: ignored`);
      return;
    }
    const meta = isObject(o.metadata) ? o.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
    const label = `ProxyConfig ${namespace || '?'}/${name || '?'}`;
    if (!name || !namespace) {
      warnings.push(`${label}: metadata.name and metadata.namespace are required: ignored`);
      return;
    }
    const ignored: string[] = [];
    try {
      const spec = checkSpec(o.spec, ignored);
      const ts = meta.creationTimestamp;
      resources.push({ name, namespace, spec, ...(typeof ts === 'string' ? { creationTimestamp: ts } : {}) });
      if (ignored.length) warnings.push(`${label}: unknown fields ignored: ${ignored.join(', ')}`);
    } catch (e) {
      if (!(e instanceof SpecProblem)) throw e;
      warnings.push(`${label}: ${e.message}: ignored`);
    }
  });
  return { resources, warnings };
}

const timeOf = (r: ProxyConfigResource): number => {
  const t = r.creationTimestamp === undefined ? Number.NaN : Date.parse(r.creationTimestamp);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
};

// Go's strings.Compare on the UTF-8 bytes; names are DNS labels (ASCII), where code units agree.
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Istio's configCompareByCreationTime: oldest first, then name, then namespace. */
export function compareByCreation(a: ProxyConfigResource, b: ProxyConfigResource): number {
  const ta = timeOf(a);
  const tb = timeOf(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareText(a.name, b.name) || compareText(a.namespace, b.namespace);
}

export function proxyConfigSet(resources: readonly ProxyConfigResource[]): ProxyConfigSet {
  const byNamespace = new Map<string, ProxyConfigResource[]>();
  for (const r of [...resources].sort(compareByCreation)) {
    const list = byNamespace.get(r.namespace);
    if (list) list.push(r);
    else byNamespace.set(r.namespace, [r]);
  }
  return { byNamespace, size: resources.length };
}

/** The first namespace-wide resource (no selector at all), as Istio's mergedNamespaceConfig. */
function namespaceWide(set: ProxyConfigSet, namespace: string): ProxyConfigResource | undefined {
  return set.byNamespace.get(namespace)?.find((r) => r.spec.selector === undefined);
}

/** The first resource whose non-empty selector is a subset of the labels (mergedWorkloadConfig). */
function forWorkload(set: ProxyConfigSet, namespace: string, labels: Record<string, string>): ProxyConfigResource | undefined {
  return set.byNamespace.get(namespace)?.find((r) => {
    const sel = r.spec.selector;
    if (!sel) return false;
    const keys = Object.keys(sel);
    return keys.length > 0 && keys.every((k) => Object.hasOwn(labels, k) && labels[k] === sel[k]);
  });
}

/** A resource as the ProxyConfig fragment Istio merges (toMeshConfigProxyConfig): env is proxyMetadata. */
export function proxyConfigFragment(spec: ProxyConfigSpec): JsonObject {
  const out: JsonObject = {};
  if (spec.concurrency !== undefined) out.concurrency = spec.concurrency;
  if (spec.environmentVariables !== undefined) out.proxyMetadata = { ...spec.environmentVariables };
  if (spec.image !== undefined) out.image = { ...spec.image } as Json;
  return out;
}

export interface ProxyConfigLayers {
  /** Root namespace resource, namespace resource, workload resource (each when one applies). */
  rootNamespace?: ProxyConfigResource;
  namespace?: ProxyConfigResource;
  workload?: ProxyConfigResource;
}

/** Which resources apply to a pod in `namespace` with `labels`, given the mesh's rootNamespace. */
export function proxyConfigLayers(
  set: ProxyConfigSet | undefined,
  rootNamespace: string,
  namespace: string,
  labels: Record<string, string>,
): ProxyConfigLayers {
  if (!set || set.size === 0) return {};
  const layers: ProxyConfigLayers = {};
  const root = rootNamespace === '' ? undefined : namespaceWide(set, rootNamespace);
  if (root) layers.rootNamespace = root;
  const own = namespace === rootNamespace ? undefined : namespaceWide(set, namespace);
  if (own) layers.namespace = own;
  const workload = forWorkload(set, namespace, labels);
  if (workload) layers.workload = workload;
  return layers;
}

/**
 * ProxyConfigs from a file's text: YAML or JSON, several documents or a List (`kubectl get proxyconfigs
 * -A -o yaml`). Text that does not parse is an error (InjectionError); a resource that is not
 * well-formed is a warning.
 */
export function proxyConfigsFromText(text: string, source: string): { set: ProxyConfigSet; warnings: string[] } {
  const { resources, warnings } = readProxyConfigs(flattenLists(parseDocuments(text, source)));
  return { set: proxyConfigSet(resources), warnings: warnings.map((w) => `${source}: ${w}`) };
}
