// Keys of `values` and `mesh` the injector does not know: Helm and the injector ignore them, so a typo
// (`statusPrt`, `imagePullSecret`) would silently do nothing. Each is a warning naming the key and the
// nearest known one. Known: the built-in defaults' keys (Istio's chart values the injector reads), the
// keys the checks name, and MeshConfig's and ProxyConfig's fields. Maps whose default is empty, or that
// hold free-form data (resources, templates, proxyMetadata, …), are not looked into.
import { distanceWithin } from '../istio-names.ts';
import { isObject, type JsonObject } from '../types.ts';
import { DEFAULT_VALUES } from './default-values.ts';
import { DEFAULT_MESH, PROXY_CONFIG_ORDER } from './mesh.ts';
import { VALUES_RULES } from './values.ts';

// MeshConfig's fields (Istio's mesh/v1alpha1/config.proto), the ones istiod reads today and the deprecated
// ones it still parses
const MESH_FIELDS = [
  'proxyListenPort',
  'proxyInboundListenPort',
  'proxyHttpPort',
  'connectTimeout',
  'protocolDetectionTimeout',
  'tcpKeepalive',
  'ingressClass',
  'ingressService',
  'ingressControllerMode',
  'ingressSelector',
  'enableTracing',
  'accessLogFile',
  'accessLogFormat',
  'accessLogEncoding',
  'enableEnvoyAccessLogService',
  'disableEnvoyListenerLog',
  'defaultConfig',
  'outboundTrafficPolicy',
  'inboundTrafficPolicy',
  'configSources',
  'enableAutoMtls',
  'trustDomain',
  'trustDomainAliases',
  'caCertificates',
  'defaultServiceExportTo',
  'defaultVirtualServiceExportTo',
  'defaultDestinationRuleExportTo',
  'rootNamespace',
  'localityLbSetting',
  'dnsRefreshRate',
  'h2UpgradePolicy',
  'inboundClusterStatName',
  'outboundClusterStatName',
  'certificates',
  'thriftConfig',
  'serviceSettings',
  'enablePrometheusMerge',
  'verifyCertificateAtClient',
  'ca',
  'extensionProviders',
  'defaultProviders',
  'discoverySelectors',
  'pathNormalization',
  'defaultHttpRetryPolicy',
  'meshMTLS',
  'tlsDefaults',
  'serviceScopeConfigs',
  'sdsUdsPath',
  'enableSdsTokenMount',
  'reportBatchMaxEntries',
  'reportBatchMaxTime',
  'mixerCheckServer',
  'mixerReportServer',
  'disablePolicyChecks',
  'policyCheckFailOpen',
  'sidecarToTelemetrySessionAffinity',
  'authPolicy',
  'rdsRefreshDelay',
  'mixerAddress',
  'outboundTrafficPolicy',
];

type Known = Map<string, Known | null>; // null: a leaf or a free-form map

function treeOf(defaults: JsonObject, paths: string[] = []): Known {
  const known: Known = new Map();
  for (const [k, v] of Object.entries(defaults)) known.set(k, isObject(v) && Object.keys(v).length > 0 ? treeOf(v as JsonObject) : null);
  for (const p of paths) {
    const parts = p.split('.');
    let cur = known;
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      if (last) {
        if (!cur.has(part)) cur.set(part, null);
        break;
      }
      let next = cur.get(part);
      if (!next) {
        next = new Map();
        cur.set(part, next);
      }
      cur = next;
    }
  }
  return known;
}

const FREE_FORM_KINDS = new Set(['object', 'stringMap', 'resources']);
let valuesTree: Known | undefined;
let meshTree: Known | undefined;

function knownValues(): Known {
  if (!valuesTree) {
    valuesTree = treeOf(DEFAULT_VALUES, Object.keys(VALUES_RULES));
    // a map the checks take whole is free-form below its key
    for (const [key, kind] of Object.entries(VALUES_RULES)) {
      if (typeof kind !== 'string' || !FREE_FORM_KINDS.has(kind)) continue;
      const parts = key.split('.');
      const parent = parts.slice(0, -1).reduce<Known | null | undefined>((t, p) => t?.get(p), valuesTree);
      parent?.set(parts[parts.length - 1]!, null);
    }
  }
  return valuesTree;
}

function knownMesh(): Known {
  if (!meshTree) {
    meshTree = new Map(MESH_FIELDS.map((f) => [f, null]));
    meshTree.set('defaultConfig', new Map([...Object.keys(DEFAULT_MESH.defaultConfig as JsonObject), ...PROXY_CONFIG_ORDER].map((f) => [f, null])));
  }
  return meshTree;
}

function allPaths(t: Known, prefix: string): string[] {
  return [...t].flatMap(([k, sub]) => [`${prefix}${k}`, ...(sub ? allPaths(sub, `${prefix}${k}.`) : [])]);
}

/**
 * The known path nearest to an unknown one: a few edits away (bounded: a key of any length costs at most
 * its length squared per candidate), or the same last key elsewhere (values.proxy for values.global.proxy).
 */
function nearest(path: string, candidates: string[]): string | undefined {
  const lastOf = (p: string) => p.slice(p.lastIndexOf('.') + 1);
  const max = Math.max(3, Math.floor(path.length / 4));
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const d = Math.min(distanceWithin(path, c, max), distanceWithin(lastOf(path), lastOf(c), max) + 1);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function walk(doc: JsonObject, known: Known, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(doc)) {
    if (!known.has(k)) {
      out.push(`${prefix}${k}`);
      continue;
    }
    const sub = known.get(k);
    if (sub && isObject(v)) walk(v as JsonObject, sub, `${prefix}${k}.`, out);
  }
}

// enough to see the mistake; a values file from another chart would otherwise list every key
const MAX_REPORTED = 10;

/** One warning per unknown key of the user's values and mesh documents (before the defaults are merged in). */
export function unknownKeyWarnings(values: unknown, mesh: unknown): string[] {
  const found: Array<[string, Known, string]> = [];
  for (const [doc, tree, prefix] of [
    [values, isObject(values) ? knownValues() : undefined, 'values.'],
    [mesh, isObject(mesh) ? knownMesh() : undefined, 'mesh.'],
  ] as const) {
    if (!tree) continue;
    const keys: string[] = [];
    walk(doc as JsonObject, tree, prefix, keys);
    for (const k of keys) found.push([k, tree, prefix]);
  }
  const shown = found.slice(0, MAX_REPORTED).map(([key, tree, prefix]) => {
    const near = nearest(key, allPaths(tree, prefix));
    return `${key}: unknown key, not read by the injector${near ? ` (nearest known: ${near})` : ''}`;
  });
  if (found.length > MAX_REPORTED) shown.push(`... and ${found.length - MAX_REPORTED} more unknown keys`);
  return shown;
}
