// Mesh config and ProxyConfig: Istio's built-in defaults, the overlay rules Istio applies (mesh fields
// replace, defaultConfig merges, proxyMetadata maps merge) and the "non-default fields only" JSON that
// becomes the PROXY_CONFIG env of the proxy.
import { InjectionError } from '../errors.ts';
import { cloneJson, isObject, type Json, type JsonObject } from '../types.ts';
import { checkRules, type Rules } from './schema.ts';

// Istio's mesh.DefaultProxyConfig (no concurrency, tracing or parentShutdownDuration there: a value of
// those set anywhere is written into PROXY_CONFIG, even one older Istios had as default)
export const DEFAULT_PROXY_CONFIG: JsonObject = {
  configPath: './etc/istio/proxy',
  binaryPath: '/usr/local/bin/envoy',
  serviceCluster: 'istio-proxy',
  drainDuration: '45s',
  discoveryAddress: 'istiod.istio-system.svc:15012',
  proxyAdminPort: 15000,
  controlPlaneAuthPolicy: 'MUTUAL_TLS',
  interceptionMode: 'REDIRECT',
  statNameLength: 189,
  statusPort: 15020,
  terminationDrainDuration: '5s',
};

export const DEFAULT_MESH: JsonObject = {
  proxyListenPort: 15001,
  proxyInboundListenPort: 15006,
  enablePrometheusMerge: true,
  trustDomain: 'cluster.local',
  rootNamespace: 'istio-system',
  inboundTrafficPolicy: { mode: 'PASSTHROUGH' },
  defaultConfig: DEFAULT_PROXY_CONFIG,
};

// ProxyConfig fields in the order of their declaration in Istio's proxy.proto, which is the order
// protobuf's JSON writer uses; fields we do not know follow in sorted order.
export const PROXY_CONFIG_ORDER = [
  'configPath',
  'binaryPath',
  'serviceCluster',
  'drainDuration',
  'parentShutdownDuration',
  'discoveryAddress',
  'statsdUdpAddress',
  'proxyAdminPort',
  'controlPlaneAuthPolicy',
  'customConfigFile',
  'statNameLength',
  'concurrency',
  'proxyBootstrapTemplatePath',
  'interceptionMode',
  'tracing',
  'envoyAccessLogService',
  'envoyMetricsService',
  'proxyMetadata',
  'runtimeValues',
  'statusPort',
  'extraStatTags',
  'gatewayTopology',
  'terminationDrainDuration',
  'meshId',
  'readinessProbe',
  'proxyStatsMatcher',
  'holdApplicationUntilProxyStarts',
  'caCertificatesPem',
  'image',
  'privateKeyProvider',
  'proxyHeaders',
  'tracingServiceName',
  'fileFlushInterval',
  'fileFlushMinSizeKb',
];

export const PROXY_CONFIG_RULES: Rules = {
  configPath: 'string',
  binaryPath: 'string',
  serviceCluster: 'string',
  discoveryAddress: 'string',
  drainDuration: 'duration',
  parentShutdownDuration: 'duration',
  terminationDrainDuration: 'duration',
  proxyAdminPort: 'port',
  statusPort: 'port',
  statNameLength: 'uint',
  concurrency: 'uint',
  controlPlaneAuthPolicy: { oneOf: ['NONE', 'MUTUAL_TLS', 'INHERIT'] },
  interceptionMode: { oneOf: ['REDIRECT', 'TPROXY', 'NONE'] },
  proxyMetadata: 'stringMap',
  holdApplicationUntilProxyStarts: 'bool',
  meshId: 'string',
  tracing: 'object',
  image: 'object',
  proxyHeaders: 'object',
  readinessProbe: 'object',
  gatewayTopology: 'object',
};

const MESH_RULES: Rules = {
  proxyListenPort: 'port',
  proxyInboundListenPort: 'port',
  enablePrometheusMerge: 'bool',
  trustDomain: 'string',
  rootNamespace: 'string',
  defaultConfig: 'object',
  'inboundTrafficPolicy.mode': { oneOf: ['PASSTHROUGH', 'LOCALHOST'] },
  trustDomainAliases: 'stringList',
};

/** Overlay a ProxyConfig fragment onto a base: fields replace, proxyMetadata merges (Istio's applyProxyConfig). */
export function overlayProxyConfig(base: JsonObject, overlay: JsonObject, subjectPrefix: string): JsonObject {
  checkRules(overlay, PROXY_CONFIG_RULES, subjectPrefix);
  const out = cloneJson(base);
  for (const [k, v] of Object.entries(overlay)) {
    if (k === 'proxyMetadata' && isObject(v)) {
      out.proxyMetadata = { ...(isObject(out.proxyMetadata) ? out.proxyMetadata : {}), ...cloneJson(v) };
    } else if (v !== null) {
      out[k] = cloneJson(v);
    } else {
      delete out[k];
    }
  }
  return out;
}

/** Mesh config from a user document over Istio's defaults (MeshConfig fields replace; defaultConfig merges). */
export function applyMeshConfig(user: unknown): JsonObject {
  if (user === undefined || user === null) return cloneJson(DEFAULT_MESH);
  if (!isObject(user)) throw new InjectionError('INVALID_SETTING', 'invalid setting mesh: must be a mapping', 'mesh');
  checkRules(user, MESH_RULES, 'mesh.');
  const mesh = cloneJson(DEFAULT_MESH);
  for (const [k, v] of Object.entries(user)) {
    if (k === 'defaultConfig') continue;
    mesh[k] = cloneJson(v as Json);
  }
  if (isObject(user.defaultConfig)) {
    mesh.defaultConfig = overlayProxyConfig(DEFAULT_PROXY_CONFIG, user.defaultConfig as JsonObject, 'mesh.defaultConfig.');
  }
  return mesh;
}

function sortKeys(o: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k] as Json]),
  );
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** PROXY_CONFIG: the fields that differ from Istio's defaults, in proto order (Istio's protoToJSON + clean). */
export function proxyConfigJson(pc: JsonObject): string {
  const known = PROXY_CONFIG_ORDER.filter((k) => k in pc);
  const rest = Object.keys(pc)
    .filter((k) => !PROXY_CONFIG_ORDER.includes(k))
    .sort();
  const out: JsonObject = {};
  for (const k of [...known, ...rest]) {
    const v = pc[k];
    if (v === undefined || v === null || deepEqual(v, DEFAULT_PROXY_CONFIG[k])) continue;
    // protobuf writes map fields with sorted keys
    out[k] = isObject(v) && (k === 'proxyMetadata' || k === 'runtimeValues') ? sortKeys(v) : v;
  }
  return JSON.stringify(out);
}
