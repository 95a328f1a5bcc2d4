// Template helpers for the parts of Istio's injection template that compute a value in Go
// (pkg/kube/inject/template.go): OTEL_RESOURCE_ATTRIBUTES, the Multus networks annotation, the
// directory of a path. Same inputs, same results (or failures). All are pure.
import { isObject } from '../types.ts';

type StringMap = Record<string, string> | undefined;
type Container = { name?: string; image?: string };

const SEMANTIC_CONVENTIONS = new Set(['OTEL_SEMANTIC_CONVENTIONS', 1]);

/** True when an OpenTelemetry extension provider asks for OTel semantic-convention service attributes. */
export function wantsOtelSemConv(mesh: unknown): boolean {
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

/**
 * Istio's excludeInboundPort on the port as text: the list as given when the port is empty, "0" or an item
 * exactly as written; else the items trimmed, empty ones dropped, and the port appended.
 */
export function excludeInboundPort(portText: string, list: string): string {
  const port = portText.trim();
  if (port === '' || port === '0') return list;
  const items = list.split(',');
  if (items.includes(port)) return list;
  return [...items.map((s) => s.trim()).filter((s) => s !== ''), port].join(',');
}

/** The directory part of a slash path, with its trailing slash (Go's path.Split). */
export function directory(p: unknown): string {
  const s = typeof p === 'string' ? p : '';
  return s.slice(0, s.lastIndexOf('/') + 1);
}
